// Building blocks shared by the family forwards (internal; includes ATen).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

namespace hace::model {

// y = x w^T + b, the Linear of every family forward. bf16 on the CPU runs as a float32 GEMM on
// widened copies, rounded back to bf16: LibTorch 1.13's CPU bf16 GEMM is a plain loop (about
// 2 GFLOP/s on the 2-core machines, 1024-token prefill of a 100M model in 2 minutes), float32
// goes to the tuned BLAS, and float32 accumulation is what the decode kernels do anyway. Other
// dtypes and devices call at::linear as it is.
at::Tensor dense(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b = {});

// RMSNorm as Hugging Face computes it: statistics in float32, result cast back, then scaled.
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

// LayerNorm over the last dimension (OPT); weight and bias may be undefined.
at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                      double eps);

// Gated MLP of Llama and Qwen: down(silu(gate(x)) * up(x)) with the gate and up projections
// fused into one matrix w_gate_up [2 I, hidden] (gate rows first). Biases may be undefined.
at::Tensor swiglu_mlp(const at::Tensor& x, const at::Tensor& w_gate_up, const at::Tensor& b_gate_up,
                      const at::Tensor& w_down, const at::Tensor& b_down);

// cos/sin tables [positions, head_dim] for rotate-half RoPE, computed in double precision.
struct RopeTables {
    at::Tensor cos;
    at::Tensor sin;
};
RopeTables make_rope_tables(std::int64_t positions, std::int64_t head_dim, double theta,
                            at::ScalarType dtype);
// Rows for positions start..start+t-1 of the frequencies inv_freq [head_dim / 2]: angles p * f
// duplicated over both halves, cos and sin both multiplied by `scale`.
RopeTables rope_rows(const std::vector<double>& inv_freq, std::int64_t start, std::int64_t t,
                     double scale, at::ScalarType dtype);

// Applies rotate-half RoPE in place semantics to x [heads, T, head_dim] for positions
// start..start+T-1 and returns the rotated tensor.
at::Tensor apply_rope(const at::Tensor& x, const RopeTables& rope, std::int64_t start);

// Causal grouped-query attention of T new queries at positions start..start+T-1 against the
// first start+T cached keys/values, never holding a [T, start+T] matrix of all heads: float32 on
// the CPU through the tiled kernel of engine/kernels/prefill_attention.h (bf16 widened to it),
// other devices and dtypes through ATen in query chunks.
//   q: [Hq, T, d] (rotated), k/v: [Hkv, >= start+T, d] (cache views), returns [T, Hq * d].
// Query head h reads KV head h / (Hq / Hkv), as Hugging Face's repeat_kv does.
// window > 0 restricts query i to keys j with 0 <= i - j < window (Mistral's sliding window).
at::Tensor causal_gqa_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                std::int64_t start, double scale, std::int64_t window = 0);

}  // namespace hace::model
