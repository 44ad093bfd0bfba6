// Tests on paired differences: the two-sided sign-flip permutation test of a zero mean
// difference, Holm's step-down adjustment of a family of p-values, and the sample size needed to
// detect a difference with a given power.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/eval/stats/intervals.h"

namespace hace::stats {

inline constexpr int kExactFlipLimit = 20;  // enumerate all 2^n sign vectors up to here
inline constexpr std::int64_t kRandomFlips = 100000;

struct PermutationResult {
    double p = 1.0;
    bool exact = true;
    std::int64_t flips = 0;  // sign vectors evaluated (2^n when exact)
    std::uint64_t seed = 0;  // random flips only
};

// Under H0 each difference is equally likely +d or -d. Statistic |sum d|; p is the share of sign
// vectors with |sum| >= the observed |sum| (up to 1e-9 relative, so float noise cannot split
// ties). n <= kExactFlipLimit: every one of the 2^n vectors (the observed one included). Larger n:
// `random_flips` random vectors, p = (1 + hits) / (1 + random_flips) (Phipson & Smyth 2010).
// No differences (or all zero): p = 1.
PermutationResult sign_flip_test(std::span<const double> differences,
                                 std::uint64_t seed = kDefaultSeed,
                                 std::int64_t random_flips = kRandomFlips);

// Holm (1979): with the m p-values sorted ascending p(1) <= ... <= p(m), the adjusted
// p(i) = max over j <= i of min(1, (m - j + 1) p(j)); returned in the input order.
std::vector<double> holm_adjust(std::span<const double> p);

// Samples needed so that a two-sided paired test at level alpha detects a mean difference of
// `effect` with `power`, by the normal approximation
//     n = ceil(((z_{1-alpha/2} + z_{power}) * sd / effect)^2).
// std::nullopt when sd is not finite or effect is 0; 1 when sd is 0.
std::optional<std::int64_t> samples_for_power(double sd, double effect, double alpha = 0.05,
                                              double power = 0.8);

// Sample standard deviation (n - 1 in the denominator); 0 for fewer than two values.
double sample_sd(std::span<const double> values);

}  // namespace hace::stats
