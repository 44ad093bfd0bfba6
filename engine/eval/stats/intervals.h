// Confidence intervals of a mean: percentile bootstrap (Efron & Tibshirani 1993, ch. 13) for any
// metric, Wilson's score interval (Wilson 1927) for 0/1 outcomes, and the paired bootstrap of a
// mean difference. Percentiles are read from the sorted resample means by linear interpolation
// between order statistics (Hyndman & Fan type 7: position (B - 1) q, zero-based).
#pragma once

#include <cstdint>
#include <span>

namespace hace::stats {

// The defaults every table and figure uses; the seed is written into run manifests and exports.
inline constexpr int kBootstrapResamples = 10000;
inline constexpr std::uint64_t kDefaultSeed = 20240917;
inline constexpr double kConfidenceLevel = 0.95;

struct Interval {
    double low = 0.0;
    double high = 0.0;
};

// The standard normal quantile: Phi^-1(p) for p in (0, 1), found by bisection on
// Phi(x) = erfc(-x / sqrt 2) / 2 to full double precision.
double normal_quantile(double p);

// Percentile bootstrap interval of the mean of `values` at `level` (e.g. 0.95): `resamples`
// means of n values drawn with replacement. One value gives [v, v]; throws std::invalid_argument
// on no values.
Interval bootstrap_mean_ci(std::span<const double> values, double level = kConfidenceLevel,
                           int resamples = kBootstrapResamples, std::uint64_t seed = kDefaultSeed);

// Wilson score interval of a proportion with `successes` of `n` trials:
// (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z = Phi^-1((1 + level) / 2).
Interval wilson_interval(std::int64_t successes, std::int64_t n, double level = kConfidenceLevel);

// Percentile bootstrap interval of mean(a - b) over paired values (resampling the pairs).
Interval paired_bootstrap_ci(std::span<const double> a, std::span<const double> b,
                             double level = kConfidenceLevel, int resamples = kBootstrapResamples,
                             std::uint64_t seed = kDefaultSeed);

}  // namespace hace::stats
