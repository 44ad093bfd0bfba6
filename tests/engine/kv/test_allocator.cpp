// The lattice allocator: invariants for every rule pair and the exact reductions of section 13.
#include <numeric>

#include <gtest/gtest.h>

#include "engine/kv/allocator.h"

namespace hace::kv {
namespace {

AllocationInput base_input() {
    AllocationInput in;
    in.layers = 4;
    in.heads = 3;
    in.budget = 20;
    in.selectable = 100;
    in.preferences = {4.0, 1.0, 2.0, 0.5};
    in.head_scores = {{0.05, 0.10, 0.05}, {0.20, 0.02, 0.03}, {0.10, 0.10, 0.10}, {0.0, 0.2, 0.05}};
    for (std::int64_t l = 0; l < in.layers; ++l) {
        std::vector<std::vector<float>> layer;
        for (std::int64_t h = 0; h < in.heads; ++h) {
            std::vector<float> s(static_cast<std::size_t>(in.selectable));
            for (std::size_t j = 0; j < s.size(); ++j) {
                s[j] = static_cast<float>(((j * 37 + static_cast<std::size_t>(h * 11 + l)) % 101)) /
                       (1.0f + static_cast<float>(h));
            }
            layer.push_back(std::move(s));
        }
        in.ada_scores.push_back(std::move(layer));
    }
    return in;
}

TEST(Allocator, EveryRulePairSpendsExactlyTheTotalWithinCaps) {
    const auto in = base_input();
    const std::int64_t total = in.layers * in.heads * in.budget;
    for (auto lr : {LayerRule::Uniform, LayerRule::Pyramid, LayerRule::Cake,
                    LayerRule::HeadkvImplied}) {
        for (auto hr : {HeadRule::Uniform, HeadRule::HeadkvSplit, HeadRule::AdaSplit}) {
            const auto a = allocate(lr, hr, in);
            const std::string what =
                std::string(layer_rule_name(lr)) + "/" + std::string(head_rule_name(hr));
            ASSERT_TRUE(a.compressed) << what;
            EXPECT_EQ(std::accumulate(a.layer_total.begin(), a.layer_total.end(), std::int64_t{0}),
                      total)
                << what;
            for (std::size_t l = 0; l < a.heads.size(); ++l) {
                EXPECT_EQ(std::accumulate(a.heads[l].begin(), a.heads[l].end(), std::int64_t{0}),
                          a.layer_total[l])
                    << what << " layer " << l;
                for (auto b : a.heads[l]) {
                    EXPECT_GE(b, 0);
                    EXPECT_LE(b, in.selectable);
                }
            }
        }
    }
}

TEST(Allocator, SnapKvIsUniform) {
    const auto a = allocate(LayerRule::Uniform, HeadRule::Uniform, base_input());
    for (const auto& layer : a.heads) {
        for (auto b : layer) EXPECT_EQ(b, 20);
    }
}

TEST(Allocator, HaceWithUniformPreferencesSplitsLikeHaceHeadOnlyWithinALayer) {
    // Section 13.4: with equal layer preferences CAKE's Stage 1 is uniform, so HACE's split of a
    // layer equals HEADKV_SPLIT of the same layer total.
    auto in = base_input();
    in.preferences = {1.0, 1.0, 1.0, 1.0};
    const auto hace = allocate(LayerRule::Cake, HeadRule::HeadkvSplit, in);
    const auto uniform_split = allocate(LayerRule::Uniform, HeadRule::HeadkvSplit, in);
    EXPECT_EQ(hace.heads, uniform_split.heads);
    EXPECT_EQ(hace.layer_total, (std::vector<std::int64_t>{60, 60, 60, 60}));
}

TEST(Allocator, CakeLayerTotalsFollowPreferences) {
    // T = 240, prefs 4:1:2:0.5 -> 128, 32, 64, 16 exactly.
    const auto a = allocate(LayerRule::Cake, HeadRule::Uniform, base_input());
    EXPECT_EQ(a.layer_total, (std::vector<std::int64_t>{128, 32, 64, 16}));
    // Uniform split of 32 over 3 heads: 11, 11, 10 (largest remainder, lower index first).
    EXPECT_EQ(a.heads[1], (std::vector<std::int64_t>{11, 11, 10}));
}

TEST(Allocator, CapsWaterFillAcrossLayers) {
    auto in = base_input();
    in.selectable = 30;  // layer cap H*P = 90 < CAKE's raw 128 for layer 0
    const auto a = allocate(LayerRule::Cake, HeadRule::Uniform, in);
    EXPECT_EQ(std::accumulate(a.layer_total.begin(), a.layer_total.end(), std::int64_t{0}), 240);
    EXPECT_EQ(a.layer_total[0], 90);
    for (auto t : a.layer_total) EXPECT_LE(t, 90);
}

TEST(Allocator, CascadePrefixPlacesWhatFits) {
    auto in = base_input();
    in.preferences = {4.0};  // only layer 0 seen so far: it keeps all it can hold
    const auto a = allocate(LayerRule::Cake, HeadRule::Uniform, in);
    ASSERT_EQ(a.layer_total.size(), 1u);
    EXPECT_EQ(a.layer_total[0], std::min<std::int64_t>(240, 3 * 100));
}

TEST(Allocator, NothingIsCompressedWhenTheBudgetCoversThePrompt) {
    auto in = base_input();
    in.selectable = 15;  // B = 20 >= P
    const auto a = allocate(LayerRule::Pyramid, HeadRule::Uniform, in);
    EXPECT_FALSE(a.compressed);
    for (const auto& layer : a.heads) {
        for (auto b : layer) EXPECT_EQ(b, 15);
    }
}

TEST(Allocator, HeadkvFloorKeepsEveryHeadAlive) {
    auto in = base_input();
    in.headkv_beta = 2.0;  // p = 10, m = 10: every head keeps at least 10
    const auto a = allocate(LayerRule::HeadkvImplied, HeadRule::HeadkvSplit, in);
    for (const auto& layer : a.heads) {
        for (auto b : layer) EXPECT_GE(b, 10);
    }
}

}  // namespace
}  // namespace hace::kv
