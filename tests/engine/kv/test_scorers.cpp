// The scorers added through the scorer table (random, knorm, tova, expected-attention): hand-built
// prompts whose kept set follows from each definition, run through the real compressed cache
// under the uniform allocator and under others (--selector), plus each scorer's invariants.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/kv/compressed_kv_cache.h"
#include "engine/kv/methods.h"
#include "engine/kv/scorers.h"
#include "engine/kv/token_scorer.h"

namespace hace::kv {
namespace {

constexpr std::int64_t kN = 10;  // prompt tokens
constexpr std::int64_t kD = 2;   // head_dim

model::CacheShape shape(std::int64_t layers = 1, std::int64_t kv_heads = 1,
                        std::int64_t q_heads = 2) {
    model::CacheShape s;
    s.n_layers = layers;
    s.n_kv_heads = kv_heads;
    s.n_q_heads = q_heads;
    s.head_dim = kD;
    s.capacity = 16;
    return s;
}

// C = 6 with w = 2: every head keeps the last 2 positions and B = 4 of the P = 8 selectable.
CompressionConfig config(const std::string& method, const std::string& selector = "") {
    CompressionConfig cfg;
    cfg.method = method;
    cfg.selector = selector.empty() ? default_selector(method_by_id(method), "equal")
                                    : selector_by_name(selector);
    cfg.selector.window = 2;
    cfg.capacity = 6;
    return cfg;
}

// [heads, n, d] from rows of (x, y) per position.
at::Tensor tensor(const std::vector<std::vector<std::pair<float, float>>>& heads) {
    at::Tensor t = at::zeros({static_cast<std::int64_t>(heads.size()), kN, kD});
    for (std::size_t h = 0; h < heads.size(); ++h) {
        for (std::size_t j = 0; j < heads[h].size(); ++j) {
            t[static_cast<std::int64_t>(h)][static_cast<std::int64_t>(j)][0] = heads[h][j].first;
            t[static_cast<std::int64_t>(h)][static_cast<std::int64_t>(j)][1] = heads[h][j].second;
        }
    }
    return t;
}

std::vector<std::pair<float, float>> along_x(const std::vector<float>& xs) {
    std::vector<std::pair<float, float>> out;
    for (float x : xs) out.emplace_back(x, 0.0f);
    return out;
}

struct Prefilled {
    std::unique_ptr<model::KvCache> cache;
    std::vector<std::int64_t> kept(std::int64_t l = 0, std::size_t h = 0) const {
        return cache->report()->layers[static_cast<std::size_t>(l)].heads[h].kept;
    }
};

Prefilled prefill(const CompressionConfig& cfg, const at::Tensor& q, const at::Tensor& k,
                  const at::Tensor& v, const model::CacheShape& s = shape()) {
    model::AttentionSpec spec;
    spec.scale = 1.0 / std::sqrt(static_cast<double>(kD));
    Prefilled p{make_compressed_cache(s, spec, cfg)};
    for (std::int64_t l = 0; l < s.n_layers; ++l) p.cache->attend(l, q, k, v);
    p.cache->advance(kN);
    return p;
}

// The top `b` of scores[0..P) (ties: the smaller position), ascending, then the window 8, 9.
std::vector<std::int64_t> expected_kept(const std::vector<double>& scores, std::size_t b) {
    std::vector<std::int64_t> idx(scores.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto c) { return scores[a] > scores[c]; });
    idx.resize(b);
    std::sort(idx.begin(), idx.end());
    idx.push_back(8);
    idx.push_back(9);
    return idx;
}

TEST(KnormScorer, KeepsTheKeysWithTheLowestNorm) {
    // Selectable norms 5 1 4 2 9 3 7 0.5: the four lowest are positions 7, 1, 3, 5.
    const at::Tensor k = tensor({along_x({5, 1, 4, 2, 9, 3, 7, 0.5f, 6, 8})});
    const at::Tensor q = at::randn({2, kN, kD});
    const at::Tensor v = at::randn({1, kN, kD});
    const auto p = prefill(config("knorm"), q, k, v);
    EXPECT_EQ(p.kept(), (std::vector<std::int64_t>{1, 3, 5, 7, 8, 9}));
    EXPECT_EQ(p.cache->report()->selector, "KNORM");
    // Queries play no part: other queries, the same kept set.
    EXPECT_EQ(prefill(config("knorm"), at::randn({2, kN, kD}), k, v).kept(), p.kept());
}

TEST(TovaScorer, KeepsWhatTheLastQueryAttendsToAveragedOverTheGroup) {
    // Two query heads share the KV head. Head 0's last query looks along x, head 1's along y.
    const std::vector<std::pair<float, float>> keys = {
        {0.1f, 2.0f}, {3.0f, 0.0f}, {0.2f, 0.1f}, {2.0f, 0.0f}, {0.3f, 2.5f},
        {5.0f, 0.0f}, {0.4f, 0.0f}, {4.0f, 0.2f}, {0.0f, 0.0f}, {0.0f, 0.0f}};
    std::vector<std::pair<float, float>> q0(kN, {0.0f, 0.0f}), q1(kN, {0.0f, 0.0f});
    q0[kN - 1] = {1.0f, 0.0f};
    q1[kN - 1] = {0.0f, 3.0f};
    const at::Tensor k = tensor({keys});
    const auto p = prefill(config("tova"), tensor({q0, q1}), k, at::randn({1, kN, kD}));
    // By the definition: mean over the two heads of softmax(s q_last . k_j) over all 10 keys.
    const double s = 1.0 / std::sqrt(2.0);
    std::vector<double> score(8, 0.0);
    for (const auto& [qx, qy] : {std::pair{1.0, 0.0}, std::pair{0.0, 3.0}}) {
        double z = 0.0;
        for (const auto& [kx, ky] : keys) z += std::exp(s * (qx * kx + qy * ky));
        for (std::size_t j = 0; j < 8; ++j) {
            score[j] += std::exp(s * (qx * keys[j].first + qy * keys[j].second)) / z / 2.0;
        }
    }
    const auto want = expected_kept(score, 4);
    EXPECT_EQ(p.kept(), want);
    // Neither head alone would choose this set: head 0 keeps 1 3 5 7, head 1 keeps 0 4 (and 2
    // more).
    EXPECT_NE(want, (std::vector<std::int64_t>{1, 3, 5, 7, 8, 9}));
    EXPECT_EQ(p.cache->report()->selector, "TOVA");
}

TEST(TovaScorer, DecodeScoresAreTheGroupMeanOfTheStepsAttention) {
    CompressionConfig cfg = config("tova");
    const auto scorer = make_token_scorer(cfg);
    ASSERT_TRUE(scorer->evicts_while_decoding());
    // Two query heads' rows, 4 entries stored per row, of which the first 3 are candidates.
    const float rows[] = {0.1f, 0.6f, 0.3f, 9.0f, 0.5f, 0.2f, 0.3f, 9.0f};
    const auto s = scorer->decode_scores(StepProbs{rows, 2, 4, 4}, 3);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_FLOAT_EQ(s[0], 0.3f);
    EXPECT_FLOAT_EQ(s[1], 0.4f);
    EXPECT_FLOAT_EQ(s[2], 0.3f);
}

TEST(TovaScorer, EvictsOneEntryPerStepAndHoldsTheCacheAtC) {
    const at::Tensor q = at::randn({2, kN, kD}), k = at::randn({1, kN, kD});
    const at::Tensor v = at::randn({1, kN, kD});
    for (bool evict : {true, false}) {
        CompressionConfig cfg = config("tova");
        cfg.decode_eviction = evict;
        auto p = prefill(cfg, q, k, v);
        for (int step = 0; step < 4; ++step) {
            p.cache->attend(0, at::randn({2, 1, kD}), at::randn({1, 1, kD}), at::randn({1, 1, kD}));
            p.cache->advance(1);
        }
        // C = 6 entries while evicting; one more per step when one-shot.
        EXPECT_EQ(p.cache->stats().kept_entries, evict ? 6 : 10) << evict;
    }
}

TEST(RandomScorer, DependsOnTheSeedOnlyAndKeepsEveryPositionEquallyOften) {
    const at::Tensor q = at::randn({2, kN, kD}), k = at::randn({1, kN, kD});
    const at::Tensor v = at::randn({1, kN, kD});
    CompressionConfig cfg = config("random");
    const auto first = prefill(cfg, q, k, v).kept();
    // Other queries and keys, the same seed: the same set (the scores read no tensor).
    EXPECT_EQ(prefill(cfg, at::randn({2, kN, kD}), at::randn({1, kN, kD}), v).kept(), first);
    std::vector<int> count(8, 0);
    std::set<std::vector<std::int64_t>> distinct;
    const int seeds = 2000;
    for (int seed = 0; seed < seeds; ++seed) {
        cfg.seed = static_cast<std::uint64_t>(seed);
        const auto kept = prefill(cfg, q, k, v).kept();
        ASSERT_EQ(kept.size(), 6u);
        EXPECT_EQ(kept[4], 8);
        EXPECT_EQ(kept[5], 9);
        for (std::size_t i = 0; i < 4; ++i) ++count[static_cast<std::size_t>(kept[i])];
        distinct.insert(kept);
    }
    // Each of the 8 selectable positions is kept with probability B / P = 1/2: 1000 +- 4 sd.
    for (int c : count) EXPECT_NEAR(c, seeds / 2, 4 * std::sqrt(seeds * 0.25));
    // All C(8, 4) = 70 subsets turn up.
    EXPECT_EQ(distinct.size(), 70u);
}

TEST(RandomScorer, HeadsAndLayersDrawIndependently) {
    CompressionConfig cfg = config("random");
    const auto s = shape(2, 2, 4);
    const auto p =
        prefill(cfg, at::randn({4, kN, kD}), at::randn({2, kN, kD}), at::randn({2, kN, kD}), s);
    std::set<std::vector<std::int64_t>> sets;
    for (std::int64_t l = 0; l < 2; ++l) {
        for (std::size_t h = 0; h < 2; ++h) sets.insert(p.kept(l, h));
    }
    EXPECT_GT(sets.size(), 1u);
}

TEST(ExpectedAttentionScorer, FollowsTheGaussianExpectationTimesTheValueNorm) {
    // The last w = 2 queries of head 0 are (1, 0) and (3, 0): mu = (2, 0), Sigma = diag(2, 0)
    // (unbiased). Head 1's are both (0, 1): mu = (0, 1), Sigma = 0.
    std::vector<std::pair<float, float>> q0(kN, {0.0f, 0.0f}), q1(kN, {0.0f, 0.0f});
    q0[8] = {1.0f, 0.0f};
    q0[9] = {3.0f, 0.0f};
    q1[8] = q1[9] = {0.0f, 1.0f};
    const std::vector<std::pair<float, float>> keys = {
        {1.0f, 0.0f}, {-1.0f, 2.0f}, {0.5f, 0.5f},   {2.0f, -1.0f}, {-2.0f, 0.0f},
        {0.0f, 1.5f}, {1.5f, 1.0f},  {-0.5f, -0.5f}, {0.0f, 0.0f},  {1.0f, 1.0f}};
    const std::vector<float> vnorms = {1.0f, 2.0f, 0.5f, 1.0f, 3.0f, 1.0f, 0.2f, 4.0f, 1.0f, 1.0f};
    CompressionConfig cfg = config("expected-attention");
    cfg.sinks = 0;
    const auto p = prefill(cfg, tensor({q0, q1}), tensor({keys}), tensor({along_x(vnorms)}));
    const double s = 1.0 / std::sqrt(2.0);
    const struct { double mx, my, sxx; } heads[] = {{2.0, 0.0, 2.0}, {0.0, 1.0, 0.0}};
    std::vector<double> score(8, 0.0);
    for (const auto& h : heads) {
        std::vector<double> e;
        double z = 0.0;
        for (const auto& [kx, ky] : keys) {
            e.push_back(std::exp(s * (h.mx * kx + h.my * ky) + 0.5 * s * s * h.sxx * kx * kx));
            z += e.back();
        }
        for (std::size_t j = 0; j < 8; ++j) score[j] += e[j] / z * vnorms[j] / 2.0;
    }
    EXPECT_EQ(p.kept(), expected_kept(score, 4));
    // With the default 4 sinks, positions 0-3 are kept whatever they score.
    cfg.sinks = 4;
    const auto sunk = prefill(cfg, tensor({q0, q1}), tensor({keys}), tensor({along_x(vnorms)}));
    EXPECT_EQ(sunk.kept(), (std::vector<std::int64_t>{0, 1, 2, 3, 8, 9}));
}

// Any scorer under any allocator: the budgets are the allocator's, whatever ranks the tokens.
TEST(Scorers, EveryScorerRunsUnderEveryAllocatorWithTheAllocatorsBudgets) {
    const auto s = shape(3, 2, 4);
    const at::Tensor q = at::randn({4, kN, kD}), k = at::randn({2, kN, kD});
    const at::Tensor v = at::randn({2, kN, kD});
    for (const char* method : {"snapkv", "pyramidkv", "adakv", "cake", "hace", "hace-layer"}) {
        for (const auto& scorer : scorer_rows()) {
            CompressionConfig cfg = config(method, std::string(scorer.id));
            if (needs_head_scores(method_by_id(method))) {
                cfg.head_scores = {{0.3, 0.1}, {0.2, 0.1}, {0.2, 0.1}};
            }
            const auto p = prefill(cfg, q, k, v, s);
            std::int64_t total = 0;
            for (const auto& L : p.cache->report()->layers) {
                for (const auto& h : L.heads) {
                    EXPECT_EQ(static_cast<std::int64_t>(h.kept.size()), h.budget + 2)
                        << method << " x " << scorer.id;
                    total += h.budget;
                }
            }
            // Every lattice point stores the same number of entries: L * H * B = 3 * 2 * 4.
            EXPECT_EQ(total, 24) << method << " x " << scorer.id;
        }
    }
}

TEST(Scorers, UnknownSelectorNamesTheKnownOnes) {
    try {
        selector_by_name("tova2");
        FAIL();
    } catch (const InputError& e) {
        const std::string msg = e.what();
        for (const auto& row : scorer_rows()) {
            EXPECT_NE(msg.find(std::string(row.id)), std::string::npos) << msg;
        }
    }
}

}  // namespace
}  // namespace hace::kv
