// Decode attention of one new token per sequence over ragged KV segments: the kernel of a batched
// decode step (ALGORITHMS.md section 8). A segment is one stored KV head of one sequence (its own
// length, its own rows: a full cache's contiguous head, a compressed cache's kept entries); the
// list holds every (sequence, KV head) segment of one layer, so B sequences of different lengths
// and budgets attend in one call and one OpenMP region instead of B x Hkv small ones. Each query
// head's output depends only on its own segment, so the result of a segment does not depend on
// what else is in the list (batched = unbatched, row for row). Raw pointers, no torch.
#pragma once

#include <cstdint>
#include <span>

#include "engine/kernels/decode_ops.h"

namespace hace::kernels {

struct AttentionSegment {
    const float* q = nullptr;  // [group, head_dim]: the query heads that read this KV head
    const void* k = nullptr;   // [rows, head_dim], f32 or bf16 (kv_type)
    const void* v = nullptr;   // [rows, head_dim]
    WeightType kv_type = WeightType::F32;
    std::int64_t rows = 0;  // >= 1
    std::int64_t head_dim = 0;
    std::int64_t group = 1;
    float scale = 1.0f;
    float* out = nullptr;  // [group, head_dim]
    // Optional: the softmax probabilities [group, probs_stride] (query i, entry j), for the
    // methods that score entries while decoding (H2O, TOVA). probs_stride >= rows.
    float* probs = nullptr;
    std::int64_t probs_stride = 0;
};

// Softmax in float32 with the maximum subtracted; scores and the value sum go through the
// run-time-dispatched GEMV kernels (decode_ops.h). The (segment, query head) pairs are split over
// the OpenMP team once the rows read exceed 256 KiB.
void decode_attention_segments(std::span<const AttentionSegment> segments);

// Plain double-accumulating loops, for the tests.
void decode_attention_segments_reference(std::span<const AttentionSegment> segments);

}  // namespace hace::kernels
