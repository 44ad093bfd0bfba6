// Decode-time eviction step by step on a hand-made one-head cache (ALGORITHMS.md sections 5.4,
// 6.1, 6.2): which positions each method keeps after every generated token, derived by hand in
// the comments, for prompts the prefill did not compress (n <= C, and CAKE's C < n <= C + w).
#include <cmath>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/kv/compressed_kv_cache.h"
#include "engine/kv/methods.h"

namespace hace::kv {
namespace {

constexpr std::int64_t kDim = 16;  // head_dim; also the most positions a test can observe

// One layer, one KV head, one query head, scale 1. Position p's key is (ln u[p], 0, ..., 0) and
// every decode query is e0, so a decode query gives a stored entry the attention
// u[p] / (sum of u over the stored entries). Prefill queries are 0: prompt row i attends
// uniformly to positions 0..i. Values are one-hot in their position, so component p of a decode
// step's output is > 0 exactly when the cache holds position p at that step (before the step's
// own eviction, which follows the attention).
class TinyCache {
public:
    TinyCache(const CompressionConfig& cfg, std::vector<double> u) : u_(std::move(u)) {
        model::CacheShape shape;
        shape.n_layers = 1;
        shape.n_kv_heads = 1;
        shape.head_dim = kDim;
        shape.capacity = kDim;
        model::AttentionSpec spec;
        spec.scale = 1.0;
        cache_ = make_compressed_cache(shape, spec, cfg);
    }

    void prefill(std::int64_t n) {
        const at::Tensor q = at::zeros({1, n, kDim});
        cache_->attend(0, q, keys(0, n), values(0, n));
        cache_->advance(n);
    }

    // Generates the next position; returns the positions its query attended to.
    std::vector<std::int64_t> step() {
        const std::int64_t p = cache_->length();
        at::Tensor q = at::zeros({1, 1, kDim});
        q[0][0][0] = 1.0f;
        const at::Tensor out = cache_->attend(0, q, keys(p, p + 1), values(p, p + 1)).contiguous();
        cache_->advance(1);
        std::vector<std::int64_t> seen;
        for (std::int64_t c = 0; c < kDim; ++c) {
            if (out[0][c].item<float>() > 0.0f) seen.push_back(c);
        }
        return seen;
    }

    std::int64_t stored() const { return cache_->stats().kept_entries; }
    const model::CompressionReport& report() const { return *cache_->report(); }

private:
    at::Tensor keys(std::int64_t from, std::int64_t to) const {
        at::Tensor k = at::zeros({1, to - from, kDim});
        for (std::int64_t p = from; p < to; ++p) {
            k[0][p - from][0] = static_cast<float>(std::log(u_[static_cast<std::size_t>(p)]));
        }
        return k;
    }
    static at::Tensor values(std::int64_t from, std::int64_t to) {
        at::Tensor v = at::zeros({1, to - from, kDim});
        for (std::int64_t p = from; p < to; ++p) v[0][p - from][p] = 1.0f;
        return v;
    }

    std::vector<double> u_;
    std::unique_ptr<model::KvCache> cache_;
};

using Positions = std::vector<std::int64_t>;

CompressionConfig cake(const std::string& mode, std::int64_t c) {
    CompressionConfig cfg;
    cfg.method = "cake";
    cfg.mode = mode;
    cfg.selector = sel_cake();  // avg pool 5
    cfg.selector.window = 2;    // w = 2; equal mode: w_keep = min(2, C / 2) = 2 as well
    cfg.capacity = c;
    return cfg;
}

// Attention weights u of positions 0..15 for the CAKE cases.
const std::vector<double> kCakeU = {3, 9, 7, 6, 8, 1, 8, 1, 5, 7, 1, 1, 1, 1, 1, 1};

// CAKE, C = 7, w = 2, n = C = 7: nothing is compressed at prefill; the cache fills to C and
// from then on keeps the top C - w = 5 of all but the newest 2 entries after every step.
// Step 1 appends 7 (8 entries > 7): candidates 0..5, u = 3 9 7 6 8 1; avg pool 5 with zero
// padding, in units of 1/(5 Z): 0: 3+9+7 = 19, 1: +6 = 25, 2: +8 = 33, 3: 9+7+6+8+1 = 31,
// 4: 7+6+8+1 = 22, 5: 6+8+1 = 15. Position 5 goes.
// Step 2 appends 8; the candidates are rows 0..5 of [0 1 2 3 4 6 | 7 8] (position order),
// u = 3 9 7 6 8 8: 0: 19, 1: 25, 2: 33, 3: 9+7+6+8+8 = 38, 4: 7+6+8+8 = 29, 6: 6+8+8 = 22.
// Position 0 goes.
TEST(DecodeEviction, CakeShortPromptFillsToCapacityThenEvictsOnePerStep) {
    TinyCache t(cake("equal", 7), kCakeU);
    t.prefill(7);
    EXPECT_FALSE(t.report().compressed);
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 5, 6, 7}));  // attends first, then evicts
    EXPECT_EQ(t.stored(), 7);
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 6, 7, 8}));
    EXPECT_EQ(t.step(), (Positions{1, 2, 3, 4, 6, 7, 8, 9}));
    EXPECT_EQ(t.stored(), 7);
}

// Faithful CAKE keeps the reference's topk order, so from its second eviction on the pooling
// smooths over score-rank neighbours (same C = 7, w = 2, n = 7 and u as above). Step 1 matches
// equal mode (candidates 0..5 still in position order): 5 goes, and the reference gathers the
// survivors by score: 2 (33), 3 (31), 1 (25), 4 (22), 0 (19), i.e. rows [2 3 1 4 0 | 6 7].
// Step 2 appends 8: candidates [2 3 1 4 0 6] with u = 7 6 9 8 3 8 pool to 2: 7+6+9 = 22,
// 3: 7+6+9+8 = 30, 1: 7+6+9+8+3 = 33, 4: 6+9+8+3+8 = 34, 0: 9+8+3+8 = 28, 6: 8+3+8 = 19:
// position 6 goes (equal mode drops 0 here), rows [4 1 3 0 2 | 7 8].
// Step 3 appends 9: candidates [4 1 3 0 2 7], u = 8 9 6 3 7 1: 4: 23, 1: 26, 3: 33, 0: 26,
// 2: 6+3+7+1 = 17, 7: 3+7+1 = 11: position 7 goes.
TEST(DecodeEviction, FaithfulCakePoolsOverScoreRankNeighbours) {
    TinyCache t(cake("faithful", 7), kCakeU);
    t.prefill(7);
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 5, 6, 7}));
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 6, 7, 8}));
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 7, 8, 9}));
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 8, 9, 10}));
    EXPECT_EQ(t.stored(), 7);
}

// A prompt CAKE compresses at prefill (n = 10 > C + w = 9; C = 7, w = 2, one layer: B = 5) with
// zero prefill queries: window rows 8 and 9 attend uniformly (1/9 and 1/10) to every prefix
// column, so all 8 selectable positions score alike and the zero-padded avg pool 5 leaves
// 0: 3/5, 1: 4/5, 2..5: 1, 6: 4/5, 7: 3/5 of that score. Top 5, ties to the smaller position:
// 2, 3, 4, 5, then 1 (over 6). Both modes keep {1 2 3 4 5 8 9} and report it ascending; faithful
// mode stores it as the reference's topk gathers it: [2 3 4 5 1 | 8 9].
// Step 1 appends 10, u = 9 7 4 6 1 5 3 6 9 2 4: faithful candidates [2 3 4 5 1 8], u = 4 6 1 5
// 7 9, pool to 2: 11, 3: 16, 4: 23, 5: 28, 1: 22, 8: 21: position 2 goes. Equal mode, over
// [1 2 3 4 5 8] with u = 7 4 6 1 5 9: 1: 17, 2: 18, 3: 23, 4: 25, 5: 21, 8: 15: position 8 goes.
TEST(DecodeEviction, FaithfulCakeStoresItsPrefillSelectionInScoreOrder) {
    const std::vector<double> u = {9, 7, 4, 6, 1, 5, 3, 6, 9, 2, 4, 5, 1, 1, 1, 1};
    for (const std::string mode : {"faithful", "equal"}) {
        TinyCache t(cake(mode, 7), u);
        t.prefill(10);
        ASSERT_TRUE(t.report().compressed) << mode;
        EXPECT_EQ(t.report().layers[0].heads[0].kept, (Positions{1, 2, 3, 4, 5, 8, 9})) << mode;
        EXPECT_EQ(t.step(), (Positions{1, 2, 3, 4, 5, 8, 9, 10})) << mode;
        const Positions after = mode == "faithful" ? Positions{1, 3, 4, 5, 8, 9, 10, 11}
                                                   : Positions{1, 2, 3, 4, 5, 9, 10, 11};
        EXPECT_EQ(t.step(), after) << mode;
    }
}

// A shorter prompt grows to C first: n = 5, C = 7: steps 1 and 2 only append (6, 7 entries).
TEST(DecodeEviction, CakeShortPromptGrowsUntilItReachesCapacity) {
    for (const std::string mode : {"equal", "faithful"}) {
        TinyCache t(cake(mode, 7), kCakeU);
        t.prefill(5);
        t.step();
        t.step();
        EXPECT_EQ(t.stored(), 7) << mode;
        // Step 3 appends 7 (8 entries): candidates 0..5 score as in the case above; 5 goes.
        EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 5, 6, 7})) << mode;
        EXPECT_EQ(t.stored(), 7) << mode;
        EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 6, 7, 8})) << mode;
    }
}

// Faithful CAKE skips the prefill up to n = C + w (here C = 7, w = 2, n = 9) and then compresses
// everything at decode step 1, as the reference's decoding evictor does (hh_size = C - w = 5).
// Step 1 appends 9 (10 entries): candidates 0..7, u = 3 9 7 6 8 1 8 1; pooled (units of
// 1/(5 Z)): 0: 19, 1: 25, 2: 33, 3: 31, 4: 7+6+8+1+8 = 30, 5: 6+8+1+8+1 = 24, 6: 8+1+8+1 = 18,
// 7: 1+8+1 = 10. The top 5 are 2, 3, 4, 1, 5: positions 0, 6 and 7 go at once.
TEST(DecodeEviction, FaithfulCakeCompressesAShortPromptAtTheFirstStep) {
    TinyCache t(cake("faithful", 7), kCakeU);
    t.prefill(9);
    EXPECT_FALSE(t.report().compressed);
    EXPECT_EQ(t.stored(), 9);
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    EXPECT_EQ(t.stored(), 7);
    EXPECT_EQ(t.step(), (Positions{1, 2, 3, 4, 5, 8, 9, 10}));
    EXPECT_EQ(t.stored(), 7);
}

// H2O, C = 6, recent 2 (heavy 4), n = 5: the prompt fits. Each entry's score starts at its prompt
// column sum (uniform causal rows: position j gets sum_{i=j..4} 1/(i+1)): 0: 137/60 = 2.283,
// 1: 1.283, 2: 0.783, 3: 0.45, 4: 0.2; then every decode query adds its attention u / Z with
// u = 1 everywhere but u[4] = 20.
// Step 1 appends 5 (6 entries, Z = 25): +0.04 each, +0.8 to position 4; nothing goes.
// Step 2 appends 6 (7 > 6, Z = 26): +0.0385 each, +0.769 to 4. Scores of the candidates 0..4
// (all but the newest 2): 2.362, 1.362, 0.862, 0.528, 1.769: position 3 goes (position 4, the
// weakest prompt column, survives on its decode attention).
// Step 3 appends 7 (Z = 26 again): candidates 0, 1, 2, 4, 5 score 2.40, 1.40, 0.90, 2.54 and
// 0.04 + 0.0385 + 0.0385 = 0.117: position 5 goes.
TEST(DecodeEviction, H2oShortPromptEvictsOnceTheCachePassesCapacity) {
    CompressionConfig cfg;
    cfg.method = "h2o";
    cfg.capacity = 6;
    cfg.recent = 2;
    std::vector<double> u(kDim, 1.0);
    u[4] = 20.0;
    TinyCache t(cfg, u);
    t.prefill(5);
    EXPECT_FALSE(t.report().compressed);
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(t.stored(), 6);
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(t.stored(), 6);
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 4, 5, 6, 7}));
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 4, 6, 7, 8}));
    EXPECT_EQ(t.stored(), 6);
}

// StreamingLLM, C = 6 with 2 sinks (recent 4), n = 3: the cache grows to 6 (steps 1-3), then
// each step drops the oldest entry after the sinks: 2 at step 4, 3 at step 5. (The recent part
// is C - sinks = 4 even though the prompt had only 3 tokens.)
TEST(DecodeEviction, StreamingLlmShortPromptRollsOnceTheCachePassesCapacity) {
    CompressionConfig cfg;
    cfg.method = "streamingllm";
    cfg.capacity = 6;
    cfg.sinks = 2;
    TinyCache t(cfg, std::vector<double>(kDim, 1.0));
    t.prefill(3);
    EXPECT_FALSE(t.report().compressed);
    for (int i = 0; i < 3; ++i) t.step();
    EXPECT_EQ(t.stored(), 6);
    EXPECT_EQ(t.step(), (Positions{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(t.step(), (Positions{0, 1, 3, 4, 5, 6, 7}));
    EXPECT_EQ(t.step(), (Positions{0, 1, 4, 5, 6, 7, 8}));
    EXPECT_EQ(t.stored(), 6);
    // One-shot variant: nothing is evicted while decoding.
    cfg.decode_eviction = false;
    TinyCache once(cfg, std::vector<double>(kDim, 1.0));
    once.prefill(3);
    for (int i = 0; i < 5; ++i) once.step();
    EXPECT_EQ(once.stored(), 8);
}

// Faithful CAKE cannot evict while decoding when C <= w (the reference's hh_size C - w would be
// <= 0): refused like the prefill case, when the cache could outgrow C.
TEST(DecodeEviction, FaithfulCakeRefusesADecodeBudgetBelowTheWindow) {
    auto cfg = cake("faithful", 7);
    cfg.selector.window = 7;
    TinyCache t(cfg, kCakeU);
    EXPECT_THROW(t.prefill(5), InputError);
}

}  // namespace
}  // namespace hace::kv
