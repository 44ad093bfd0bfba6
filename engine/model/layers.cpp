#include "engine/model/layers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <ATen/Parallel.h>

#include "engine/kernels/decode_ops.h"
#include "engine/kernels/prefill_attention.h"
#include "engine/model/rope.h"

namespace hace::model {

namespace {

bool cpu_bf16(const at::Tensor& t) {
    return t.scalar_type() == at::kBFloat16 && t.device().is_cpu();
}

bool cpu_f32(const at::Tensor& t) {
    return t.scalar_type() == at::kFloat && t.device().is_cpu();
}

// The prompt's row-wise ops on the CPU in float32 run the decode step's kernels
// (engine/kernels/decode_ops.h) over row ranges on ATen's threads: one pass over the rows
// instead of one ATen op (and one fresh tensor) per arithmetic step, 120 of a 840 ms prefill of
// 1024 tokens on llama-134m's shape before. Decode and prompt then also share one arithmetic.
template <class F>
void for_rows(std::int64_t rows, std::int64_t row_elems, const F& f) {
    const std::int64_t grain =
        std::max<std::int64_t>(1, (16 << 10) / std::max<std::int64_t>(1, row_elems));
    at::parallel_for(0, rows, grain, f);
}

}  // namespace

at::Tensor dense(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
    if (!cpu_bf16(x) || !cpu_bf16(w)) return at::linear(x, w, b);
    const at::Tensor bf = b.defined() ? b.to(at::kFloat) : b;
    return at::linear(x.to(at::kFloat), w.to(at::kFloat), bf).to(at::kBFloat16);
}

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
    if (cpu_f32(x) && cpu_f32(weight) && x.is_contiguous() && weight.is_contiguous() &&
        weight.numel() == x.size(-1)) {
        const std::int64_t n = x.size(-1), rows = x.numel() / std::max<std::int64_t>(1, n);
        at::Tensor out = at::empty_like(x);
        const float* xp = x.data_ptr<float>();
        const float* wp = weight.data_ptr<float>();
        float* op = out.data_ptr<float>();
        for_rows(rows, n, [&](std::int64_t b, std::int64_t e) {
            kernels::rms_norm_rows(xp + b * n, e - b, n, wp, eps, op + b * n);
        });
        return out;
    }
    const at::Tensor xf = x.scalar_type() == at::kFloat ? x : x.to(at::kFloat);
    const at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
    return weight * (x.scalar_type() == at::kFloat ? normed : normed.to(x.scalar_type()));
}

at::Tensor swiglu_mlp(const at::Tensor& x, const at::Tensor& w_gate_up, const at::Tensor& b_gate_up,
                      const at::Tensor& w_down, const at::Tensor& b_down) {
    const at::Tensor gu = dense(x, w_gate_up, b_gate_up);
    const std::int64_t i = gu.size(1) / 2;
    if (cpu_f32(gu) && gu.dim() == 2 && gu.is_contiguous()) {
        at::Tensor act = at::empty({gu.size(0), i}, gu.options());
        const float* g = gu.data_ptr<float>();
        float* a = act.data_ptr<float>();
        for_rows(gu.size(0), i, [&](std::int64_t b, std::int64_t e) {
            for (std::int64_t r = b; r < e; ++r)
                kernels::silu_mul(g + r * 2 * i, g + r * 2 * i + i, i, a + r * i);
        });
        return dense(act, w_down, b_down);
    }
    return dense(at::silu(gu.narrow(1, 0, i)) * gu.narrow(1, i, i), w_down, b_down);
}

at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                      double eps) {
    return at::layer_norm(x, {x.size(-1)}, weight, bias, eps);
}

RopeTables make_rope_tables(std::int64_t positions, std::int64_t head_dim, double theta,
                            at::ScalarType dtype) {
    return rope_rows(rope_inv_freq(head_dim, theta, {}), 0, positions, 1.0, dtype);
}

RopeTables rope_rows(const std::vector<double>& inv_freq, std::int64_t start, std::int64_t t,
                     double scale, at::ScalarType dtype) {
    const auto dbl = at::TensorOptions().dtype(at::kDouble);
    const auto half = static_cast<std::int64_t>(inv_freq.size());
    const at::Tensor freq = at::empty({half}, dbl);
    std::copy(inv_freq.begin(), inv_freq.end(), freq.data_ptr<double>());
    const at::Tensor angles = at::outer(at::arange(start, start + t, dbl), freq);  // [t, half]
    // cos/sin are taken in double and only then rounded, so long positions stay exact.
    at::Tensor c = angles.cos(), s = angles.sin();
    if (scale != 1.0) {
        c.mul_(scale);
        s.mul_(scale);
    }
    c = c.to(dtype);
    s = s.to(dtype);
    return {at::cat({c, c}, -1), at::cat({s, s}, -1)};
}

at::Tensor apply_rope(const at::Tensor& x, const RopeTables& rope, std::int64_t start) {
    const std::int64_t t = x.size(1);
    const std::int64_t half = x.size(2) / 2;
    if (cpu_f32(x) && x.stride(2) == 1 && cpu_f32(rope.cos) && rope.cos.is_contiguous() &&
        rope.sin.is_contiguous() && rope.cos.size(1) == x.size(2) &&
        rope.cos.size(0) >= start + t) {
        const std::int64_t heads = x.size(0), d = x.size(2);
        at::Tensor out = at::empty({heads, t, d}, x.options());
        const float* xp = x.data_ptr<float>();
        const float* cp = rope.cos.data_ptr<float>() + start * d;
        const float* sp = rope.sin.data_ptr<float>() + start * d;
        float* op = out.data_ptr<float>();
        const std::int64_t s0 = x.stride(0), s1 = x.stride(1);
        for_rows(heads * t, d, [&](std::int64_t b, std::int64_t e) {
            for (std::int64_t r = b; r < e; ++r) {
                const std::int64_t h = r / t, i = r % t;
                float* o = op + r * d;
                std::copy_n(xp + h * s0 + i * s1, d, o);
                kernels::rope_rotate_half(o, 1, d, cp + i * d, sp + i * d);
            }
        });
        return out;
    }
    const at::Tensor cos = rope.cos.narrow(0, start, t);  // [T, d], broadcasts over heads
    const at::Tensor sin = rope.sin.narrow(0, start, t);
    const at::Tensor rotated = at::cat({-x.narrow(2, half, half), x.narrow(2, 0, half)}, -1);
    return x * cos + rotated * sin;
}

at::Tensor causal_gqa_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                std::int64_t start, double scale, std::int64_t window) {
    const std::int64_t hq = q.size(0);
    const std::int64_t t = q.size(1);
    const std::int64_t d = q.size(2);
    const std::int64_t hkv = k.size(0);
    const std::int64_t g = hq / hkv;
    const std::int64_t end = start + t;
    const at::Tensor keys_t = k.narrow(1, 0, end).transpose(1, 2);  // [Hkv, d, end]
    const at::Tensor values = v.narrow(1, 0, end);                  // [Hkv, end, d]
    const at::Tensor q4 = q.view({hkv, g, t, d});
    const bool low_precision = q.scalar_type() != at::kFloat;

    if (t == 1) {  // decode: one query per head; a window only trims the oldest keys
        const std::int64_t first = window > 0 ? std::max<std::int64_t>(0, end - window) : 0;
        at::Tensor scores =
            at::bmm(q4.reshape({hkv, g, d}), keys_t.narrow(2, first, end - first)).mul_(scale);
        at::Tensor probs = low_precision ? scores.to(at::kFloat).softmax(-1).to(q.scalar_type())
                                         : scores.softmax(-1);
        return at::bmm(probs, values.narrow(1, first, end - first)).reshape({1, hq * d});
    }

    // A bf16 prompt on the CPU attends in float32 (see dense()): widened copies of the visible
    // keys/values and the queries, the output rounded back.
    if (cpu_bf16(q)) {
        return causal_gqa_attention(q.to(at::kFloat), k.narrow(1, 0, end).to(at::kFloat),
                                    v.narrow(1, 0, end).to(at::kFloat), start, scale, window)
            .to(at::kBFloat16);
    }

    // float32 on the CPU: the fused tiled kernel (its header says why and how exact).
    if (q.device().is_cpu() && q.scalar_type() == at::kFloat && k.scalar_type() == at::kFloat &&
        v.scalar_type() == at::kFloat) {
        const auto channels_contiguous = [](const at::Tensor& x) {
            return x.stride(2) == 1 ? x : x.contiguous();
        };
        const at::Tensor qc = channels_contiguous(q), kc = channels_contiguous(k),
                         vc = channels_contiguous(v);
        at::Tensor out = at::empty({t, hq * d}, q.options());
        kernels::PrefillAttentionArgs args;
        args.q = qc.data_ptr<float>();
        args.q_head_stride = qc.stride(0);
        args.q_row_stride = qc.stride(1);
        args.k = kc.data_ptr<float>();
        args.k_head_stride = kc.stride(0);
        args.k_row_stride = kc.stride(1);
        args.v = vc.data_ptr<float>();
        args.v_head_stride = vc.stride(0);
        args.v_row_stride = vc.stride(1);
        args.out = out.data_ptr<float>();
        args.hq = hq;
        args.hkv = hkv;
        args.t = t;
        args.d = d;
        args.start = start;
        args.window = window;
        args.scale = static_cast<float>(scale);
        args.threads = at::in_parallel_region() ? 1 : at::get_num_threads();
        kernels::prefill_attention(args);
        return out;
    }

    // Other devices and dtypes: ATen in query chunks, so that one chunk's scores stay around
    // 32 MiB for all heads. A chunk of
    // queries [a, a + c) sees keys [0, start + a + c) only; just its last c columns can be masked.
    const std::int64_t budget_elems = (32ll << 20) / 4;
    const std::int64_t chunk =
        std::clamp<std::int64_t>(budget_elems / std::max<std::int64_t>(1, hq * end), 16, 1024);
    at::Tensor out = at::empty({t, hq, d}, q.options());
    const auto idx_opts = at::TensorOptions().dtype(at::kLong);
    at::Tensor causal_mask;  // [c, c], true above the diagonal: the chunk's own future keys
    for (std::int64_t a = 0; a < t; a += chunk) {
        const std::int64_t c = std::min(chunk, t - a);
        const std::int64_t visible = start + a + c;
        const std::int64_t first =
            window > 0 ? std::max<std::int64_t>(0, start + a - window + 1) : 0;
        const std::int64_t span = visible - first;
        const at::Tensor qc = q4.narrow(2, a, c).reshape({hkv, g * c, d});
        const at::Tensor kc = keys_t.narrow(2, first, span);
        at::Tensor scores = at::bmm(qc, kc).mul_(scale);
        if (low_precision) scores = scores.to(at::kFloat);
        scores = scores.view({hkv, g, c, span});
        if (window > 0) {
            // Query i (position start + a + i) may see key position p iff
            // start + a + i - window < p <= start + a + i.
            const at::Tensor key_pos = at::arange(first, visible, idx_opts).unsqueeze(0);
            const at::Tensor query_pos = at::arange(start + a, visible, idx_opts).unsqueeze(1);
            at::Tensor masked = key_pos > query_pos;  // [c, span]
            masked.logical_or_(key_pos <= query_pos - window);
            scores.masked_fill_(masked, -std::numeric_limits<float>::infinity());
        } else {
            // Every key before the chunk is visible to all its queries; of its own c keys,
            // query i sees the first i + 1.
            if (!causal_mask.defined() || causal_mask.size(0) != c) {
                causal_mask = at::ones({c, c}, at::TensorOptions().dtype(at::kBool)).triu(1);
            }
            scores.narrow(3, span - c, c)
                .masked_fill_(causal_mask, -std::numeric_limits<float>::infinity());
        }
        at::Tensor probs = scores.softmax(-1);
        if (low_precision) probs = probs.to(q.scalar_type());
        const at::Tensor oc = at::bmm(probs.view({hkv, g * c, span}),
                                      values.narrow(1, first, span));  // [Hkv, G*c, d]
        out.narrow(0, a, c).copy_(oc.view({hq, c, d}).transpose(0, 1));
    }
    return out.view({t, hq * d});
}

}  // namespace hace::model
