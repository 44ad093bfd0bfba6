// Per-cell intervals (which metrics are 0/1), pairing by sample identity, and significant wins.
#include <gtest/gtest.h>

#include "engine/eval/stats/cell_statistics.h"

namespace hace::stats {
namespace {

std::vector<Observation> obs(const std::vector<double>& v, const std::string& prefix = "s") {
    std::vector<Observation> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back({prefix + std::to_string(i), v[i]});
    return out;
}

TEST(BinaryMetrics, ExactMatchNeedleAndTheScoreTheyDrive) {
    CellObservations cell;
    cell["em"] = obs({1, 0, 1});
    cell["needle_exact"] = obs({1, 0, 1});
    cell["score"] = obs({100, 0, 100});
    cell["qa_f1"] = obs({1, 0, 1});  // 0/1 here by chance: still a continuous metric
    EXPECT_EQ(binary_scale("em", cell), 1.0);
    EXPECT_EQ(binary_scale("needle_exact", cell), 1.0);
    EXPECT_EQ(binary_scale("score", cell), 100.0);
    EXPECT_FALSE(binary_scale("qa_f1", cell).has_value());
    CellObservations f1;
    f1["qa_f1"] = obs({0.5, 1});
    f1["score"] = obs({50, 100});
    f1["em"] = obs({0, 1});
    EXPECT_FALSE(binary_scale("score", f1).has_value());  // score is 100 x qa_f1, not em
    f1["em"] = obs({0.5, 1});
    EXPECT_FALSE(binary_scale("em", f1).has_value());
}

TEST(MetricInterval, WilsonOnTheScoreScaleAndBootstrapOtherwise) {
    CellObservations cell;
    cell["needle_exact"] = obs({1, 0, 1, 1, 0});
    cell["score"] = obs({100, 0, 100, 100, 0});
    cell["rouge_l"] = obs({0.2, 0.4, 0.9, 0.5, 0.5});
    const auto s = metric_interval("score", cell);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->n, 5);
    EXPECT_DOUBLE_EQ(s->mean, 60.0);
    EXPECT_EQ(s->kind, IntervalKind::Wilson);
    // 3 of 5: Wilson 95% = [0.2307, 0.8824] (centre 0.5563, half 0.3259).
    EXPECT_NEAR(s->ci.low, 23.07, 0.01);
    EXPECT_NEAR(s->ci.high, 88.24, 0.01);
    const auto r = metric_interval("rouge_l", cell);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->kind, IntervalKind::Bootstrap);
    EXPECT_DOUBLE_EQ(r->mean, 0.5);
    EXPECT_LT(r->ci.low, 0.5);
    EXPECT_GT(r->ci.high, 0.5);
    EXPECT_GE(r->ci.low, 0.2);
    EXPECT_LE(r->ci.high, 0.9);
    EXPECT_FALSE(metric_interval("absent", cell).has_value());
}

TEST(ComparePaired, PairsBySampleIdentity) {
    const std::vector<Observation> a = {{"s1", 1}, {"s2", 2}, {"s3", 3}, {"s4", 5}};
    const std::vector<Observation> b = {{"s2", 0}, {"s1", 0}, {"s4", 0}, {"s5", 9}};
    const auto c = compare_paired(a, b, {0.05, 1.0, kDefaultSeed});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->n, 3);  // s1, s2, s4
    EXPECT_DOUBLE_EQ(c->mean_difference, 8.0 / 3.0);
    EXPECT_DOUBLE_EQ(c->mean_a, 8.0 / 3.0);
    EXPECT_DOUBLE_EQ(c->mean_b, 0.0);
    // Differences 1, 2, 5: |sum| >= 8 for the observed vector and its mirror: 2 of 8.
    EXPECT_TRUE(c->permutation.exact);
    EXPECT_DOUBLE_EQ(c->permutation.p, 0.25);
    // sd of (1, 2, 5) = sqrt(13/3) = 2.0817; (2.8016 x 2.0817 / 1)^2 = 34.01 -> 35.
    EXPECT_NEAR(c->sd_difference, std::sqrt(13.0 / 3.0), 1e-12);
    EXPECT_EQ(c->samples_needed, 35);
    EXPECT_LE(c->ci.low, c->mean_difference);
    EXPECT_GE(c->ci.high, c->mean_difference);
    EXPECT_FALSE(compare_paired(a, {{"x", 1}}).has_value());
}

TEST(SignificantWins, OnlyAStrictBestSignificantAfterHolm) {
    // Row 0: A beats B and C on all 10 samples: exact p = 2/1024 each; Holm over the table's
    // 2 + 2 + 0 comparisons keeps them far below 0.05. Row 1: a 2-sample lead cannot be
    // significant (p >= 0.5). Row 2: a single candidate has no win. Row 3: a tie.
    const auto a = obs({5, 6, 7, 8, 9, 5, 6, 7, 8, 9});
    const auto b = obs({1, 2, 3, 4, 5, 1, 2, 3, 4, 5});
    const auto c = obs({0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    const auto d = obs({9, 9}), e = obs({1, 1});
    const auto t1 = obs({1, 2}), t2 = obs({2, 1});
    const auto wins =
        significant_wins({{&b, &a, &c}, {&d, &e, nullptr}, {nullptr, &a, nullptr}, {&t1, &t2}});
    ASSERT_EQ(wins.winner.size(), 4u);
    EXPECT_EQ(wins.winner[0], 1u);
    EXPECT_FALSE(wins.winner[1].has_value());
    EXPECT_FALSE(wins.winner[2].has_value());
    EXPECT_FALSE(wins.winner[3].has_value());
    EXPECT_EQ(wins.comparisons, 3);
    // Unpaired samples show nothing.
    const auto other = obs({0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "other");
    EXPECT_FALSE(significant_wins({{&a, &other}}).winner[0].has_value());
}

}  // namespace
}  // namespace hace::stats
