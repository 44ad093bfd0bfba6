// Token scorers (ALGORITHMS.md sections 0.3, 5.1, 13.4, 16.1 and the scorer methods of the method
// table): how the selectable prompt positions of one head are ranked. Any scorer works under any
// allocator of the lattice (`--selector`); the allocator decides how many entries each head
// keeps, the scorer which ones. One file each under engine/kv/scorers/, one row in scorers.cpp.
// Internal (ATen).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "engine/kv/ragged_store.h"
#include "engine/kv/window_stats.h"

namespace hace::kv {

struct CompressionConfig;

struct ScorerInput {
    const at::Tensor& q;  // [Hq, n, d] rotated queries of the prompt
    const at::Tensor& k;  // [Hkv, n, d] rotated keys, as cached
    const at::Tensor& v;  // [Hkv, n, d]
    double scale = 1.0;
    std::int64_t sliding_window = 0;
    std::int64_t w_keep = 0;      // protected recent positions: j < n - w_keep are scored
    bool per_query_head = false;  // scores per query head ([Hq][P]) instead of per KV head
    bool with_entropy = false;    // the allocator needs E_l (CAKE's preference)
    std::int64_t layer = 0;
    const CompressionConfig& cfg;
};

class TokenScorer {
public:
    virtual ~TokenScorer() = default;
    // Scores [segments][P] (higher = keep). Window-attention scorers also fill the layer's
    // entropy and temporal variance; others leave them NaN (the lattice computes them for CAKE's
    // preference when needed).
    virtual WindowStats score(const ScorerInput& in) const = 0;
    // True when entropy/variance come with score() (observation-window attention).
    virtual bool window_statistics() const { return false; }
    // Decode-time eviction: the scorer ranks a segment's candidates from one step's attention
    // probabilities (the first `cand` entries of each row of probs); false for one-shot scorers.
    virtual bool evicts_while_decoding() const { return false; }
    virtual std::vector<float> decode_scores(const StepProbs& probs, std::int64_t cand) const;
};

// The scorer a configuration's selector names (scorers.cpp dispatches on the scorer table).
std::unique_ptr<TokenScorer> make_token_scorer(const CompressionConfig& cfg);

}  // namespace hace::kv
