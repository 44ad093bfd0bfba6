// Observation-window attention statistics of one layer (ALGORITHMS.md sections 0.3, 5.1, 16),
// computed once per layer from the rotated queries of the last w positions and all keys, one
// KV-head group at a time (memory O(G * w * n), never n x n). Internal (ATen).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "engine/kv/selector.h"

namespace hace::kv {

struct WindowStats {
    std::int64_t prompt = 0;      // n
    std::int64_t window = 0;      // w actually used (min(w, n))
    std::int64_t selectable = 0;  // P = n - w_keep
    double entropy = 0.0;         // E_l = -sum_{h,i,j<P} A log(A + 1e-10)
    double variance = 0.0;        // V_l = sum_{h,j<P} Var_i A[h,i,j] (unbiased)
    // Selector scores per KV head over the selectable positions, pooled and group-reduced:
    // scores[g][j], j < P.
    std::vector<std::vector<float>> scores;
};

// q: [Hq, n, d] rotated queries of the whole prompt; k: [Hkv, n, d] rotated keys.
// w_keep: protected recent tokens; positions j < n - w_keep are selectable.
// per_query_head: scores per query head ([Hq][P], no group reduction), as the reference
// repositories that store per query head do (faithful mode of SnapKV, PyramidKV, HeadKV).
// sliding_window > 0: window queries see only keys j with 0 <= i - j < sliding_window, as the
// model's own attention does (Mistral).
// with_entropy = false skips E_l (NaN then): one log per probability is the costliest part of the
// statistics and only CAKE's preference needs it.
WindowStats compute_window_stats(const at::Tensor& q, const at::Tensor& k, double scale,
                                 const SelectorConfig& sel, std::int64_t w_keep,
                                 bool per_query_head = false, std::int64_t sliding_window = 0,
                                 bool with_entropy = true);

// Pools one score row as the selector does (avg with zero padding and count_include_pad, or max
// with -inf padding), kernel `pool`, stride 1, output length = input length.
std::vector<float> pool_scores(const std::vector<float>& row, std::int64_t pool, bool max_pool);

// Top-`budget` positions by score (higher first, ties to the smaller position), returned in
// ascending order. budget >= row size keeps every position.
std::vector<std::int64_t> top_positions(const std::vector<float>& scores, std::int64_t budget);

}  // namespace hace::kv
