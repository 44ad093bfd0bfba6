// Causal grouped-query attention of a prompt (or a continued prompt) on the CPU, float32, as one
// fused tiled pass: scores of a block of 64 queries against a block of 64 keys, an online
// softmax per query row, and the weighted value sum, without materialising a [T, T] matrix and
// without computing key blocks that the causal mask (or the sliding window) hides entirely.
// Replaces the ATen chunked bmm -> mask -> softmax -> bmm path of the prefill, which ran at a
// fifth of the GEMM peak (a 64-deep dot product per score, a 1.5x causal waste, five passes over
// each score chunk): 335 ms of a 1080 ms prefill of 1024 tokens on llama-134m's shape.
//
// Arithmetic (what makes results reproducible): every query row is computed on its own, key
// blocks are aligned on absolute key positions (multiples of kPrefillKeyBlock), so a row's
// output does not depend on the thread count, on which other rows share its call, or on how a
// prompt is split into calls (start > 0). It does depend on the ISA level (cpu_isa.h): each
// level is checked against prefill_attention_reference, which sums in double.
#pragma once

#include <cstdint>

namespace hace::kernels {

inline constexpr std::int64_t kPrefillKeyBlock = 64;

struct PrefillAttentionArgs {
    // q[h][i][c] = q[h * q_head_stride + i * q_row_stride + c]: query head h, new token i (at
    // position start + i), channel c < d. k and v likewise for KV head g and key position p,
    // p < start + t. Channels are contiguous.
    const float* q = nullptr;
    std::int64_t q_head_stride = 0, q_row_stride = 0;
    const float* k = nullptr;
    std::int64_t k_head_stride = 0, k_row_stride = 0;
    const float* v = nullptr;
    std::int64_t v_head_stride = 0, v_row_stride = 0;
    float* out = nullptr;  // [t][hq * d], row-major: token i, query head h at i * hq * d + h * d
    std::int64_t hq = 0, hkv = 0, t = 0, d = 0;
    std::int64_t start = 0;   // position of the first new token
    std::int64_t window = 0;  // > 0: query at position p sees keys p - window < j <= p
    float scale = 1.0f;       // applied to q . k before the softmax
    int threads = 1;          // the decode team's threads (spin_team.h); 1 runs on the caller
};

// Query head h reads KV head h / (hq / hkv). Dispatches on active_cpu_isa(): AVX-512, AVX2 + FMA,
// or SSE2 (every x86-64 CPU) for the scalar level.
void prefill_attention(const PrefillAttentionArgs& a);

// Plain loops in double, one query row at a time; for tests.
void prefill_attention_reference(const PrefillAttentionArgs& a);

}  // namespace hace::kernels
