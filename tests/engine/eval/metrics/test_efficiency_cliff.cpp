// Cache Efficiency Ratio and the performance cliff (scan, largest drop, bisection refinement).
#include <gtest/gtest.h>

#include "engine/eval/metrics/cache_efficiency.h"
#include "engine/eval/metrics/performance_cliff.h"
#include "tests/support/expect_input_error.h"

namespace {

using namespace hace::metrics;
using Points = std::vector<RetentionPoint>;

TEST(CacheEfficiency, ScorePerRetentionPercent) {
    EXPECT_DOUBLE_EQ(cache_efficiency_ratio(40.0, 0.05), 8.0);
    EXPECT_DOUBLE_EQ(cache_efficiency_ratio(40.0, 1.0), 0.4);
    EXPECT_DOUBLE_EQ(cache_efficiency_ratio(0.0, 0.2), 0.0);
    hace::test::expect_input_error([] { cache_efficiency_ratio(40.0, 0.0); }, {"(0, 1]"});
    hace::test::expect_input_error([] { cache_efficiency_ratio(40.0, 1.5); }, {"(0, 1]"});
}

// Full cache 40, 10% tolerance: a point stays within at a score >= 36.
const Points kCurve = {{0.8, 40}, {0.05, 20}, {0.4, 39}, {0.1, 30}, {0.2, 37}};

TEST(PerformanceCliff, LowestRetentionWhoseScoreAndAllLargerOnesStayWithin) {
    const auto cliff = find_cliff(kCurve, 40.0);
    ASSERT_TRUE(cliff.has_value());
    EXPECT_DOUBLE_EQ(cliff->retention, 0.2);
    ASSERT_TRUE(cliff->failing_below.has_value());
    EXPECT_DOUBLE_EQ(*cliff->failing_below, 0.1);
    // A 30% tolerance (score >= 28) moves the cliff down to 0.1.
    EXPECT_DOUBLE_EQ(find_cliff(kCurve, 40.0, 30.0)->retention, 0.1);
}

TEST(PerformanceCliff, ADipAtALargerRetentionStopsTheScan) {
    // 0.05 is within again, but 0.4 is not, so the cliff is at 0.8.
    const Points dip = {{0.05, 38}, {0.1, 30}, {0.2, 37}, {0.4, 35}, {0.8, 40}};
    const auto cliff = find_cliff(dip, 40.0);
    ASSERT_TRUE(cliff.has_value());
    EXPECT_DOUBLE_EQ(cliff->retention, 0.8);
    EXPECT_DOUBLE_EQ(*cliff->failing_below, 0.4);
}

TEST(PerformanceCliff, NoCliffObservedAndNoPointWithin) {
    const auto all_within = find_cliff(Points{{0.1, 37}, {0.5, 41}}, 40.0);
    ASSERT_TRUE(all_within.has_value());
    EXPECT_DOUBLE_EQ(all_within->retention, 0.1);
    EXPECT_FALSE(all_within->failing_below.has_value());
    EXPECT_FALSE(find_cliff(Points{{0.1, 37}, {0.5, 30}}, 40.0).has_value());
}

TEST(PerformanceCliff, LargestDropBetweenNeighbours) {
    // Sorted: 20, 30, 37, 39, 40; drops 10, 7, 2, 1.
    const auto drop = largest_drop(kCurve);
    ASSERT_TRUE(drop.has_value());
    EXPECT_DOUBLE_EQ(drop->low_retention, 0.05);
    EXPECT_DOUBLE_EQ(drop->high_retention, 0.1);
    EXPECT_DOUBLE_EQ(drop->drop, 10.0);
    EXPECT_FALSE(largest_drop(Points{{0.5, 1}}).has_value());
}

TEST(PerformanceCliff, RejectsBadPoints) {
    hace::test::expect_input_error([] { find_cliff(Points{}, 40.0); }, {"no points"});
    hace::test::expect_input_error(
        [] {
            find_cliff(Points{{0.1, 1}, {0.1, 2}}, 40.0);
        },
        {"appears twice"});
    hace::test::expect_input_error([] { find_cliff(Points{{0.0, 1}}, 40.0); }, {"(0, 1]"});
}

TEST(PerformanceCliff, BisectionRefinesTheBracket) {
    // A step curve with its edge at 0.137; bracket [0.1, 0.2] from the scan above.
    int calls = 0;
    const auto score_at = [&calls](double r) {
        ++calls;
        return r >= 0.137 ? 40.0 : 10.0;
    };
    const auto refined = refine_cliff(score_at, 0.1, 0.2, 40.0, 1e-3);
    EXPECT_GE(refined.retention, 0.137);
    EXPECT_LT(refined.failing, 0.137);
    EXPECT_LE(refined.retention - refined.failing, 1e-3);
    EXPECT_EQ(refined.evaluations, 7u);  // 0.1 / 2^7 < 1e-3 <= 0.1 / 2^6
    EXPECT_EQ(calls, 7);
    hace::test::expect_input_error([&] { refine_cliff(score_at, 0.2, 0.1, 40.0, 1e-3); },
                                   {"bracket"});
    hace::test::expect_input_error([&] { refine_cliff(score_at, 0.1, 0.2, 40.0, 0.0); },
                                   {"tolerance"});
}

}  // namespace
