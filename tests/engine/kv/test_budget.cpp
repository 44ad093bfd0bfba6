// Budget arithmetic on hand-computed examples (ALGORITHMS.md sections 2, 4.2, 13, 16).
#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "engine/kv/budget.h"

namespace hace::kv {
namespace {

using V = std::vector<std::int64_t>;

std::int64_t sum(const V& v) { return std::accumulate(v.begin(), v.end(), std::int64_t{0}); }

TEST(LargestRemainder, FloorsThenLargestFractionsTiesToLowerIndex) {
    EXPECT_EQ(largest_remainder({1.5, 1.5, 1.0}, 4), (V{2, 1, 1}));
    EXPECT_EQ(largest_remainder({0.2, 0.7, 0.1}, 1), (V{0, 1, 0}));
    EXPECT_EQ(largest_remainder({2.25, 2.25, 2.25, 2.25}, 9), (V{3, 2, 2, 2}));
    EXPECT_EQ(largest_remainder({0.0, 0.0}, 0), (V{0, 0}));
}

TEST(IntegeriseCapped, WaterFillsTheExcessByWeight) {
    // {5, 1, 0} over cap 3: 2 units of excess, all weight on item 1.
    EXPECT_EQ(integerise_capped({5.0, 1.0, 0.0}, 6, 3, {5.0, 1.0, 0.0}), (V{3, 3, 0}));
    // Equal split of the excess when the open items carry no weight.
    EXPECT_EQ(integerise_capped({10.0, 0.0, 0.0}, 10, 4, {1.0, 0.0, 0.0}), (V{4, 3, 3}));
    // Repeated passes: excess pushes item 1 over the cap too.
    const auto v = integerise_capped({9.0, 2.9, 0.1}, 12, 5, {9.0, 2.9, 0.1});
    EXPECT_EQ(sum(v), 12);
    for (auto x : v) EXPECT_LE(x, 5);
    EXPECT_EQ(v, (V{5, 5, 2}));
}

TEST(Stage1, PyramidMatchesTheFormulaOnAWorkedExample) {
    // L = 4, H = 1, B = 100, beta = 20: min = 5, max = 195, step = 190/3.
    const auto r = stage1_pyramid(4, 1, 100, 10'000, 20.0);
    ASSERT_EQ(r.size(), 4u);
    EXPECT_DOUBLE_EQ(r[0], 195.0);
    EXPECT_NEAR(r[1], 195.0 - 190.0 / 3.0, 1e-9);
    EXPECT_NEAR(r[2], 195.0 - 380.0 / 3.0, 1e-9);
    EXPECT_NEAR(r[3], 5.0, 1e-9);
    EXPECT_EQ(integerise_capped(r, 400, 10'000, r), (V{195, 132, 68, 5}));
    // The cap rule: max >= P -> max = P = 150, min = 2B - max = 50.
    const auto c = stage1_pyramid(4, 2, 100, 150, 20.0);
    EXPECT_DOUBLE_EQ(c[0], 2 * 150.0);
    EXPECT_NEAR(c[3], 2 * 50.0, 1e-9);
}

TEST(Stage1, CakeIsProportionalAndFallsBackToUniform) {
    const auto r = stage1_cake({1.0, 3.0}, 100);
    EXPECT_DOUBLE_EQ(r[0], 25.0);
    EXPECT_DOUBLE_EQ(r[1], 75.0);
    const auto bad = stage1_cake({1.0, std::nan("")}, 100);
    EXPECT_DOUBLE_EQ(bad[0], 50.0);
    EXPECT_DOUBLE_EQ(bad[1], 50.0);
}

TEST(Stage12, HeadkvImpliedThenSplitIsHeadKvGlobalFormula) {
    // L = 2, H = 2, B = 120, beta = 1.01: p = floor(120/1.01) = 118, m = 2.
    const std::vector<std::vector<double>> s = {{0.1, 0.4}, {0.3, 0.2}};
    const std::int64_t b = 120;
    EXPECT_EQ(headkv_pool(b, 1.01), 118);
    const auto t = stage1_headkv_implied(s, b, 1.01);
    for (std::size_t l = 0; l < 2; ++l) {
        const auto split = stage2_headkv(static_cast<std::int64_t>(t[l]), s[l], 2);
        for (std::size_t h = 0; h < 2; ++h) {
            // HeadKV section 4.2: b = m + s * p * L * H (T_l is integral here).
            EXPECT_NEAR(split[h], 2.0 + s[l][h] * 118.0 * 4.0, 1e-9) << l << "," << h;
        }
    }
}

TEST(Stage2, HeadkvFloorIsCappedByTheLayerShare) {
    // T_l = 10 over 4 heads with m = 5: m_l = min(5, 2) = 2, pool 2 split by scores.
    const auto r = stage2_headkv(10, {1.0, 1.0, 0.0, 0.0}, 5);
    EXPECT_EQ(r, (std::vector<double>{3.0, 3.0, 2.0, 2.0}));
    const auto u = stage2_headkv(9, {0.0, 0.0, 0.0}, 5);  // all scores zero -> uniform
    EXPECT_EQ(u, (std::vector<double>{3.0, 3.0, 3.0}));
}

TEST(Stage2, AdaCountsTheGlobalTopEntries) {
    // Head 0 has the four largest scores of the layer; T_l = 4, alpha = 0.5:
    // c = {4, 0}, b = 0.5*c + 0.5*4/2 = {3, 1}.
    const std::vector<std::vector<float>> scores = {{0.9f, 0.8f, 0.7f, 0.6f},
                                                    {0.1f, 0.2f, 0.3f, 0.05f}};
    EXPECT_EQ(stage2_ada(4, scores, 0.5), (std::vector<double>{3.0, 1.0}));
    EXPECT_EQ(stage2_ada(4, scores, 0.0), (std::vector<double>{4.0, 0.0}));
    // Ties: equal scores go to the smaller position, then the lower head.
    const std::vector<std::vector<float>> tied = {{0.5f, 0.5f}, {0.5f, 0.5f}};
    EXPECT_EQ(stage2_ada(2, tied, 0.0), (std::vector<double>{1.0, 1.0}));
}

}  // namespace
}  // namespace hace::kv
