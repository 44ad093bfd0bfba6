#include "engine/model/layers.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hace::model {

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
    const at::Tensor xf = x.scalar_type() == at::kFloat ? x : x.to(at::kFloat);
    const at::Tensor normed = xf * at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
    return weight * (x.scalar_type() == at::kFloat ? normed : normed.to(x.scalar_type()));
}

RopeTables make_rope_tables(std::int64_t positions, std::int64_t head_dim, double theta,
                            at::ScalarType dtype) {
    const std::int64_t half = head_dim / 2;
    const auto dbl = at::TensorOptions().dtype(at::kDouble);
    const at::Tensor inv_freq =
        1.0 / at::pow(theta, at::arange(0, head_dim, 2, dbl) / static_cast<double>(head_dim));
    const at::Tensor pos = at::arange(positions, dbl);
    const at::Tensor freqs = at::outer(pos, inv_freq);  // [P, half]
    const at::Tensor emb = at::cat({freqs, freqs}, -1);  // [P, d]
    (void)half;
    return {emb.cos().to(dtype).contiguous(), emb.sin().to(dtype).contiguous()};
}

at::Tensor apply_rope(const at::Tensor& x, const RopeTables& rope, std::int64_t start) {
    const std::int64_t t = x.size(1);
    const std::int64_t half = x.size(2) / 2;
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
    const at::Tensor values = v.narrow(1, 0, end);                 // [Hkv, end, d]
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

    // Chunk the queries so that one chunk's scores stay around 32 MiB for all heads.
    const std::int64_t budget_elems = (32ll << 20) / 4;
    const std::int64_t chunk =
        std::clamp<std::int64_t>(budget_elems / std::max<std::int64_t>(1, hq * end), 16, 1024);
    at::Tensor out = at::empty({t, hq, d}, q.options());
    const auto idx_opts = at::TensorOptions().dtype(at::kLong);
    const at::Tensor key_pos = at::arange(end, idx_opts);
    for (std::int64_t a = 0; a < t; a += chunk) {
        const std::int64_t c = std::min(chunk, t - a);
        const at::Tensor qc = q4.narrow(2, a, c).reshape({hkv, g * c, d});
        at::Tensor scores = at::bmm(qc, keys_t).mul_(scale).view({hkv, g, c, end});
        const at::Tensor query_pos = at::arange(start + a, start + a + c, idx_opts).unsqueeze(1);
        at::Tensor masked = key_pos.unsqueeze(0) > query_pos;  // [c, end]
        if (window > 0) masked.logical_or_(key_pos.unsqueeze(0) <= query_pos - window);
        if (low_precision) scores = scores.to(at::kFloat);
        scores.masked_fill_(masked, -std::numeric_limits<float>::infinity());
        at::Tensor probs = scores.softmax(-1);
        if (low_precision) probs = probs.to(q.scalar_type());
        const at::Tensor oc = at::bmm(probs.view({hkv, g * c, end}), values);  // [Hkv, G*c, d]
        out.narrow(0, a, c).copy_(oc.view({hq, c, d}).transpose(0, 1));
    }
    return out.view({t, hq * d});
}

}  // namespace hace::model
