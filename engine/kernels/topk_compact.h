// Top-k selection and compaction into the ragged per-segment cache (ALGORITHMS.md sections 0.3,
// 8, 16.5). For each segment s: keep the b_s best of the selectable positions 0..P-1 by score
// (score_order.h: higher first, ties to the smaller position), in ascending order, followed by
// the protected window positions P..n-1; write those positions and gather the matching K and V
// rows from the prompt keys/values into the flat cache at offsets[s].
// Contract shared by the CPU twin (cpu/) and the CUDA kernel: raw pointers, float32 rows.
#pragma once

#include <cstdint>

namespace hace::kernels {

struct TopkCompactArgs {
    // Scores: [segments, scores_stride], entries 0..P-1 of row s rank segment s's positions.
    const float* scores = nullptr;
    std::int64_t scores_stride = 0;  // >= P
    // Budgets b_s: [segments]; values below 0 act as 0 and above P as P (keep all).
    const std::int64_t* budgets = nullptr;
    std::int64_t segments = 0;
    // Segment s gathers from KV head s / segments_per_kv_head (G at query-head granularity).
    std::int64_t segments_per_kv_head = 1;
    std::int64_t prompt = 0;      // n
    std::int64_t selectable = 0;  // P <= n; positions P..n-1 are always kept
    std::int64_t head_dim = 0;
    // Prompt keys/values: element (g, j, c) at src[g * src_head_stride + j * src_row_stride + c].
    const float* k_src = nullptr;
    const float* v_src = nullptr;
    std::int64_t src_head_stride = 0;
    std::int64_t src_row_stride = 0;  // >= head_dim
    // Destination: flat [rows, head_dim] K and V; segment s occupies rows offsets[s] ..
    // offsets[s] + lengths[s] - 1 (the caller reserves at least min(b_s, P) + n - P rows there).
    const std::int64_t* offsets = nullptr;
    float* k_dst = nullptr;
    float* v_dst = nullptr;
    // Outputs: positions [rows] (position of each stored row, parallel to K/V) and
    // lengths [segments] = min(max(b_s, 0), P) + n - P.
    std::int64_t* positions = nullptr;
    std::int64_t* lengths = nullptr;
};

// Throws std::invalid_argument when sizes or pointers break the contract above.
void validate_topk_compact_args(const TopkCompactArgs& a);

void topk_compact_cpu(const TopkCompactArgs& a);

}  // namespace hace::kernels
