// Decode-step CPU kernels over raw row-major buffers: the weight GEMV (f32 or bf16 weights,
// f32 accumulation) and the few small ops around it, so a decode step runs on preallocated
// buffers without per-op tensor dispatch or allocation. Every kernel serves B rows at once
// (B sequences of a batch, or B query heads of one KV head): the weights are read once per call,
// not once per row. gemv_rows / gemv_t_rows dispatch at run time (cpu_isa.h) between AVX-512,
// AVX2+FMA and a scalar loop; *_reference are plain double-accumulating loops for the tests.
#pragma once

#include <cstdint>

namespace hace::kernels {

enum class WeightType { F32, BF16 };  // BF16: the upper 16 bits of an IEEE float32

// y[r, j] = (accumulate ? y[r, j] : 0) + bias[j] + sum_c x[r, c] w[j, c],
// r < rows, j < n, c < k. w is [n, k] row-major (a Linear weight).
struct GemvArgs {
    const float* x = nullptr;
    std::int64_t rows = 1;
    std::int64_t k = 0;
    std::int64_t x_stride = 0;  // 0: k
    const void* w = nullptr;
    WeightType wtype = WeightType::F32;
    std::int64_t n = 0;
    const float* bias = nullptr;  // optional [n]
    float* y = nullptr;
    std::int64_t y_stride = 0;  // 0: n
    bool accumulate = false;
    bool parallel = true;  // split the output rows over the OpenMP threads when large enough
};
void gemv_rows(const GemvArgs& a);
void gemv_rows_reference(const GemvArgs& a);

// y[r, c] = (accumulate ? y[r, c] : 0) + sum_j x[r, j] w[j, c], j < n, c < k: the transposed
// product (attention probabilities times the value rows). Serial.
void gemv_t_rows(const GemvArgs& a);
void gemv_t_rows_reference(const GemvArgs& a);

// x[j] = softmax(scale * x)[j], j < n, in place (attention probabilities). The scalar and AVX2
// levels use std::exp and a sequential sum (the arithmetic the method-dump goldens were recorded
// with); the AVX-512 level a vectorised exp (Cephes' polynomial, within a few ulp of std::exp)
// and 16 partial sums. softmax_scaled_reference accumulates in double.
void softmax_scaled(float* x, std::int64_t n, float scale);
void softmax_scaled_reference(float* x, std::int64_t n, float scale);

// bf16 <-> f32 (round to nearest even, as torch does).
float bf16_to_f32(std::uint16_t b);
std::uint16_t f32_to_bf16(float f);

// out[r] = weight * x[r] / sqrt(mean(x[r]^2) + eps), rows of length n.
void rms_norm_rows(const float* x, std::int64_t rows, std::int64_t n, const float* weight,
                   double eps, float* out);
// out[i] = silu(gate[i]) * up[i]. The AVX2 and AVX-512 levels use the vectorised exp (within a
// few ulp); silu_mul_reference computes in double.
void silu_mul(const float* gate, const float* up, std::int64_t n, float* out);
void silu_mul_reference(const float* gate, const float* up, std::int64_t n, float* out);
// Rotate-half RoPE in place on `heads` rows of length d: x = x cos + rotate_half(x) sin.
void rope_rotate_half(float* x, std::int64_t heads, std::int64_t d, const float* cos,
                      const float* sin);

}  // namespace hace::kernels
