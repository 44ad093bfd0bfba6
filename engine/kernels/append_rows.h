// Decode-step append in place (ALGORITHMS.md section 8, HACE layout with reserved slack): one
// new K and V row per segment written at offsets[s] + lengths[s], then lengths[s] += 1. No
// buffer is reallocated or moved.
// Contract shared by the CPU twin (cpu/) and the CUDA kernel: raw pointers, float32 rows.
#pragma once

#include <cstdint>

namespace hace::kernels {

struct AppendRowsArgs {
    // New rows: [n_src, head_dim] contiguous, one per KV head; segment s takes source row
    // s / segments_per_kv_head (G segments per KV head at query-head granularity).
    const float* k_new = nullptr;
    const float* v_new = nullptr;
    std::int64_t segments = 0;
    std::int64_t segments_per_kv_head = 1;
    std::int64_t head_dim = 0;
    const std::int64_t* offsets = nullptr;  // [segments]
    std::int64_t* lengths = nullptr;        // [segments], in/out
    // Optional [segments]: a segment with lengths[s] >= capacities[s] is left untouched and
    // counted in *n_full (when n_full is given; the caller treats a non-zero count as an error).
    const std::int64_t* capacities = nullptr;
    std::int64_t* n_full = nullptr;
    float* k = nullptr;  // flat [rows, head_dim]
    float* v = nullptr;
    // Optional [rows]: the stored row's absolute position is set to `position`.
    std::int64_t* positions = nullptr;
    std::int64_t position = 0;
};

// Throws std::invalid_argument when sizes or pointers break the contract above.
void validate_append_rows_args(const AppendRowsArgs& a);

// *n_full (when given) is overwritten with the number of full segments of this call.
void append_rows_cpu(const AppendRowsArgs& a);

}  // namespace hace::kernels
