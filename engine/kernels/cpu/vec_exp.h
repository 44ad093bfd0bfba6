// e^x for x <= 0 (a score minus its row maximum), vectorised, shared by the softmax of decode
// attention and the prefill attention. x = k ln2 + r with |r| <= ln2 / 2, e^r by Cephes' expf
// polynomial (relative error about 1e-7), times 2^k. -inf (a masked score) gives exactly 0.
// Internal to engine/kernels/cpu: functions with target attributes, included by the kernels that
// dispatch on cpu_isa.h.
#pragma once

#include <immintrin.h>

namespace hace::kernels::vec {

// The polynomial part, e^r for |r| <= ln2 / 2, on any float vector type through its ops.
#define HACE_EXP_POLY(FMA, SET1, MUL, ADD, r)                                          \
    ADD(FMA(FMA(FMA(FMA(FMA(FMA(SET1(1.9875691500e-4f), r, SET1(1.3981999507e-3f)), r, \
                            SET1(8.3334519073e-3f)),                                   \
                        r, SET1(4.1665795894e-2f)),                                    \
                    r, SET1(1.6666665459e-1f)),                                        \
                r, SET1(5.0000001201e-1f)),                                            \
            MUL(r, r), r),                                                             \
        SET1(1.0f))

// 2^k by vscalefps, which also underflows cleanly: below -103.9 (and for -inf) the result is 0,
// as std::exp gives in float. The maskz forms keep GCC 12's -Wmaybe-uninitialized quiet.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq"))) inline __m512 exp_nonpositive_avx512(
    __m512 x) {
    const __m512 k =
        _mm512_maskz_roundscale_ps(0xFFFF, _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(-2.12194440e-4f), r);
    const __m512 y =
        HACE_EXP_POLY(_mm512_fmadd_ps, _mm512_set1_ps, _mm512_mul_ps, _mm512_add_ps, r);
    const __mmask16 live = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-103.9f), _CMP_GE_OQ);
    return _mm512_maskz_scalef_ps(live, y, k);
}

// 2^k built in the exponent field, so k >= -126 only: below -87.3 (e^x < 1.2e-38, and -inf) the
// result is 0 where std::exp would give a denormal.
__attribute__((target("avx2,fma"))) inline __m256 exp_nonpositive_avx2(__m256 x) {
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(-2.12194440e-4f), r);
    const __m256 y =
        HACE_EXP_POLY(_mm256_fmadd_ps, _mm256_set1_ps, _mm256_mul_ps, _mm256_add_ps, r);
    const __m256i bits =
        _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    const __m256 live = _mm256_cmp_ps(x, _mm256_set1_ps(-87.3f), _CMP_GE_OQ);
    return _mm256_and_ps(_mm256_mul_ps(y, _mm256_castsi256_ps(bits)), live);
}

#undef HACE_EXP_POLY

}  // namespace hace::kernels::vec
