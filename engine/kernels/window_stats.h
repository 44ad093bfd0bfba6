// Observation-window attention statistics of one layer (ALGORITHMS.md sections 0.3, 5.1, 13.4,
// 16): selector scores per segment over the selectable positions, CAKE's entropy E_l and
// temporal variance V_l. Contract shared by the CPU twin (cpu/) and the CUDA kernel: raw
// pointers, float32 inputs, no n x n matrix anywhere (keys are processed in tiles, twice: once
// for each window row's softmax maximum and normaliser, once for the probabilities).
//
// The numbers are those of hace::kv::compute_window_stats (engine/kv/window_stats.cpp), which
// takes the whole prompt's queries; here the caller passes the last w of them.
#pragma once

#include <cstdint>

namespace hace::kernels {

enum class WindowSelector {
    // SEL-CAKE: per query head mean_i A + gamma * unbiased var_i A (in float, product rounded
    // before the sum), average pooling (zero padding counted in the divisor), then the mean
    // over the G query heads of a KV head.
    Cake,
    // SEL-SNAP: per query head mean_i A, mean over the G query heads, then max pooling (-inf
    // padding).
    Snap,
};

struct WindowStatsArgs {
    // Window queries: [n_q_heads, window, head_dim], contiguous; window query i sits at prompt
    // position prompt - window + i.
    const float* q = nullptr;
    // Keys: element (g, j, c) at k[g * k_head_stride + j * k_row_stride + c], g < n_kv_heads,
    // j < prompt (k_row_stride >= head_dim).
    const float* k = nullptr;
    std::int64_t k_head_stride = 0;
    std::int64_t k_row_stride = 0;
    std::int64_t n_q_heads = 0;  // a multiple of n_kv_heads; G = n_q_heads / n_kv_heads
    std::int64_t n_kv_heads = 0;
    std::int64_t head_dim = 0;
    std::int64_t prompt = 0;      // n >= 1
    std::int64_t window = 0;      // w, 1 <= w <= n (callers clamp the selector's window to n)
    std::int64_t selectable = 0;  // P = n - w_keep, 0 <= P <= n: scored positions 0..P-1
    float scale = 1.0f;           // logit = (q . k) * scale
    // > 0: window query at position p sees key j only when 0 <= p - j < sliding_window.
    std::int64_t sliding_window = 0;
    WindowSelector selector = WindowSelector::Cake;
    std::int64_t pool = 5;  // kernel: positions j - pool/2 .. j + pool/2, clipped to [0, P)
    double gamma = 200.0;   // SEL-CAKE variance weight (applied as a float)
    // true: one score row per query head, no group reduction (query-head granularity).
    bool per_query_head = false;
    // false: E_l is not computed (written as NaN); V_l always is.
    bool with_entropy = true;

    // Outputs. scores: [rows, scores_stride] with rows = per_query_head ? n_q_heads : n_kv_heads,
    // entries 0..P-1 of each row written. entropy: E_l = -sum_{h,i,j<P} A log A (over A > 0).
    // variance: V_l = sum_{h,j<P} unbiased var over the w window rows (0 when w = 1).
    float* scores = nullptr;
    std::int64_t scores_stride = 0;  // >= P
    double* entropy = nullptr;
    double* variance = nullptr;
};

// Throws std::invalid_argument when sizes or pointers break the contract above.
void validate_window_stats_args(const WindowStatsArgs& a);

// Reference implementation: float logits and probabilities, double accumulators.
void window_stats_cpu(const WindowStatsArgs& a);

}  // namespace hace::kernels
