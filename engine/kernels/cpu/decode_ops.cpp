#include "engine/kernels/decode_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <immintrin.h>
#include <omp.h>

#include "engine/kernels/cpu/vec_exp.h"
#include "engine/kernels/cpu_isa.h"
#include "engine/kernels/spin_team.h"

namespace hace::kernels {

float bf16_to_f32(std::uint16_t b) {
    const std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

std::uint16_t f32_to_bf16(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    if (std::isnan(f)) return static_cast<std::uint16_t>((u >> 16) | 0x40);
    u += 0x7FFF + ((u >> 16) & 1);  // round to nearest even
    return static_cast<std::uint16_t>(u >> 16);
}

namespace {

inline std::int64_t x_stride(const GemvArgs& a) {
    return a.x_stride ? a.x_stride : a.k;
}
inline std::int64_t y_stride(const GemvArgs& a) {
    return a.y_stride ? a.y_stride : a.n;
}

inline float weight_at(const GemvArgs& a, std::int64_t j, std::int64_t c) {
    const std::int64_t i = j * a.k + c;
    return a.wtype == WeightType::F32 ? static_cast<const float*>(a.w)[i]
                                      : bf16_to_f32(static_cast<const std::uint16_t*>(a.w)[i]);
}

inline void store(const GemvArgs& a, std::int64_t r, std::int64_t j, float dot) {
    float* y = a.y + r * y_stride(a) + j;
    const float base = a.accumulate ? *y : 0.0f;
    *y = base + (a.bias ? a.bias[j] + dot : dot);
}

// ---- scalar (baseline x86-64 / any CPU) ----------------------------------------------------
void gemv_block_scalar(const GemvArgs& a, std::int64_t j0, std::int64_t j1) {
    for (std::int64_t j = j0; j < j1; ++j) {
        for (std::int64_t r = 0; r < a.rows; ++r) {
            const float* x = a.x + r * x_stride(a);
            // Eight partial sums: the same reassociation the vector paths make.
            float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            std::int64_t c = 0;
            for (; c + 8 <= a.k; c += 8) {
                for (int u = 0; u < 8; ++u) s[u] += x[c + u] * weight_at(a, j, c + u);
            }
            for (; c < a.k; ++c) s[0] += x[c] * weight_at(a, j, c);
            store(a, r, j, ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])));
        }
    }
}

// ---- AVX2 + FMA ------------------------------------------------------------------------------
__attribute__((target("avx2,fma"))) inline __m256 load8(const float* p) {
    return _mm256_loadu_ps(p);
}
__attribute__((target("avx2,fma"))) inline __m256 load8(const std::uint16_t* p) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}
__attribute__((target("avx2,fma"))) inline float hsum8(__m256 v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}
inline float wscalar(const float* p) {
    return *p;
}
inline float wscalar(const std::uint16_t* p) {
    return bf16_to_f32(*p);
}

// Software prefetch of the weights two 4-row blocks (at least 4096 elements) ahead. Each row is
// only k elements long (1.5 KB in bf16 at hidden 768; 128 bytes for a key row), too short for the
// hardware prefetcher to ramp up on before the block moves on. Measured on llama-134m's matrices
// (2 threads, Xeon): the bf16 GEMV read 18 GB/s without this and 27 GB/s with it, against 30 GB/s
// for a plain read of the same buffers; the 4096-element minimum took the bf16 decode at 1024
// context from 12.7 to 11.8 ms/token (the key rows of attention). `done` elements of each of the
// block's four rows have been consumed; the rows ahead are consumed at the same pace. Forced
// inline with a constant trip count: as a plain inline template called from the target-attribute
// kernels, GCC 12 at -O2 emitted no prefetch at all (-O3 did).
constexpr std::int64_t kPrefetchMinElements = 4096;
template <int kStep, class W>
__attribute__((always_inline)) inline void prefetch_ahead(const W* w0, std::int64_t k,
                                                          std::int64_t done) {
    const char* p = reinterpret_cast<const char*>(
        w0 + std::max<std::int64_t>(8 * k, kPrefetchMinElements) + 4 * done);
    constexpr int kBytes = 4 * kStep * static_cast<int>(sizeof(W));
    for (int o = 0; o < kBytes; o += 64) _mm_prefetch(p + o, _MM_HINT_T0);
}

// Four output rows at a time (four independent FMA chains per input row).
template <class W>
__attribute__((target("avx2,fma"))) void gemv_block_avx2(const GemvArgs& a, const W* w,
                                                         std::int64_t j0, std::int64_t j1) {
    const std::int64_t k = a.k, kv = k / 8 * 8;
    std::int64_t j = j0;
    for (; j + 4 <= j1; j += 4) {
        const W* w0 = w + j * k;
        const W* w1 = w0 + k;
        const W* w2 = w1 + k;
        const W* w3 = w2 + k;
        std::int64_t r = 0;
        // Two rows at a time: each weight vector loaded feeds two FMAs (B > 1 is FMA-bound,
        // not load-bound). Every (row, output) sum is formed exactly as in the one-row loop
        // below, so a row's result does not depend on the row count.
        for (; r + 2 <= a.rows; r += 2) {
            const float* xa = a.x + r * x_stride(a);
            const float* xb = xa + x_stride(a);
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (std::int64_t c = 0; c < kv; c += 8) {
                prefetch_ahead<8>(w0, k, c);
                const __m256 xva = _mm256_loadu_ps(xa + c), xvb = _mm256_loadu_ps(xb + c);
                const __m256 v0 = load8(w0 + c), v1 = load8(w1 + c);
                const __m256 v2 = load8(w2 + c), v3 = load8(w3 + c);
                a0 = _mm256_fmadd_ps(v0, xva, a0);
                a1 = _mm256_fmadd_ps(v1, xva, a1);
                a2 = _mm256_fmadd_ps(v2, xva, a2);
                a3 = _mm256_fmadd_ps(v3, xva, a3);
                b0 = _mm256_fmadd_ps(v0, xvb, b0);
                b1 = _mm256_fmadd_ps(v1, xvb, b1);
                b2 = _mm256_fmadd_ps(v2, xvb, b2);
                b3 = _mm256_fmadd_ps(v3, xvb, b3);
            }
            const __m256 acc[2][4] = {{a0, a1, a2, a3}, {b0, b1, b2, b3}};
            const float* xs[2] = {xa, xb};
            for (int u = 0; u < 2; ++u) {
                const float* x = xs[u];
                float d0 = hsum8(acc[u][0]), d1 = hsum8(acc[u][1]);
                float d2 = hsum8(acc[u][2]), d3 = hsum8(acc[u][3]);
                for (std::int64_t c = kv; c < k; ++c) {
                    d0 = std::fma(x[c], wscalar(w0 + c), d0);
                    d1 = std::fma(x[c], wscalar(w1 + c), d1);
                    d2 = std::fma(x[c], wscalar(w2 + c), d2);
                    d3 = std::fma(x[c], wscalar(w3 + c), d3);
                }
                store(a, r + u, j, d0);
                store(a, r + u, j + 1, d1);
                store(a, r + u, j + 2, d2);
                store(a, r + u, j + 3, d3);
            }
        }
        for (; r < a.rows; ++r) {
            const float* x = a.x + r * x_stride(a);
            __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
            for (std::int64_t c = 0; c < kv; c += 8) {
                prefetch_ahead<8>(w0, k, c);
                const __m256 xv = _mm256_loadu_ps(x + c);
                s0 = _mm256_fmadd_ps(load8(w0 + c), xv, s0);
                s1 = _mm256_fmadd_ps(load8(w1 + c), xv, s1);
                s2 = _mm256_fmadd_ps(load8(w2 + c), xv, s2);
                s3 = _mm256_fmadd_ps(load8(w3 + c), xv, s3);
            }
            float d0 = hsum8(s0), d1 = hsum8(s1), d2 = hsum8(s2), d3 = hsum8(s3);
            for (std::int64_t c = kv; c < k; ++c) {
                // Explicit fma: the blocked rows above must round exactly like this loop.
                d0 = std::fma(x[c], wscalar(w0 + c), d0);
                d1 = std::fma(x[c], wscalar(w1 + c), d1);
                d2 = std::fma(x[c], wscalar(w2 + c), d2);
                d3 = std::fma(x[c], wscalar(w3 + c), d3);
            }
            store(a, r, j, d0);
            store(a, r, j + 1, d1);
            store(a, r, j + 2, d2);
            store(a, r, j + 3, d3);
        }
    }
    for (; j < j1; ++j) {
        const W* wj = w + j * k;
        for (std::int64_t r = 0; r < a.rows; ++r) {
            const float* x = a.x + r * x_stride(a);
            __m256 s = _mm256_setzero_ps();
            for (std::int64_t c = 0; c < kv; c += 8) {
                s = _mm256_fmadd_ps(load8(wj + c), _mm256_loadu_ps(x + c), s);
            }
            float d = hsum8(s);
            for (std::int64_t c = kv; c < k; ++c) d += x[c] * wscalar(wj + c);
            store(a, r, j, d);
        }
    }
}

// ---- AVX-512 (F + BW + VL + DQ) ----------------------------------------------------------------
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) inline __m512 load16(const float* p,
                                                                                   __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, p);
}
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) inline __m512 load16(
    const std::uint16_t* p, __mmask16 m) {
    const __m256i h = _mm256_maskz_loadu_epi16(m, p);
    // The maskz forms: GCC 12 warns about the unmasked ones' undefined pass-through operand.
    const __m512i u = _mm512_maskz_cvtepu16_epi32(0xFFFF, h);
    return _mm512_castsi512_ps(_mm512_maskz_slli_epi32(0xFFFF, u, 16));
}

// The fixed tree s[i] = t[i] + t[i + 8], then ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7)),
// in registers, not through memory (a 64-byte store and 16 scalar loads per dot product, a cost
// that shows on attention's key dot products of only 64 terms). The maskz extract: GCC 12's
// unmasked forms (also behind _mm512_castps512_ps256 and _mm512_reduce_add_ps) trip
// -Wmaybe-uninitialized in its own header.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) inline float hsum16(__m512 v) {
    const __m256 s = _mm256_add_ps(_mm512_maskz_extractf32x8_ps(0xFF, v, 0),
                                   _mm512_maskz_extractf32x8_ps(0xFF, v, 1));
    const __m128 u = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    const __m128 w = _mm_add_ps(u, _mm_movehdup_ps(u));  // lane 0: u0 + u1, lane 2: u2 + u3
    return _mm_cvtss_f32(_mm_add_ss(w, _mm_movehl_ps(w, w)));
}

// One input row against four weight vectors: s_q += v_q * x.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"), always_inline)) inline void fma_row4(
    __m512 v0, __m512 v1, __m512 v2, __m512 v3, __m512 x, __m512& s0, __m512& s1, __m512& s2,
    __m512& s3) {
    s0 = _mm512_fmadd_ps(v0, x, s0);
    s1 = _mm512_fmadd_ps(v1, x, s1);
    s2 = _mm512_fmadd_ps(v2, x, s2);
    s3 = _mm512_fmadd_ps(v3, x, s3);
}

template <class W>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) void gemv_block_avx512(
    const GemvArgs& a, const W* w, std::int64_t j0, std::int64_t j1) {
    const std::int64_t k = a.k;
    const __mmask16 full = 0xFFFF;
    const auto tail_mask = static_cast<__mmask16>((1u << (k % 16)) - 1u);
    const std::int64_t kv = k / 16 * 16;
    std::int64_t j = j0;
    for (; j + 4 <= j1; j += 4) {
        const W* w0 = w + j * k;
        const W* w1 = w0 + k;
        const W* w2 = w1 + k;
        const W* w3 = w2 + k;
        std::int64_t r = 0;
        // Four rows at a time (16 accumulators of the 32 registers): each weight vector loaded
        // feeds four FMAs. Every (row, output) sum is formed exactly as in the one-row loop
        // below, so a row's result does not depend on the row count.
        for (; r + 4 <= a.rows; r += 4) {
            const float* x0 = a.x + r * x_stride(a);
            const float* x1 = x0 + x_stride(a);
            const float* x2 = x1 + x_stride(a);
            const float* x3 = x2 + x_stride(a);
            // Sixteen named accumulators: as a [4][4] array GCC 12 kept them on the stack and
            // stored all sixteen every step (8 rows ran at 18 GB/s where one row streams at 30).
            __m512 a00 = _mm512_setzero_ps(), a01 = a00, a02 = a00, a03 = a00;
            __m512 a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            __m512 a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            __m512 a30 = a00, a31 = a00, a32 = a00, a33 = a00;
            // The last step (c == kv) is the masked tail, as in the one-row loop.
            for (std::int64_t c = 0; c < k; c += 16) {
                prefetch_ahead<16>(w0, k, c);
                const __mmask16 m = c < kv ? full : tail_mask;
                const __m512 v0 = load16(w0 + c, m), v1 = load16(w1 + c, m);
                const __m512 v2 = load16(w2 + c, m), v3 = load16(w3 + c, m);
                fma_row4(v0, v1, v2, v3, _mm512_maskz_loadu_ps(m, x0 + c), a00, a01, a02, a03);
                fma_row4(v0, v1, v2, v3, _mm512_maskz_loadu_ps(m, x1 + c), a10, a11, a12, a13);
                fma_row4(v0, v1, v2, v3, _mm512_maskz_loadu_ps(m, x2 + c), a20, a21, a22, a23);
                fma_row4(v0, v1, v2, v3, _mm512_maskz_loadu_ps(m, x3 + c), a30, a31, a32, a33);
            }
            const __m512 acc[4][4] = {{a00, a01, a02, a03},
                                      {a10, a11, a12, a13},
                                      {a20, a21, a22, a23},
                                      {a30, a31, a32, a33}};
            for (int u = 0; u < 4; ++u) {
                for (int q = 0; q < 4; ++q) store(a, r + u, j + q, hsum16(acc[u][q]));
            }
        }
        for (; r < a.rows; ++r) {
            const float* x = a.x + r * x_stride(a);
            __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
            std::int64_t c = 0;
            for (; c < kv; c += 16) {
                prefetch_ahead<16>(w0, k, c);
                const __m512 xv = _mm512_loadu_ps(x + c);
                s0 = _mm512_fmadd_ps(load16(w0 + c, full), xv, s0);
                s1 = _mm512_fmadd_ps(load16(w1 + c, full), xv, s1);
                s2 = _mm512_fmadd_ps(load16(w2 + c, full), xv, s2);
                s3 = _mm512_fmadd_ps(load16(w3 + c, full), xv, s3);
            }
            if (tail_mask) {
                const __m512 xv = _mm512_maskz_loadu_ps(tail_mask, x + c);
                s0 = _mm512_fmadd_ps(load16(w0 + c, tail_mask), xv, s0);
                s1 = _mm512_fmadd_ps(load16(w1 + c, tail_mask), xv, s1);
                s2 = _mm512_fmadd_ps(load16(w2 + c, tail_mask), xv, s2);
                s3 = _mm512_fmadd_ps(load16(w3 + c, tail_mask), xv, s3);
            }
            store(a, r, j, hsum16(s0));
            store(a, r, j + 1, hsum16(s1));
            store(a, r, j + 2, hsum16(s2));
            store(a, r, j + 3, hsum16(s3));
        }
    }
    for (; j < j1; ++j) {
        const W* wj = w + j * k;
        for (std::int64_t r = 0; r < a.rows; ++r) {
            const float* x = a.x + r * x_stride(a);
            __m512 s = _mm512_setzero_ps();
            std::int64_t c = 0;
            for (; c < kv; c += 16)
                s = _mm512_fmadd_ps(load16(wj + c, full), _mm512_loadu_ps(x + c), s);
            if (tail_mask) {
                s = _mm512_fmadd_ps(load16(wj + c, tail_mask),
                                    _mm512_maskz_loadu_ps(tail_mask, x + c), s);
            }
            store(a, r, j, hsum16(s));
        }
    }
}

void gemv_block(const GemvArgs& a, CpuIsa isa, std::int64_t j0, std::int64_t j1) {
    const bool bf = a.wtype == WeightType::BF16;
    const auto* wf = static_cast<const float*>(a.w);
    const auto* wb = static_cast<const std::uint16_t*>(a.w);
    switch (isa) {
        case CpuIsa::Avx512:
            return bf ? gemv_block_avx512(a, wb, j0, j1) : gemv_block_avx512(a, wf, j0, j1);
        case CpuIsa::Avx2:
            return bf ? gemv_block_avx2(a, wb, j0, j1) : gemv_block_avx2(a, wf, j0, j1);
        case CpuIsa::Scalar:
            break;
    }
    gemv_block_scalar(a, j0, j1);
}

// Below this many weight bytes a GEMV stays on the calling thread: handing a loop to the team's
// spinning workers costs a few microseconds, more than streaming the weights. 64 KiB measured
// 1.4 % faster than 256 KiB (the threshold of the libgomp days) on llama decode with hace at 5 %
// (median of 6 alternating pairs, f32 and bf16).
constexpr std::int64_t kParallelBytes = 64 << 10;
constexpr std::int64_t kBlockRows = 32;  // output rows per work item (a multiple of 4)

}  // namespace

void gemv_rows(const GemvArgs& a) {
    if (a.n <= 0 || a.rows <= 0) return;
    const CpuIsa isa = active_cpu_isa();
    const std::int64_t wbytes = a.n * a.k * (a.wtype == WeightType::F32 ? 4 : 2);
    const int threads =
        a.parallel && wbytes >= kParallelBytes && !omp_in_parallel() ? omp_get_max_threads() : 1;
    if (threads <= 1) return gemv_block(a, isa, 0, a.n);
    const std::int64_t blocks = (a.n + kBlockRows - 1) / kBlockRows;
    // About four contiguous chunks per thread: long runs for the prefetch, and a share left for
    // whoever finishes first when a thread is slowed (a busy neighbour on the core).
    const std::int64_t grain = std::max<std::int64_t>(1, blocks / (4 * threads));
    team_parallel_for(threads, blocks, grain, [&](std::int64_t b0, std::int64_t b1) {
        gemv_block(a, isa, b0 * kBlockRows, std::min(a.n, b1 * kBlockRows));
    });
}

void gemv_rows_reference(const GemvArgs& a) {
    for (std::int64_t r = 0; r < a.rows; ++r) {
        for (std::int64_t j = 0; j < a.n; ++j) {
            double s = 0.0;
            for (std::int64_t c = 0; c < a.k; ++c) {
                s += static_cast<double>(a.x[r * x_stride(a) + c]) * weight_at(a, j, c);
            }
            float* y = a.y + r * y_stride(a) + j;
            *y = static_cast<float>((a.accumulate ? *y : 0.0) + (a.bias ? a.bias[j] : 0.0) + s);
        }
    }
}

// ---- transposed product ------------------------------------------------------------------------
namespace {

// In the transposed product x rows have n entries and y rows k.
inline std::int64_t t_xs(const GemvArgs& a) {
    return a.x_stride ? a.x_stride : a.n;
}
inline std::int64_t t_ys(const GemvArgs& a) {
    return a.y_stride ? a.y_stride : a.k;
}

template <class W>
void gemv_t_scalar(const GemvArgs& a, const W* w) {
    for (std::int64_t r = 0; r < a.rows; ++r) {
        float* y = a.y + r * t_ys(a);
        if (!a.accumulate) std::fill(y, y + a.k, 0.0f);
        const float* x = a.x + r * t_xs(a);
        for (std::int64_t j = 0; j < a.n; ++j) {
            const W* wj = w + j * a.k;
            for (std::int64_t c = 0; c < a.k; ++c) y[c] += x[j] * wscalar(wj + c);
        }
    }
}

// As gemv_t_regs_avx512: rows of up to 64 outputs summed in registers, the same bits. Multiples
// of 8 only (AVX2 has no masked float loads of bf16); other widths take the general loop.
template <int NV, class W>
__attribute__((target("avx2,fma"))) void gemv_t_regs_avx2(const GemvArgs& a, const W* w) {
    for (std::int64_t r = 0; r < a.rows; ++r) {
        float* y = a.y + r * t_ys(a);
        const float* x = a.x + r * t_xs(a);
        __m256 acc[NV];
        for (int q = 0; q < NV; ++q)
            acc[q] = a.accumulate ? _mm256_loadu_ps(y + 8 * q) : _mm256_setzero_ps();
        for (std::int64_t j = 0; j < a.n; ++j) {
            const W* wj = w + j * a.k;
            const __m256 p = _mm256_set1_ps(x[j]);
            for (int q = 0; q < NV; ++q) acc[q] = _mm256_fmadd_ps(p, load8(wj + 8 * q), acc[q]);
        }
        for (int q = 0; q < NV; ++q) _mm256_storeu_ps(y + 8 * q, acc[q]);
    }
}

template <class W>
__attribute__((target("avx2,fma"))) void gemv_t_avx2(const GemvArgs& a, const W* w) {
    if (a.k % 8 == 0) {
        switch (a.k / 8) {
            case 1:
                return gemv_t_regs_avx2<1>(a, w);
            case 2:
                return gemv_t_regs_avx2<2>(a, w);
            case 4:
                return gemv_t_regs_avx2<4>(a, w);
            case 6:
                return gemv_t_regs_avx2<6>(a, w);
            case 8:
                return gemv_t_regs_avx2<8>(a, w);
            default:
                break;
        }
    }
    const std::int64_t kv = a.k / 8 * 8;
    for (std::int64_t r = 0; r < a.rows; ++r) {
        float* y = a.y + r * t_ys(a);
        if (!a.accumulate) std::fill(y, y + a.k, 0.0f);
        const float* x = a.x + r * t_xs(a);
        for (std::int64_t j = 0; j < a.n; ++j) {
            const W* wj = w + j * a.k;
            const __m256 p = _mm256_set1_ps(x[j]);
            for (std::int64_t c = 0; c < kv; c += 8) {
                _mm256_storeu_ps(y + c, _mm256_fmadd_ps(p, load8(wj + c), _mm256_loadu_ps(y + c)));
            }
            // Explicit fma: a contracted `y[c] += x * w` is what -O3 builds, but -O1 (the
            // sanitizer builds) does not contract, and the tail must round like the vectors.
            for (std::int64_t c = kv; c < a.k; ++c) y[c] = std::fma(x[j], wscalar(wj + c), y[c]);
        }
    }
}

// Short output rows (a head's value rows, k = head_dim <= 128) stay in registers for the whole
// sum instead of going through memory once per input row. Every y[c] still gets the same fused
// multiply-adds in the same order, so the bits equal the general loop's. Measured (attention over
// 12 x 12 heads x 1024 entries from cold memory, 2 threads, Xeon): bf16 2.12 -> 1.97 ms, f32
// 3.56 -> 3.18 ms against the general loop.
template <int NV, class W>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) void gemv_t_regs_avx512(
    const GemvArgs& a, const W* w) {
    __mmask16 m[NV];
    for (int q = 0; q < NV; ++q) m[q] = 0xFFFF;
    if (a.k % 16) m[NV - 1] = static_cast<__mmask16>((1u << (a.k % 16)) - 1u);
    for (std::int64_t r = 0; r < a.rows; ++r) {
        float* y = a.y + r * t_ys(a);
        const float* x = a.x + r * t_xs(a);
        __m512 acc[NV];
        for (int q = 0; q < NV; ++q) {
            acc[q] = a.accumulate ? _mm512_maskz_loadu_ps(m[q], y + 16 * q) : _mm512_setzero_ps();
        }
        for (std::int64_t j = 0; j < a.n; ++j) {
            const W* wj = w + j * a.k;
            const __m512 p = _mm512_set1_ps(x[j]);
            for (int q = 0; q < NV; ++q)
                acc[q] = _mm512_fmadd_ps(p, load16(wj + 16 * q, m[q]), acc[q]);
        }
        for (int q = 0; q < NV; ++q) _mm512_mask_storeu_ps(y + 16 * q, m[q], acc[q]);
    }
}

template <class W>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) void gemv_t_avx512(const GemvArgs& a,
                                                                                 const W* w) {
    switch ((a.k + 15) / 16) {
        case 1:
            return gemv_t_regs_avx512<1>(a, w);
        case 2:
            return gemv_t_regs_avx512<2>(a, w);
        case 3:
            return gemv_t_regs_avx512<3>(a, w);
        case 4:
            return gemv_t_regs_avx512<4>(a, w);
        case 5:
            return gemv_t_regs_avx512<5>(a, w);
        case 6:
            return gemv_t_regs_avx512<6>(a, w);
        case 7:
            return gemv_t_regs_avx512<7>(a, w);
        case 8:
            return gemv_t_regs_avx512<8>(a, w);
        default:
            break;
    }
    const std::int64_t kv = a.k / 16 * 16;
    const auto tail = static_cast<__mmask16>((1u << (a.k % 16)) - 1u);
    for (std::int64_t r = 0; r < a.rows; ++r) {
        float* y = a.y + r * t_ys(a);
        if (!a.accumulate) std::fill(y, y + a.k, 0.0f);
        const float* x = a.x + r * t_xs(a);
        for (std::int64_t j = 0; j < a.n; ++j) {
            const W* wj = w + j * a.k;
            const __m512 p = _mm512_set1_ps(x[j]);
            std::int64_t c = 0;
            for (; c < kv; c += 16) {
                _mm512_storeu_ps(
                    y + c, _mm512_fmadd_ps(p, load16(wj + c, 0xFFFF), _mm512_loadu_ps(y + c)));
            }
            if (tail) {
                _mm512_mask_storeu_ps(
                    y + c, tail,
                    _mm512_fmadd_ps(p, load16(wj + c, tail), _mm512_maskz_loadu_ps(tail, y + c)));
            }
        }
    }
}

}  // namespace

void gemv_t_rows(const GemvArgs& a) {
    const bool bf = a.wtype == WeightType::BF16;
    const auto* wf = static_cast<const float*>(a.w);
    const auto* wb = static_cast<const std::uint16_t*>(a.w);
    switch (active_cpu_isa()) {
        case CpuIsa::Avx512:
            return bf ? gemv_t_avx512(a, wb) : gemv_t_avx512(a, wf);
        case CpuIsa::Avx2:
            return bf ? gemv_t_avx2(a, wb) : gemv_t_avx2(a, wf);
        case CpuIsa::Scalar:
            break;
    }
    return bf ? gemv_t_scalar(a, wb) : gemv_t_scalar(a, wf);
}

void gemv_t_rows_reference(const GemvArgs& a) {
    for (std::int64_t r = 0; r < a.rows; ++r) {
        for (std::int64_t c = 0; c < a.k; ++c) {
            double s = 0.0;
            for (std::int64_t j = 0; j < a.n; ++j) {
                s += static_cast<double>(a.x[r * t_xs(a) + j]) * weight_at(a, j, c);
            }
            float* y = a.y + r * t_ys(a) + c;
            *y = static_cast<float>((a.accumulate ? *y : 0.0) + s);
        }
    }
}

// ---- softmax
// -------------------------------------------------------------------------------------
namespace {

void softmax_scaled_scalar(float* x, std::int64_t n, float scale) {
    float mx = -std::numeric_limits<float>::infinity();
    for (std::int64_t j = 0; j < n; ++j) {
        x[j] *= scale;
        mx = std::max(mx, x[j]);
    }
    float sum = 0.0f;
    for (std::int64_t j = 0; j < n; ++j) {
        const float e = std::exp(x[j] - mx);
        x[j] = e;
        sum += e;
    }
    const float inv = 1.0f / sum;
    for (std::int64_t j = 0; j < n; ++j) x[j] *= inv;
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) void softmax_scaled_avx512(
    float* x, std::int64_t n, float scale) {
    const __m512 sc = _mm512_set1_ps(scale);
    __m512 vmx = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    std::int64_t j = 0;
    for (; j + 16 <= n; j += 16) {
        const __m512 v = _mm512_mul_ps(_mm512_loadu_ps(x + j), sc);
        _mm512_storeu_ps(x + j, v);
        vmx = _mm512_maskz_max_ps(0xFFFF, vmx, v);
    }
    const auto tail = static_cast<__mmask16>((1u << (n - j)) - 1u);
    if (tail) {
        const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, x + j), sc);
        _mm512_mask_storeu_ps(x + j, tail, v);
        vmx = _mm512_mask_max_ps(vmx, tail, vmx, v);
    }
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, vmx);
    float mx = lanes[0];
    for (int l = 1; l < 16; ++l) mx = std::max(mx, lanes[l]);
    const __m512 m = _mm512_set1_ps(mx);
    __m512 vsum = _mm512_setzero_ps();
    for (j = 0; j + 16 <= n; j += 16) {
        const __m512 e = vec::exp_nonpositive_avx512(_mm512_sub_ps(_mm512_loadu_ps(x + j), m));
        _mm512_storeu_ps(x + j, e);
        vsum = _mm512_add_ps(vsum, e);
    }
    if (tail) {
        const __m512 e =
            vec::exp_nonpositive_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + j), m));
        _mm512_mask_storeu_ps(x + j, tail, e);
        vsum = _mm512_add_ps(vsum, _mm512_maskz_mov_ps(tail, e));
    }
    const __m512 inv = _mm512_set1_ps(1.0f / hsum16(vsum));
    for (j = 0; j + 16 <= n; j += 16) {
        _mm512_storeu_ps(x + j, _mm512_mul_ps(_mm512_loadu_ps(x + j), inv));
    }
    if (tail) {
        _mm512_mask_storeu_ps(x + j, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, x + j), inv));
    }
}

}  // namespace

void softmax_scaled(float* x, std::int64_t n, float scale) {
    if (n <= 0) return;
    if (active_cpu_isa() == CpuIsa::Avx512) return softmax_scaled_avx512(x, n, scale);
    softmax_scaled_scalar(x, n, scale);
}

void softmax_scaled_reference(float* x, std::int64_t n, float scale) {
    double mx = -std::numeric_limits<double>::infinity();
    for (std::int64_t j = 0; j < n; ++j) mx = std::max(mx, static_cast<double>(x[j]) * scale);
    std::vector<double> e(static_cast<std::size_t>(n));
    double sum = 0.0;
    for (std::int64_t j = 0; j < n; ++j) {
        sum += e[static_cast<std::size_t>(j)] = std::exp(static_cast<double>(x[j]) * scale - mx);
    }
    for (std::int64_t j = 0; j < n; ++j) {
        x[j] = static_cast<float>(e[static_cast<std::size_t>(j)] / sum);
    }
}

// ---- small ops ----------------------------------------------------------------------------------
void rms_norm_rows(const float* x, std::int64_t rows, std::int64_t n, const float* weight,
                   double eps, float* out) {
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * n;
        double ss = 0.0;
        for (std::int64_t i = 0; i < n; ++i) ss += static_cast<double>(xr[i]) * xr[i];
        const float mean = static_cast<float>(ss / static_cast<double>(n));
        const float inv = 1.0f / std::sqrt(mean + static_cast<float>(eps));
        float* o = out + r * n;
        for (std::int64_t i = 0; i < n; ++i) o[i] = weight[i] * (xr[i] * inv);
    }
}

namespace {

void silu_mul_scalar(const float* gate, const float* up, std::int64_t n, float* out) {
    for (std::int64_t i = 0; i < n; ++i) out[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

// silu(g) = g sigmoid(g) with e = exp(-|g|) <= 1, the only exp the vector levels have:
// sigmoid(g) = 1 / (1 + e) for g >= 0 and e / (1 + e) below.
__attribute__((target("avx2,fma"))) void silu_mul_avx2(const float* gate, const float* up,
                                                       std::int64_t n, float* out) {
    const __m256 one = _mm256_set1_ps(1.0f), sign = _mm256_set1_ps(-0.0f);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 e = vec::exp_nonpositive_avx2(_mm256_or_ps(g, sign));
        const __m256 num = _mm256_blendv_ps(e, one, _mm256_cmp_ps(g, sign, _CMP_GE_OQ));
        const __m256 sig = _mm256_div_ps(num, _mm256_add_ps(one, e));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(g, sig), _mm256_loadu_ps(up + i)));
    }
    silu_mul_scalar(gate + i, up + i, n - i, out + i);
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) void silu_mul_avx512(
    const float* gate, const float* up, std::int64_t n, float* out) {
    const __m512 one = _mm512_set1_ps(1.0f), sign = _mm512_set1_ps(-0.0f);
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512 g = _mm512_loadu_ps(gate + i);
        const __m512 e = vec::exp_nonpositive_avx512(_mm512_or_ps(g, sign));
        const __mmask16 nonneg = _mm512_cmp_ps_mask(g, _mm512_setzero_ps(), _CMP_GE_OQ);
        const __m512 sig = _mm512_div_ps(_mm512_mask_mov_ps(e, nonneg, one), _mm512_add_ps(one, e));
        _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_mul_ps(g, sig), _mm512_loadu_ps(up + i)));
    }
    silu_mul_scalar(gate + i, up + i, n - i, out + i);
}

}  // namespace

void silu_mul(const float* gate, const float* up, std::int64_t n, float* out) {
    switch (active_cpu_isa()) {
        case CpuIsa::Avx512:
            return silu_mul_avx512(gate, up, n, out);
        case CpuIsa::Avx2:
            return silu_mul_avx2(gate, up, n, out);
        default:
            return silu_mul_scalar(gate, up, n, out);
    }
}

void silu_mul_reference(const float* gate, const float* up, std::int64_t n, float* out) {
    for (std::int64_t i = 0; i < n; ++i) {
        const double g = gate[i];
        out[i] = static_cast<float>(g / (1.0 + std::exp(-g)) * up[i]);
    }
}

void rope_rotate_half(float* x, std::int64_t heads, std::int64_t d, const float* cos,
                      const float* sin) {
    const std::int64_t half = d / 2;
    for (std::int64_t h = 0; h < heads; ++h) {
        float* xh = x + h * d;
        for (std::int64_t i = 0; i < half; ++i) {
            const float a = xh[i], b = xh[i + half];
            xh[i] = a * cos[i] - b * sin[i];
            xh[i + half] = b * cos[i + half] + a * sin[i + half];
        }
    }
}

}  // namespace hace::kernels
