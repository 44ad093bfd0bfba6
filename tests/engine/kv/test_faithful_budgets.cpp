// Faithful-mode budget arithmetic on hand-computed examples (ALGORITHMS.md sections 2, 3, 4.2,
// 5.2-5.5, 9.2, 13.6). Every expected value is worked out in the comment next to it.
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <gtest/gtest.h>

#include "engine/kv/faithful_budgets.h"

namespace hace::kv::faithful {
namespace {

using V = std::vector<std::int64_t>;
using M = std::vector<V>;

std::int64_t sum(const V& v) {
    return std::accumulate(v.begin(), v.end(), std::int64_t{0});
}

TEST(PythonSemantics, FloorDivisionAndRounding) {
    // CPython float `//` goes through fmod: 1.0 // 0.1 == 9.0, while floor(1.0 / 0.1) == 10.
    EXPECT_EQ(python_floordiv(1.0, 0.1), 9.0);
    EXPECT_EQ(std::floor(1.0 / 0.1), 10.0);
    EXPECT_EQ(python_floordiv(120.0, 1.01), 118.0);  // 118.81...
    EXPECT_EQ(python_floordiv(128.0, 1.01), 126.0);  // 126.73...
    EXPECT_EQ(python_floordiv(120.0, 20.0), 6.0);
    EXPECT_EQ(python_floordiv(-7.0, 2.0), -4.0);
    // round(): ties to even.
    EXPECT_EQ(python_round(0.5), 0.0);
    EXPECT_EQ(python_round(1.5), 2.0);
    EXPECT_EQ(python_round(2.5), 2.0);
    EXPECT_EQ(python_round(3.5), 4.0);
    EXPECT_EQ(python_round(2.4999), 2.0);
    EXPECT_EQ(python_round(-2.5), -2.0);
    EXPECT_EQ(python_round(-1.5), -2.0);
}

// ---- PyramidKV ----------------------------------------------------------------------------------

TEST(PyramidKv, LlamaWorkedExample) {
    // L = 32, C = 128, w = 8, n = 4000, beta = 20: n >= 2(C - w) = 240 -> pyramid.
    // Bavg = 120, min = 120 // 20 = 6, max = 240 - 6 = 234 (< n - w = 3992, no cap).
    // step = (234 - 6) // 31 = 228 // 31 = 7 (31 * 7 = 217).
    // B_0 = 234, B_l = 234 - 7l, B_31 = 234 - 217 = 17.
    // sum = 32 * 234 - 7 * (0 + ... + 31) = 7488 - 7 * 496 = 4016 > 32 * 120 = 3840.
    const auto plan = pyramid_budgets(32, 128, 8, 4000, 20.0);
    EXPECT_EQ(plan.regime, PyramidPlan::Pyramid);
    ASSERT_EQ(plan.per_layer.size(), 32u);
    EXPECT_EQ(plan.per_layer[0], 234);
    EXPECT_EQ(plan.per_layer[1], 227);
    EXPECT_EQ(plan.per_layer[31], 17);
    EXPECT_EQ(sum(plan.per_layer), 4016);
    EXPECT_GT(sum(plan.per_layer), 32 * 120);
}

TEST(PyramidKv, CapAtPromptLength) {
    // L = 4, C = 128, w = 8, n = 240: n >= 2(C - w) = 240 -> pyramid. min = 6, max = 234, but
    // max >= n - w = 232 -> max = 232, min = 240 - 232 = 8. step = (232 - 8) // 3 = 224 // 3 = 74.
    // B = 232, 158, 84, 10; sum 484 > 4 * 120 = 480.
    const auto plan = pyramid_budgets(4, 128, 8, 240, 20.0);
    EXPECT_EQ(plan.regime, PyramidPlan::Pyramid);
    EXPECT_EQ(plan.per_layer, (V{232, 158, 84, 10}));
    EXPECT_EQ(sum(plan.per_layer), 484);
}

TEST(PyramidKv, ThreeRegimes) {
    // C = 128, w = 8: None for n < 128, Uniform (C - w = 120) for 128 <= n < 240, then Pyramid.
    const auto none = pyramid_budgets(4, 128, 8, 127, 20.0);
    EXPECT_EQ(none.regime, PyramidPlan::None);
    EXPECT_EQ(none.per_layer, (V{119, 119, 119, 119}));  // everything kept: n - w selectable
    const auto lo = pyramid_budgets(4, 128, 8, 128, 20.0);
    EXPECT_EQ(lo.regime, PyramidPlan::Uniform);
    EXPECT_EQ(lo.per_layer, (V{120, 120, 120, 120}));
    const auto hi = pyramid_budgets(4, 128, 8, 239, 20.0);
    EXPECT_EQ(hi.regime, PyramidPlan::Uniform);
    EXPECT_EQ(hi.per_layer, (V{120, 120, 120, 120}));
    EXPECT_EQ(pyramid_budgets(4, 128, 8, 240, 20.0).regime, PyramidPlan::Pyramid);
    // Qualified through the enum name as well.
    EXPECT_EQ(none.regime, PyramidPlan::Regime::None);
}

TEST(PyramidKv, RejectsWhatKvfCannotRun) {
    EXPECT_THROW(pyramid_budgets(1, 128, 8, 4000, 20.0), std::invalid_argument);
    EXPECT_THROW(pyramid_budgets(32, 8, 8, 4000, 20.0), std::invalid_argument);
}

// ---- CAKE ---------------------------------------------------------------------------------------

TEST(CakeAdjustBudgets, ClipSpreadWithoutRecheckThenForceToTotal) {
    // raw {51.9, 10.9, 3.9, 0.3}, T = 67, cap P = 20.
    // 1. truncate: {51, 10, 3, 0}, sum 64.
    // 2. clip to 20: {20, 10, 3, 0}, excess 31. Below the cap: layers 1, 2, 3 (3 layers):
    //    share 31 / 3 = 10, remainder 1 -> layer 1 gets 11: {20, 21, 13, 10}. Layer 1 is now
    //    above the cap; the reference does not re-check. Sum 64.
    // 3. force to T: short by 3. Below the cap now: layers 2, 3 (layer 1 is above it):
    //    share 3 / 2 = 1, remainder 1 -> layer 2 gets 2, layer 3 gets 1: {20, 21, 15, 11} = 67.
    const auto b = cake_adjust_budgets({51.9, 10.9, 3.9, 0.3}, 67, 20);
    EXPECT_EQ(b, (V{20, 21, 15, 11}));
    EXPECT_EQ(sum(b), 67);
}

TEST(CakeAdjustBudgets, SurplusComesOffLayersAboveOne) {
    // raw {10, 5, 1, 1}, T = 14, cap 100: no clipping; over by 3. Layers with budget > 1: 0, 1:
    // share 3 / 2 = 1, remainder 1 -> layer 0 loses 2, layer 1 loses 1: {8, 4, 1, 1}.
    EXPECT_EQ(cake_adjust_budgets({10.0, 5.0, 1.0, 1.0}, 14, 100), (V{8, 4, 1, 1}));
    // No floor re-check either: raw {3, 2}, T = 1: over by 4, both > 1, share 2 -> {1, 0}.
    EXPECT_EQ(cake_adjust_budgets({3.0, 2.0}, 1, 100), (V{1, 0}));
}

TEST(CakeAdjustBudgets, NoEligibleLayerLeavesTheSumShort) {
    // raw {30, 30}, T = 60, cap 20: clip to {20, 20}, excess 20 but no layer below the cap, so it
    // is dropped; the force step finds no layer below the cap either: total 40 < T.
    EXPECT_EQ(cake_adjust_budgets({30.0, 30.0}, 60, 20), (V{20, 20}));
    // Truncation only, already at T.
    EXPECT_EQ(cake_adjust_budgets({2.0, 3.0}, 5, 10), (V{2, 3}));
    EXPECT_THROW(cake_adjust_budgets({NAN, 1.0}, 5, 10), std::invalid_argument);
}

TEST(Cake, SkipRuleAndPreference) {
    // n <= C + w: 1024 + 32 = 1056.
    EXPECT_TRUE(cake_skips(1056, 1024, 32));
    EXPECT_FALSE(cake_skips(1057, 1024, 32));
    EXPECT_TRUE(cake_skips(1040, 1024, 32));  // above C but not above C + w
    // 4^(1/2) * 9^(1/2) = 2 * 3 = 6; with (1, 1): 4 * 9 = 36.
    EXPECT_DOUBLE_EQ(cake_preference(4.0, 9.0, 2.0, 2.0), 6.0);
    EXPECT_DOUBLE_EQ(cake_preference(4.0, 9.0, 1.0, 1.0), 36.0);
    // 8^(1/3) * 16^(1/4) = 2 * 2 = 4 (exponents 1/tau).
    EXPECT_NEAR(cake_preference(8.0, 16.0, 3.0, 4.0), 4.0, 1e-12);
}

TEST(Cake, TauTable) {
    using P = std::pair<double, double>;
    EXPECT_EQ(cake_tau("llama2-7b-chat-4k", 128), (P{0.9, 2.3}));
    EXPECT_EQ(cake_tau("llama2-7b-chat-4k", 1024), (P{1.9, 1.8}));
    EXPECT_EQ(cake_tau("llama2-13b-chat-4k", 128), (P{1.8, 2.0}));
    EXPECT_EQ(cake_tau("llama2-13b-chat-4k", 1024), (P{0.5, 0.4}));
    EXPECT_EQ(cake_tau("llama3.1-8b-128k", 128), (P{1.6, 0.6}));
    EXPECT_EQ(cake_tau("llama3.1-8b-128k", 1024), (P{1.6, 0.4}));
    EXPECT_EQ(cake_tau("mistral-0.3-7b-32k", 128), (P{1.0, 0.8}));
    EXPECT_EQ(cake_tau("mistral-0.3-7b-32k", 1024), (P{0.8, 0.5}));
    EXPECT_EQ(cake_tau("qwen2.5-7b-instruct", 128), (P{0.4, 0.6}));
    EXPECT_EQ(cake_tau("qwen2.5-7b-instruct", 1024), (P{1.5, 0.6}));
    // Untuned C or unknown key: nullopt, the caller falls back to (1, 1).
    EXPECT_FALSE(cake_tau("llama2-7b-chat-4k", 256).has_value());
    EXPECT_FALSE(cake_tau("llama2-7b-chat-4k", 2048).has_value());
    EXPECT_FALSE(cake_tau("opt-13b", 128).has_value());
}

TEST(Cake, HaceDefaultTau) {
    using P = std::pair<double, double>;
    // sqrt(128 * 1024) = 362.04: 362^2 = 131044 < 131072 -> 128's values; 363^2 = 131769.
    EXPECT_EQ(hace_default_tau("llama2-7b", 64), (P{0.9, 2.3}));
    EXPECT_EQ(hace_default_tau("llama2-7b", 362), (P{0.9, 2.3}));
    EXPECT_EQ(hace_default_tau("llama2-7b", 363), (P{1.9, 1.8}));
    EXPECT_EQ(hace_default_tau("llama2-7b", 2048), (P{1.9, 1.8}));
    // Mistral v0.2 starts from CAKE's v0.3 values.
    EXPECT_EQ(hace_default_tau("mistral-7b", 128), (P{1.0, 0.8}));
    EXPECT_EQ(hace_default_tau("mistral-7b", 1024), (P{0.8, 0.5}));
    EXPECT_EQ(hace_default_tau("opt-13b", 1024), (P{1.0, 1.0}));
    EXPECT_EQ(hace_default_tau("qwen-14b", 128), (P{1.0, 1.0}));
    EXPECT_EQ(hace_default_tau("something-else", 128), (P{1.0, 1.0}));
}

// ---- HeadKV -------------------------------------------------------------------------------------

TEST(HeadKv, OfficialFormulaWithTiesToEven) {
    // C = 128, w = 8 -> B = 120; beta 1.01: p = 120 // 1.01 = 118.0 (120 / 1.01 = 118.81),
    // m = 2. L = H = 2: pool = 118 * 2 * 2 = 472. Dyadic scores make s * 472 exact:
    //   0.0625 * 472 = 29.5 -> 31.5 -> 32 (even),  0.1875 * 472 = 88.5 -> 90.5 -> 90 (even),
    //   0.25 * 472 = 118 -> 120,                    0.5 * 472 = 236 -> 238.
    // Sum 480 = 4 * 120: the two ties round in opposite directions.
    const M b = headkv_budgets({{0.0625, 0.1875}, {0.25, 0.5}}, 120, 1.01);
    EXPECT_EQ(b, (M{{32, 90}, {120, 238}}));
    // Two ties rounding up: 0.0625 twice -> 32, 32; 0.375 * 472 = 177 -> 179; 0.5 -> 238.
    // Sum 481 != 480: the rounding quirk is kept.
    const M q = headkv_budgets({{0.0625, 0.0625}, {0.375, 0.5}}, 120, 1.01);
    EXPECT_EQ(q, (M{{32, 32}, {179, 238}}));
    // Zero score still gets the floor m; large beta keeps p small: 120 // 20 = 6, m = 114,
    // L = 1, H = 3: pool = 6 * 1 * 3 = 18. 0 -> 114; 0.25 * 18 = 4.5 -> 118.5 -> 118 (even);
    // 0.75 * 18 = 13.5 -> 127.5 -> 128 (even). Sum 360 = 3 * 120.
    EXPECT_EQ(headkv_budgets({{0.0, 0.25, 0.75}}, 120, 20.0), (M{{114, 118, 128}}));
}

TEST(HeadKv, KvfUsesCapacityInsteadOfBudget) {
    // KVF: the formula on C = 128: p = 128 // 1.01 = 126.0, m = 2, pool = 126 * 4 = 504.
    //   0.0625 * 504 = 31.5 -> 33.5 -> 34,  0.1875 * 504 = 94.5 -> 96.5 -> 96,
    //   0.25 * 504 = 126 -> 128,            0.5 * 504 = 252 -> 254.
    // Each head then stores b + w (w = 8 more than the nominal C per head on average).
    const M b = headkv_budgets_kvf({{0.0625, 0.1875}, {0.25, 0.5}}, 128, 1.01);
    EXPECT_EQ(b, (M{{34, 96}, {128, 254}}));
    std::int64_t total = 0;
    for (const auto& row : b) total += sum(row);
    EXPECT_EQ(total, 4 * 128);
}

TEST(HeadKv, RejectsBadInput) {
    EXPECT_THROW(headkv_budgets({{0.5}, {0.25, 0.25}}, 120, 1.01), std::invalid_argument);
    EXPECT_THROW(headkv_budgets({}, 120, 1.01), std::invalid_argument);
    EXPECT_THROW(headkv_budgets({{1.0}}, 120, 0.0), std::invalid_argument);
}

// ---- AdaKV --------------------------------------------------------------------------------------

TEST(AdaKv, NormalisationChangesTheCounts) {
    // H = 2, P = 6, B = 3, alpha = 0.5: floor = int(3 * 0.5) = 1, b_h = round(0.5 c_h + 1).
    // Head 0 is flat (0.3 x 6), head 1 peaked {0.5, 0.2, 0.2, 0, 0, 0}. Global top H*B = 6.
    const std::vector<std::vector<float>> s = {{0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f},
                                               {0.5f, 0.2f, 0.2f, 0.0f, 0.0f, 0.0f}};
    // Off: 0.5 (head 1), then five 0.3 of head 0 (positions 0-4) -> c = (5, 1).
    //   b = (round(3.5), round(1.5)) = (4, 2); sum 6.
    EXPECT_EQ(adakv_split(s, 3, 0.5, false), (V{4, 2}));
    // On: rho_0 = 0.9 / 1.8 = 0.5 -> 0.15 each; rho_1 = 0.9 / 0.9 = 1. Top 6: 0.5, 0.2, 0.2 of
    // head 1, then three 0.15 of head 0 -> c = (3, 3). b = (round(2.5), round(2.5)) = (2, 2):
    // ties to even, and the sum 4 != H*B = 6 (the reference's rounding quirk, kept).
    EXPECT_EQ(adakv_split(s, 3, 0.5, true), (V{2, 2}));
}

TEST(AdaKv, FloorAndKnownCounts) {
    // H = 3, P = 4, B = 2, alpha = 0.5: floor = 1. Head 0 holds the 3 best, head 1 the next 3.
    // c = (3, 3, 0): b = (round(2.5), round(2.5), round(1)) = (2, 2, 1), sum 5 != 6.
    const std::vector<std::vector<float>> s = {
        {0.9f, 0.8f, 0.7f, 0.0f}, {0.6f, 0.5f, 0.4f, 0.0f}, {0.1f, 0.1f, 0.1f, 0.1f}};
    const auto b = adakv_split(s, 2, 0.5, false);
    EXPECT_EQ(b, (V{2, 2, 1}));
    EXPECT_EQ(sum(b), 5);
    // alpha = 0.2, P = 10, H = 2, head 0 all 1.0, head 1 all 0.5.
    // B = 10: the 20 picks are every entry, c = (10, 10), floor = int(10 * 0.2) = 2,
    //   b = round(0.8 * 10 + 2) = 10 each.
    const std::vector<std::vector<float>> full = {std::vector<float>(10, 1.0f),
                                                  std::vector<float>(10, 0.5f)};
    EXPECT_EQ(adakv_split(full, 10, 0.2, false), (V{10, 10}));
    // B = 5: the 10 picks are head 0's, c = (10, 0), floor = int(5 * 0.2) = 1,
    //   b = (round(0.8 * 10 + 1), round(0 + 1)) = (9, 1); float32 0.8f * 10 rounds to 8.0.
    EXPECT_EQ(adakv_split(full, 5, 0.2, false), (V{9, 1}));
}

TEST(AdaKv, TieBreaks) {
    // alpha = 0: b_h = c_h. H = 2, B = 1: two picks.
    // Equal scores at different positions: the smaller position wins (head 1, position 0).
    EXPECT_EQ(adakv_split({{0.5f, 0.4f}, {0.4f, 0.1f}}, 1, 0.0, false), (V{1, 1}));
    // Equal scores at the same position: the lower head wins.
    EXPECT_EQ(adakv_split({{0.5f, 0.4f}, {0.1f, 0.4f}}, 1, 0.0, false), (V{2, 0}));
}

TEST(AdaKv, BudgetAbovePromptKeepsEverything) {
    // B = 5 > P = 4: not compressed, every head reports P.
    EXPECT_EQ(adakv_split({{0.1f, 0.2f, 0.3f, 0.4f}, {0.0f, 0.0f, 0.0f, 1.0f}}, 5, 0.2, true),
              (V{4, 4}));
    // B == P compresses (KVF/ADA test B > P): c = (4, 4), floor int(4 * 0.2) = 0,
    // b = round(0.8 * 4) = round(3.2) = 3 each.
    EXPECT_EQ(adakv_split({{0.1f, 0.2f, 0.3f, 0.4f}, {0.0f, 0.0f, 0.0f, 1.0f}}, 4, 0.2, false),
              (V{3, 3}));
    EXPECT_THROW(adakv_split({{0.1f}, {0.1f, 0.2f}}, 1, 0.2, false), std::invalid_argument);
    EXPECT_THROW(adakv_split({{0.1f}}, 1, 1.5, false), std::invalid_argument);
}

// ---- Retention ratio -> capacity ----------------------------------------------------------------

TEST(Retention, KvfRoundsHalfToEven) {
    EXPECT_EQ(kvf_capacity_from_ratio(0.005, 4096), 20);     // 20.48
    EXPECT_EQ(kvf_capacity_from_ratio(0.008, 4096), 33);     // 32.768
    EXPECT_EQ(kvf_capacity_from_ratio(0.05, 16384), 819);    // 819.2
    EXPECT_EQ(kvf_capacity_from_ratio(0.01, 131072), 1311);  // 1310.72
    EXPECT_EQ(kvf_capacity_from_ratio(0.5, 5), 2);           // 2.5 -> even
    EXPECT_EQ(kvf_capacity_from_ratio(0.5, 7), 4);           // 3.5 -> even
    EXPECT_EQ(kvf_capacity_from_ratio(0.001, 100), 0);       // 0.1: C can be 0
}

TEST(Retention, KvpressTruncates) {
    EXPECT_EQ(kvpress_kept(0.5, 5), 2);    // 2.5
    EXPECT_EQ(kvpress_kept(0.25, 10), 7);  // 7.5
    EXPECT_EQ(kvpress_kept(0.0, 10), 10);
    // 1 - 0.9 = 0.09999999999999998 in float64, times 10 = 0.9999999999999998 -> 0 (Python
    // int(10 * (1 - 0.9)) is 0 as well).
    EXPECT_EQ(kvpress_kept(0.9, 10), 0);
}

}  // namespace
}  // namespace hace::kv::faithful
