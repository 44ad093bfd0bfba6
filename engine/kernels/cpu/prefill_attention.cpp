#include "engine/kernels/prefill_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <immintrin.h>

#include "engine/kernels/cpu/vec_exp.h"
#include "engine/kernels/cpu_isa.h"
#include "engine/kernels/spin_team.h"

// The tiled kernel (prefill_attention_body.inc) is compiled three times, once per dispatch
// level (SSE2 serves the scalar level), each in its own namespace and under its own target, so that
// one binary serves the AVX2-only workstation and AVX-512 servers. Only inline functions and std
// templates that are inlined are used inside the target regions; std headers are included above,
// outside them.

namespace hace::kernels {
namespace {

// Below AVX2 (and with HACE_CPU_ISA=scalar): SSE2, which every x86-64 CPU has, 4 lanes with a
// separate multiply and add, and std::exp per lane. One float per "vector" ran the tiles 45x
// slower than AVX-512 (7.9 s for llama-134m's 1024-token prompt), 8x slower than ATen's path.
namespace sse2_level {

struct V {
    using reg = __m128;
    static constexpr int W = 4;
    static reg zero() { return _mm_setzero_ps(); }
    static reg set1(float x) { return _mm_set1_ps(x); }
    static reg load(const float* p) { return _mm_loadu_ps(p); }
    static void store(float* p, reg x) { _mm_storeu_ps(p, x); }
    static __m128 lanes(std::int64_t lo, std::int64_t hi) {
        const __m128i iota = _mm_setr_epi32(0, 1, 2, 3);
        const auto clamp = [](std::int64_t x) {
            return static_cast<int>(std::clamp<std::int64_t>(x, -1, W + 1));
        };
        return _mm_castsi128_ps(_mm_and_si128(_mm_cmpgt_epi32(iota, _mm_set1_epi32(clamp(lo) - 1)),
                                              _mm_cmpgt_epi32(_mm_set1_epi32(clamp(hi)), iota)));
    }
    static reg load_n(const float* p, int n) {
        alignas(16) float v[4] = {0.0f, 0.0f, 0.0f, 0.0f};
        for (int i = 0; i < n && i < W; ++i) v[i] = p[i];
        return _mm_load_ps(v);
    }
    static reg bcast(const float* p) { return _mm_set1_ps(*p); }
    static reg fma(reg a, reg b, reg c) { return _mm_add_ps(_mm_mul_ps(a, b), c); }
    static reg mul(reg a, reg b) { return _mm_mul_ps(a, b); }
    static reg add(reg a, reg b) { return _mm_add_ps(a, b); }
    static reg sub(reg a, reg b) { return _mm_sub_ps(a, b); }
    static reg max(reg a, reg b) { return _mm_max_ps(a, b); }
    static reg keep_lanes(reg x, std::int64_t lo, std::int64_t hi, float fill) {
        const __m128 m = lanes(lo, hi);
        return _mm_or_ps(_mm_and_ps(m, x), _mm_andnot_ps(m, _mm_set1_ps(fill)));
    }
    static float reduce_max(reg x) {
        x = _mm_max_ps(x, _mm_movehl_ps(x, x));
        return _mm_cvtss_f32(_mm_max_ss(x, _mm_shuffle_ps(x, x, 1)));
    }
    static float reduce_add(reg x) {
        x = _mm_add_ps(x, _mm_movehl_ps(x, x));
        return _mm_cvtss_f32(_mm_add_ss(x, _mm_shuffle_ps(x, x, 1)));
    }
    static reg exp_nonpositive(reg x) {
        alignas(16) float v[4];
        _mm_store_ps(v, x);
        for (float& e : v) e = std::exp(e);
        return _mm_load_ps(v);
    }
};

#include "engine/kernels/cpu/prefill_attention_body.inc"

}  // namespace sse2_level

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2_level {

struct V {
    using reg = __m256;
    static constexpr int W = 8;
    static reg zero() { return _mm256_setzero_ps(); }
    static reg set1(float x) { return _mm256_set1_ps(x); }
    static reg load(const float* p) { return _mm256_loadu_ps(p); }
    static void store(float* p, reg x) { _mm256_storeu_ps(p, x); }
    // Lanes l with lo <= l < hi, as an integer mask.
    static __m256i lanes(std::int64_t lo, std::int64_t hi) {
        const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        const auto clamp = [](std::int64_t x) {
            return static_cast<int>(std::clamp<std::int64_t>(x, -1, W + 1));
        };
        return _mm256_and_si256(_mm256_cmpgt_epi32(iota, _mm256_set1_epi32(clamp(lo) - 1)),
                                _mm256_cmpgt_epi32(_mm256_set1_epi32(clamp(hi)), iota));
    }
    static reg load_n(const float* p, int n) { return _mm256_maskload_ps(p, lanes(0, n)); }
    static reg bcast(const float* p) { return _mm256_broadcast_ss(p); }
    static reg fma(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
    static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
    static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
    static reg sub(reg a, reg b) { return _mm256_sub_ps(a, b); }
    static reg max(reg a, reg b) { return _mm256_max_ps(a, b); }
    static reg keep_lanes(reg x, std::int64_t lo, std::int64_t hi, float fill) {
        return _mm256_blendv_ps(_mm256_set1_ps(fill), x, _mm256_castsi256_ps(lanes(lo, hi)));
    }
    static __m128 fold(reg x, bool is_max) {
        const __m128 a = _mm256_castps256_ps128(x), b = _mm256_extractf128_ps(x, 1);
        return is_max ? _mm_max_ps(a, b) : _mm_add_ps(a, b);
    }
    static float reduce_max(reg x) {
        __m128 v = fold(x, true);
        v = _mm_max_ps(v, _mm_movehl_ps(v, v));
        v = _mm_max_ss(v, _mm_movehdup_ps(v));
        return _mm_cvtss_f32(v);
    }
    static float reduce_add(reg x) {
        __m128 v = fold(x, false);
        v = _mm_add_ps(v, _mm_movehl_ps(v, v));
        v = _mm_add_ss(v, _mm_movehdup_ps(v));
        return _mm_cvtss_f32(v);
    }
    static reg exp_nonpositive(reg x) { return vec::exp_nonpositive_avx2(x); }
};

#include "engine/kernels/cpu/prefill_attention_body.inc"

}  // namespace avx2_level
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq")
namespace avx512_level {

struct V {
    using reg = __m512;
    static constexpr int W = 16;
    static reg zero() { return _mm512_setzero_ps(); }
    static reg set1(float x) { return _mm512_set1_ps(x); }
    static reg load(const float* p) { return _mm512_loadu_ps(p); }
    static void store(float* p, reg x) { _mm512_storeu_ps(p, x); }
    static __mmask16 lanes(std::int64_t lo, std::int64_t hi) {
        const auto below = [](std::int64_t n) {
            return n <= 0 ? 0u : n >= W ? 0xFFFFu : (1u << n) - 1u;
        };
        return static_cast<__mmask16>(below(hi) & ~below(lo));
    }
    static reg load_n(const float* p, int n) { return _mm512_maskz_loadu_ps(lanes(0, n), p); }
    static reg bcast(const float* p) { return _mm512_set1_ps(*p); }
    static reg fma(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
    static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
    static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
    static reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
    // The maskz forms keep GCC 12's -Wmaybe-uninitialized quiet (see vec_exp.h).
    static reg max(reg a, reg b) { return _mm512_maskz_max_ps(0xFFFF, a, b); }
    static reg keep_lanes(reg x, std::int64_t lo, std::int64_t hi, float fill) {
        return _mm512_mask_mov_ps(_mm512_set1_ps(fill), lanes(lo, hi), x);
    }
    static float reduce_max(reg x) {
        const __m256 h = _mm256_max_ps(_mm512_maskz_extractf32x8_ps(0xFF, x, 0),
                                       _mm512_maskz_extractf32x8_ps(0xFF, x, 1));
        __m128 v = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
        v = _mm_max_ps(v, _mm_movehl_ps(v, v));
        v = _mm_max_ss(v, _mm_movehdup_ps(v));
        return _mm_cvtss_f32(v);
    }
    static float reduce_add(reg x) {
        const __m256 h = _mm256_add_ps(_mm512_maskz_extractf32x8_ps(0xFF, x, 0),
                                       _mm512_maskz_extractf32x8_ps(0xFF, x, 1));
        __m128 v = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
        v = _mm_add_ps(v, _mm_movehl_ps(v, v));
        v = _mm_add_ss(v, _mm_movehdup_ps(v));
        return _mm_cvtss_f32(v);
    }
    static reg exp_nonpositive(reg x) { return vec::exp_nonpositive_avx512(x); }
};

#include "engine/kernels/cpu/prefill_attention_body.inc"

}  // namespace avx512_level
#pragma GCC pop_options

}  // namespace

void prefill_attention(const PrefillAttentionArgs& a) {
    if (a.t <= 0 || a.hq <= 0) return;
    switch (active_cpu_isa()) {
        case CpuIsa::Avx512:
            return avx512_level::run(a);
        case CpuIsa::Avx2:
            return avx2_level::run(a);
        default:
            return sse2_level::run(a);
    }
}

void prefill_attention_reference(const PrefillAttentionArgs& a) {
    const std::int64_t group = a.hq / a.hkv;
    std::vector<double> w;
    for (std::int64_t h = 0; h < a.hq; ++h) {
        const std::int64_t g = h / group;
        for (std::int64_t i = 0; i < a.t; ++i) {
            const std::int64_t p = a.start + i;
            const std::int64_t first =
                a.window > 0 ? std::max<std::int64_t>(0, p - a.window + 1) : 0;
            const float* qi = a.q + h * a.q_head_stride + i * a.q_row_stride;
            w.assign(static_cast<std::size_t>(p + 1 - first), 0.0);
            double mx = -std::numeric_limits<double>::infinity();
            for (std::int64_t j = first; j <= p; ++j) {
                const float* kj = a.k + g * a.k_head_stride + j * a.k_row_stride;
                double dot = 0.0;
                for (std::int64_t c = 0; c < a.d; ++c) dot += static_cast<double>(qi[c]) * kj[c];
                w[static_cast<std::size_t>(j - first)] = dot * a.scale;
                mx = std::max(mx, dot * a.scale);
            }
            double sum = 0.0;
            for (auto& x : w) sum += x = std::exp(x - mx);
            float* dst = a.out + i * a.hq * a.d + h * a.d;
            for (std::int64_t c = 0; c < a.d; ++c) {
                double acc = 0.0;
                for (std::int64_t j = first; j <= p; ++j) {
                    acc += w[static_cast<std::size_t>(j - first)] *
                           a.v[g * a.v_head_stride + j * a.v_row_stride + c];
                }
                dst[c] = static_cast<float>(acc / sum);
            }
        }
    }
}

}  // namespace hace::kernels
