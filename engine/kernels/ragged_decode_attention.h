// Decode attention over ragged per-KV-head segments (ALGORITHMS.md section 8): one new query per
// query head attends to its KV head's own entries only; no head is padded to a common length.
// Contract shared by the CPU reference (cpu/) and the CUDA kernel: raw pointers, row-major.
#pragma once

#include <cstdint>

namespace hace::kernels {

struct RaggedDecodeArgs {
    const float* q = nullptr;       // [n_kv_heads * group, head_dim]; query head h = g*group + i
    const float* k = nullptr;       // [rows, head_dim]: all segments of the layer
    const float* v = nullptr;       // [rows, head_dim]
    const std::int64_t* offsets = nullptr;  // [n_kv_heads]: first row of segment g
    const std::int64_t* lengths = nullptr;  // [n_kv_heads]: rows of segment g (>= 1)
    std::int64_t n_kv_heads = 0;
    std::int64_t group = 1;  // query heads per KV head
    std::int64_t head_dim = 0;
    float scale = 1.0f;
    float* out = nullptr;    // [n_kv_heads * group, head_dim]
    // Optional: softmax probabilities [n_kv_heads * group, probs_stride] (row h, entry j), for
    // decode-time eviction scores. probs_stride >= max length.
    float* probs = nullptr;
    std::int64_t probs_stride = 0;
};

// Softmax in float32 with the running maximum subtracted (exact, not online-approximate).
void ragged_decode_attention_cpu(const RaggedDecodeArgs& a);

}  // namespace hace::kernels
