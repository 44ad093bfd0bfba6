// The statistics module against hand-computed cases (exact permutation p-values by enumeration
// on paper, Wilson intervals from Newcombe 1998 Table I, Holm, sample sizes) and the bootstrap's
// invariants (contains the mean, narrows as n grows, reproducible from its seed).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/eval/stats/intervals.h"
#include "engine/eval/stats/paired_tests.h"

namespace hace::stats {
namespace {

TEST(NormalQuantile, KnownValues) {
    EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
    EXPECT_NEAR(normal_quantile(0.8), 0.8416212335729143, 1e-12);
    EXPECT_NEAR(normal_quantile(0.5), 0.0, 1e-15);
    EXPECT_NEAR(normal_quantile(0.025), -1.959963984540054, 1e-12);
}

// Newcombe, "Two-sided confidence intervals for the single proportion", Stat. Med. 1998,
// Table I, method 3 (score interval without continuity correction).
TEST(Wilson, NewcombeTextbookExamples) {
    const struct {
        std::int64_t s, n;
        double low, high;
    } cases[] = {{81, 263, 0.2553, 0.3662},
                 {15, 148, 0.0624, 0.1605},
                 {0, 20, 0.0, 0.1611},
                 {1, 29, 0.0061, 0.1718}};
    for (const auto& c : cases) {
        const Interval w = wilson_interval(c.s, c.n);
        EXPECT_NEAR(w.low, c.low, 5e-5) << c.s << "/" << c.n;
        EXPECT_NEAR(w.high, c.high, 5e-5) << c.s << "/" << c.n;
    }
    // Symmetry: n - s successes mirror the interval.
    const Interval a = wilson_interval(3, 10), b = wilson_interval(7, 10);
    EXPECT_NEAR(a.low, 1.0 - b.high, 1e-12);
    EXPECT_NEAR(a.high, 1.0 - b.low, 1e-12);
    EXPECT_THROW(wilson_interval(3, 2), std::invalid_argument);
}

TEST(SignFlip, FourSamplesExactByHand) {
    // d = 1, -2, 3, 4: observed sum 6. Over the 16 sign vectors the sums are +-10, +-8, +-6,
    // +-4 (twice), +-2 (twice), 0 (twice); |sum| >= 6 for 6 of them: p = 6/16.
    const std::vector<double> d = {1, -2, 3, 4};
    const auto r = sign_flip_test(d);
    EXPECT_TRUE(r.exact);
    EXPECT_EQ(r.flips, 16);
    EXPECT_DOUBLE_EQ(r.p, 0.375);
    // All positive: only the observed vector and its mirror reach |sum| = 10: p = 2/16.
    const std::vector<double> up = {1, 2, 3, 4};
    EXPECT_DOUBLE_EQ(sign_flip_test(up).p, 0.125);
    // Differences of 0.1 + 0.2 style rounding still tie with their exact-sum partners.
    const std::vector<double> fl = {0.1, 0.2, 0.3};  // sums 0.6, 0.4, 0.2, 0.0 (+-)
    EXPECT_DOUBLE_EQ(sign_flip_test(fl).p, 0.25);
    const std::vector<double> zeros = {0, 0, 0};
    EXPECT_DOUBLE_EQ(sign_flip_test(zeros).p, 1.0);
}

TEST(SignFlip, RandomFlipsAboveTwentySamplesReportTheirSeed) {
    std::vector<double> d(25, 1.0);
    const auto r = sign_flip_test(d, 7);
    EXPECT_FALSE(r.exact);
    EXPECT_EQ(r.flips, kRandomFlips);
    EXPECT_EQ(r.seed, 7u);
    // The observed |sum| = 25 is reached by 2 of 2^25 vectors: almost surely no random hit.
    EXPECT_DOUBLE_EQ(r.p, 1.0 / (1.0 + static_cast<double>(kRandomFlips)));
    // A balanced sample: every vector reaches |sum| >= 0.
    std::vector<double> balanced;
    for (int i = 0; i < 30; ++i) balanced.push_back(i % 2 ? 1.0 : -1.0);
    EXPECT_DOUBLE_EQ(sign_flip_test(balanced).p, 1.0);
    // The same seed gives the same p; the estimate agrees with exact enumeration.
    std::vector<double> mixed;
    for (int i = 0; i < 22; ++i) mixed.push_back(((i * 7) % 5) - 1.6);
    // 22 > 20 samples: the module flips at random, so enumerate the 2^22 vectors here.
    double obs = 0.0, scale = 0.0;
    for (double v : mixed) {
        obs += v;
        scale += std::abs(v);
    }
    std::int64_t hits = 0;
    for (std::uint64_t mask = 0; mask < (1u << 22); ++mask) {
        double s = 0.0;
        for (int i = 0; i < 22; ++i) s += (mask >> i) & 1 ? -mixed[i] : mixed[i];
        if (std::abs(s) >= std::abs(obs) - 1e-9 * scale) ++hits;
    }
    const double truth = static_cast<double>(hits) / static_cast<double>(1u << 22);
    const auto a = sign_flip_test(mixed, 11), b = sign_flip_test(mixed, 11);
    EXPECT_EQ(a.p, b.p);
    EXPECT_NEAR(a.p, truth, 0.01);
}

TEST(Holm, HandExample) {
    // Sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> max 0.06.
    const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
    const auto adj = holm_adjust(p);
    ASSERT_EQ(adj.size(), 4u);
    EXPECT_DOUBLE_EQ(adj[0], 0.03);
    EXPECT_DOUBLE_EQ(adj[1], 0.06);
    EXPECT_DOUBLE_EQ(adj[2], 0.06);
    EXPECT_DOUBLE_EQ(adj[3], 0.02);
    // 0.6 x 2 = 1.2 capped at 1; then 0.7 x 1 = 0.7 is raised to the running maximum 1.
    const std::vector<double> big = {0.7, 0.6};
    const auto capped = holm_adjust(big);
    EXPECT_DOUBLE_EQ(capped[0], 1.0);
    EXPECT_DOUBLE_EQ(capped[1], 1.0);
}

TEST(SampleSize, NormalApproximationByHand) {
    // (1.959964 + 0.841621)^2 x (10 / 5)^2 = 7.848880 x 4 = 31.40 -> 32.
    EXPECT_EQ(samples_for_power(10.0, 5.0), 32);
    // x (12 / 3)^2 = 125.58 -> 126; the sign of the effect does not matter.
    EXPECT_EQ(samples_for_power(12.0, -3.0), 126);
    // alpha 0.01: (2.575829 + 0.841621)^2 x 4 = 46.72 -> 47.
    EXPECT_EQ(samples_for_power(10.0, 5.0, 0.01), 47);
    EXPECT_EQ(samples_for_power(0.0, 5.0), 1);
    EXPECT_FALSE(samples_for_power(10.0, 0.0).has_value());
}

TEST(Bootstrap, ContainsTheMeanAndNarrowsAsNGrows) {
    double previous = 1e300;
    for (const int copies : {1, 10, 100}) {
        std::vector<double> v;
        for (int c = 0; c < copies; ++c) {
            for (int i = 0; i < 10; ++i) v.push_back(i * i);  // mean 28.5
        }
        const Interval ci = bootstrap_mean_ci(v);
        EXPECT_LT(ci.low, 28.5);
        EXPECT_GT(ci.high, 28.5);
        const double width = ci.high - ci.low;
        EXPECT_LT(width, previous) << copies;
        previous = width;
    }
    // Roughly sd / sqrt(n) x 2 x 1.96 at n = 1000: sd = 28.9 -> 3.58.
    EXPECT_NEAR(previous, 3.58, 0.3);
    const std::vector<double> one = {4.0};
    const Interval single = bootstrap_mean_ci(one);
    EXPECT_EQ(single.low, 4.0);
    EXPECT_EQ(single.high, 4.0);
    EXPECT_THROW(bootstrap_mean_ci(std::vector<double>{}), std::invalid_argument);
}

TEST(Bootstrap, ReproducibleFromItsSeed) {
    const std::vector<double> v = {1.3, 5.7, 2.2, 8.9, 3.1, 9.4, 4.05, 6.6, 7.7, 0.25, 2.9, 5.5};
    const Interval a = bootstrap_mean_ci(v, 0.95, 10000, 3);
    const Interval b = bootstrap_mean_ci(v, 0.95, 10000, 3);
    const Interval c = bootstrap_mean_ci(v, 0.95, 10000, 4);
    EXPECT_EQ(a.low, b.low);
    EXPECT_EQ(a.high, b.high);
    EXPECT_TRUE(a.low != c.low || a.high != c.high);
    // Resample means of 7 integers are multiples of 1/7, and so are the bounds between two equal
    // neighbours; the percentile interval never leaves [min, max].
    const std::vector<double> w = {1, 5, 2, 8, 3, 9, 4};
    const Interval i = bootstrap_mean_ci(w);
    EXPECT_GE(i.low, 1.0);
    EXPECT_LE(i.high, 9.0);
    EXPECT_NEAR(i.low * 7, std::round(i.low * 7), 1e-9);
}

TEST(PairedBootstrap, IsTheBootstrapOfTheDifferences) {
    const std::vector<double> a = {3, 4, 8, 6}, b = {1, 1, 2, 5}, d = {2, 3, 6, 1};
    const Interval p = paired_bootstrap_ci(a, b, 0.95, 2000, 9);
    const Interval q = bootstrap_mean_ci(d, 0.95, 2000, 9);
    EXPECT_EQ(p.low, q.low);
    EXPECT_EQ(p.high, q.high);
    EXPECT_LE(p.low, 3.0);
    EXPECT_GE(p.high, 3.0);
}

}  // namespace
}  // namespace hace::stats
