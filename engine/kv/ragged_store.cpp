#include "engine/kv/ragged_store.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "engine/core/error.h"
#include "engine/kernels/ragged_decode_attention.h"

namespace hace::kv {
namespace {

at::Tensor index_tensor(const std::vector<std::int64_t>& idx) {
    return at::tensor(at::ArrayRef<std::int64_t>(idx), at::TensorOptions().dtype(at::kLong));
}

}  // namespace

RaggedStore::RaggedStore(const model::CacheShape& shape, std::optional<quant::KiviParams> kivi,
                         bool entry_scores)
    : shape_(shape),
      kivi_(kivi),
      entry_scores_(entry_scores),
      elem_(static_cast<std::int64_t>(c10::elementSize(shape.dtype))),
      layers_(static_cast<std::size_t>(shape.n_layers)) {}

std::vector<std::int64_t> RaggedStore::iota_positions(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(std::max<std::int64_t>(0, to - from)));
    std::iota(v.begin(), v.end(), from);
    return v;
}

// ---- prefill -------------------------------------------------------------------------------

void RaggedStore::layout(StoreLayer& L, const std::vector<std::vector<std::int64_t>>& keep,
                         const std::vector<std::int64_t>& budgets, std::int64_t slack,
                         const at::TensorOptions& opts) {
    L.heads.assign(keep.size(), {});
    std::int64_t offset = 0;
    for (std::size_t h = 0; h < keep.size(); ++h) {
        Segment& s = L.heads[h];
        s.offset = offset;
        s.length = static_cast<std::int64_t>(keep[h].size());
        s.capacity = s.length + slack;
        s.budget = s.limit = budgets[h];
        s.positions = keep[h];
        offset += s.capacity;
    }
    L.k = at::empty({offset, shape_.head_dim}, opts);
    L.v = at::empty({offset, shape_.head_dim}, opts);
}

void RaggedStore::store(std::int64_t l, const at::Tensor& k, const at::Tensor& v,
                        const std::vector<std::vector<std::int64_t>>& keep,
                        const std::vector<std::int64_t>& budgets, std::int64_t slack) {
    StoreLayer& L = layer(l);
    const std::int64_t n = k.size(1), d = k.size(2);
    layout(L, keep, budgets, slack, k.options());
    std::vector<std::int64_t> src, dst;
    for (std::size_t h = 0; h < keep.size(); ++h) {
        const Segment& s = L.heads[h];
        for (std::size_t i = 0; i < keep[h].size(); ++i) {
            src.push_back(static_cast<std::int64_t>(h) * n + keep[h][i]);
            dst.push_back(s.offset + static_cast<std::int64_t>(i));
        }
    }
    gather_rows(L, k.reshape({k.size(0) * n, d}), v.reshape({v.size(0) * n, d}), src, dst);
    L.holds_all = false;
}

void RaggedStore::hold_all(std::int64_t l, const at::Tensor& k, const at::Tensor& v,
                           std::int64_t selectable) {
    const std::int64_t n = k.size(1), d = k.size(2);
    // A tensor that is a view into a larger buffer (V out of the fused QKV projection) is
    // copied, so holding it never keeps that buffer alive.
    auto own = [](const at::Tensor& t) {
        const bool owned =
            t.is_contiguous() && t.storage_offset() == 0 &&
            t.storage().nbytes() == static_cast<std::size_t>(t.numel()) * t.element_size();
        return owned ? t : t.clone(at::MemoryFormat::Contiguous);
    };
    StoreLayer& L = layer(l);
    L.k = own(k).view({k.size(0) * n, d});
    L.v = own(v).view({v.size(0) * n, d});
    L.heads.assign(static_cast<std::size_t>(k.size(0)), {});
    for (std::size_t h = 0; h < L.heads.size(); ++h) {
        Segment& s = L.heads[h];
        s.offset = static_cast<std::int64_t>(h) * n;
        s.length = s.capacity = n;
        s.budget = s.limit = selectable;
        s.positions = iota_positions(0, n);
    }
    L.holds_all = true;
}

void RaggedStore::shrink(std::int64_t l, const std::vector<std::vector<std::int64_t>>& keep,
                         const std::vector<std::int64_t>& budgets, std::int64_t slack) {
    StoreLayer& L = layer(l);
    // Gather from the current segments: positions -> row index inside the segment.
    const at::Tensor old_k = L.k, old_v = L.v;
    const auto old_heads = L.heads;
    layout(L, keep, budgets, slack, old_k.options());
    std::vector<std::int64_t> src, dst;
    for (std::size_t h = 0; h < keep.size(); ++h) {
        const Segment& old = old_heads[h];
        std::size_t r = 0;
        for (std::size_t i = 0; i < keep[h].size(); ++i) {
            while (old.positions[r] != keep[h][i]) ++r;  // both ascending; keep is a subset
            src.push_back(old.offset + static_cast<std::int64_t>(r));
            dst.push_back(L.heads[h].offset + static_cast<std::int64_t>(i));
        }
    }
    gather_rows(L, old_k, old_v, src, dst);
    L.holds_all = false;
}

void RaggedStore::reorder(std::int64_t l, const std::vector<std::vector<std::int64_t>>& rows) {
    StoreLayer& L = layer(l);
    std::vector<std::int64_t> src, dst;
    for (std::size_t h = 0; h < L.heads.size(); ++h) {
        Segment& s = L.heads[h];
        std::vector<std::int64_t> positions;
        for (std::size_t i = 0; i < rows[h].size(); ++i) {
            src.push_back(s.offset + rows[h][i]);
            dst.push_back(s.offset + static_cast<std::int64_t>(i));
            positions.push_back(s.positions[static_cast<std::size_t>(rows[h][i])]);
        }
        s.positions = std::move(positions);
    }
    gather_rows(L, L.k, L.v, src, dst);  // index_select copies before the scatter
    L.score_ordered = true;
}

// L.k[dst[i]] = k[src[i]] (and V) for all heads of the layer in one gather and one scatter:
// per-head tensor ops cost more than the copies themselves on small heads.
void RaggedStore::gather_rows(StoreLayer& L, const at::Tensor& k, const at::Tensor& v,
                              const std::vector<std::int64_t>& src,
                              const std::vector<std::int64_t>& dst) {
    if (src.empty()) return;
    const at::Tensor s = index_tensor(src), t = index_tensor(dst);
    L.k.index_copy_(0, t, k.index_select(0, s));
    L.v.index_copy_(0, t, v.index_select(0, s));
}

void RaggedStore::quantize(std::int64_t l) {
    StoreLayer& L = layer(l);
    const at::Tensor k = L.k.to(at::kFloat).contiguous(), v = L.v.to(at::kFloat).contiguous();
    const std::int64_t d = shape_.head_dim;
    L.kivi.clear();
    for (const Segment& seg : L.heads) {
        L.kivi.emplace_back(*kivi_, static_cast<int>(d));
        L.kivi.back().append_prompt(k.data_ptr<float>() + seg.offset * d,
                                    v.data_ptr<float>() + seg.offset * d, seg.length);
    }
    L.k = at::Tensor();  // the full-precision rows are gone: only the quantised store remains
    L.v = at::Tensor();
}

// ---- compaction ----------------------------------------------------------------------------

void RaggedStore::keep_rows(StoreLayer& L, Segment& s, const std::vector<std::int64_t>& rows) {
    const at::Tensor idx = index_tensor(rows);
    const auto n = static_cast<std::int64_t>(rows.size());
    for (at::Tensor* buf : {&L.k, &L.v}) {
        buf->narrow(0, s.offset, n).copy_(buf->narrow(0, s.offset, s.length).index_select(0, idx));
    }
    std::vector<std::int64_t> positions;
    std::vector<float> scores;
    for (std::int64_t r : rows) {
        positions.push_back(s.positions[static_cast<std::size_t>(r)]);
        if (!s.entry_scores.empty()) scores.push_back(s.entry_scores[static_cast<std::size_t>(r)]);
    }
    s.positions = std::move(positions);
    s.entry_scores = std::move(scores);
    s.length = n;
}

void RaggedStore::remove_rows(StoreLayer& L, Segment& s, std::int64_t first, std::int64_t count) {
    const std::int64_t tail = s.length - first - count;
    const auto row = static_cast<std::size_t>(shape_.head_dim * elem_);
    for (at::Tensor* buf : {&L.k, &L.v}) {
        auto* base = static_cast<char*>(buf->data_ptr()) +
                     (s.offset + first) * static_cast<std::int64_t>(row);
        std::memmove(base, base + count * static_cast<std::int64_t>(row),
                     static_cast<std::size_t>(tail) * row);
    }
    s.positions.erase(s.positions.begin() + first, s.positions.begin() + first + count);
    if (!s.entry_scores.empty()) {
        s.entry_scores.erase(s.entry_scores.begin() + first,
                             s.entry_scores.begin() + first + count);
    }
    s.length -= count;
}

// ---- decode --------------------------------------------------------------------------------

void RaggedStore::push_position(Segment& s, std::int64_t position) {
    s.positions.push_back(position);
    if (entry_scores_) s.entry_scores.push_back(0.0f);
    ++s.length;
}

// With a sliding window (Mistral) an entry whose position is <= current - window can never be
// attended again: the cache rolls, dropping it from the front of the segment.
void RaggedStore::drop_outside_window(StoreLayer& L, Segment& s, std::int64_t position,
                                      std::int64_t sliding_window) {
    if (sliding_window <= 0) return;
    const std::int64_t oldest_visible = position - sliding_window + 1;
    if (L.score_ordered) {  // the entries to drop can sit anywhere among the kept prompt ones
        std::vector<std::int64_t> rows;
        for (std::int64_t r = 0; r < s.length; ++r) {
            if (s.positions[static_cast<std::size_t>(r)] >= oldest_visible) rows.push_back(r);
        }
        if (static_cast<std::int64_t>(rows.size()) < s.length) keep_rows(L, s, rows);
        return;
    }
    std::int64_t drop = 0;
    while (drop < s.length && s.positions[static_cast<std::size_t>(drop)] < oldest_visible) ++drop;
    if (drop == 0) return;
    remove_rows(L, s, 0, drop);
}

at::Tensor RaggedStore::decode(std::int64_t l, const at::Tensor& q, const at::Tensor& k,
                               const at::Tensor& v, std::int64_t position,
                               std::int64_t sliding_window, double scale, const StepHook& hook) {
    StoreLayer& L = layer(l);
    if (!L.kivi.empty()) return decode_kivi(L, q, k, v, position, scale);
    if (shape_.dtype == at::kFloat) {
        return decode_f32(L, q, k, v, position, sliding_window, scale, hook);
    }
    return decode_generic(L, q, k, v, position, sliding_window, scale, hook);
}

at::Tensor RaggedStore::decode_generic(StoreLayer& L, const at::Tensor& q, const at::Tensor& k,
                                       const at::Tensor& v, std::int64_t position,
                                       std::int64_t window, double scale, const StepHook& hook) {
    const auto hkv = static_cast<std::int64_t>(L.heads.size());
    const std::int64_t d = shape_.head_dim;
    const std::int64_t g = q.size(0) / hkv;               // query heads per segment
    const std::int64_t per_kv = hkv / shape_.n_kv_heads;  // segments per KV head
    at::Tensor out = at::empty({1, q.size(0) * d}, q.options());
    for (std::int64_t h = 0; h < hkv; ++h) {
        Segment& s = L.heads[static_cast<std::size_t>(h)];
        if (s.length >= s.capacity) throw InputError("compressed cache: segment is full");
        L.k[s.offset + s.length].copy_(k[h / per_kv][0]);
        L.v[s.offset + s.length].copy_(v[h / per_kv][0]);
        push_position(s, position);
        drop_outside_window(L, s, position, window);
        const at::Tensor keys = L.k.narrow(0, s.offset, s.length);    // [len, d]
        const at::Tensor values = L.v.narrow(0, s.offset, s.length);  // [len, d]
        const at::Tensor qh = q.narrow(0, h * g, g).reshape({g, d});
        at::Tensor probs = at::mm(qh, keys.t()).mul_(scale).to(at::kFloat).softmax(-1);
        out.narrow(1, h * g * d, g * d)
            .copy_(at::mm(probs.to(values.scalar_type()), values).reshape({1, g * d}));
        if (hook) hook(L, s, StepProbs{probs.data_ptr<float>(), g, probs.size(1), s.length});
    }
    return out;
}

// The float32 path: one call of the ragged kernel per layer instead of a few tensor ops per head
// (per-op overhead dominates small heads on the CPU).
at::Tensor RaggedStore::decode_f32(StoreLayer& L, const at::Tensor& q, const at::Tensor& k,
                                   const at::Tensor& v, std::int64_t position, std::int64_t window,
                                   double scale, const StepHook& hook) {
    const auto hkv = static_cast<std::int64_t>(L.heads.size());
    const std::int64_t d = shape_.head_dim;
    const std::int64_t g = q.size(0) / hkv;               // query heads per segment
    const std::int64_t per_kv = hkv / shape_.n_kv_heads;  // segments per KV head
    offsets_.resize(static_cast<std::size_t>(hkv));
    lengths_.resize(static_cast<std::size_t>(hkv));
    std::int64_t max_len = 0;
    const at::Tensor kc = k.contiguous(), vc = v.contiguous();  // [Hkv, 1, d]
    for (std::int64_t h = 0; h < hkv; ++h) {
        Segment& s = L.heads[static_cast<std::size_t>(h)];
        if (s.length >= s.capacity) throw InputError("compressed cache: segment is full");
        std::memcpy(L.k.data_ptr<float>() + (s.offset + s.length) * d,
                    kc.data_ptr<float>() + (h / per_kv) * d,
                    static_cast<std::size_t>(d) * sizeof(float));
        std::memcpy(L.v.data_ptr<float>() + (s.offset + s.length) * d,
                    vc.data_ptr<float>() + (h / per_kv) * d,
                    static_cast<std::size_t>(d) * sizeof(float));
        push_position(s, position);
        drop_outside_window(L, s, position, window);
        offsets_[static_cast<std::size_t>(h)] = s.offset;
        lengths_[static_cast<std::size_t>(h)] = s.length;
        max_len = std::max(max_len, s.length);
    }
    const at::Tensor qc = q.reshape({q.size(0), d}).contiguous();
    at::Tensor out = at::empty({1, q.size(0) * d}, q.options());
    kernels::RaggedDecodeArgs a;
    a.q = qc.data_ptr<float>();
    a.k = L.k.data_ptr<float>();
    a.v = L.v.data_ptr<float>();
    a.offsets = offsets_.data();
    a.lengths = lengths_.data();
    a.n_kv_heads = hkv;
    a.group = g;
    a.head_dim = d;
    a.scale = static_cast<float>(scale);
    a.out = out.data_ptr<float>();
    if (hook) {
        probs_.resize(static_cast<std::size_t>(q.size(0) * max_len));
        a.probs = probs_.data();
        a.probs_stride = max_len;
    }
    kernels::ragged_decode_attention_cpu(a);
    if (hook) {
        for (std::int64_t h = 0; h < hkv; ++h) {
            Segment& s = L.heads[static_cast<std::size_t>(h)];
            hook(L, s, StepProbs{probs_.data() + h * g * max_len, g, max_len, s.length});
        }
    }
    return out;
}

bool RaggedStore::decode_segments(std::int64_t l, const float* q, const float* k, const float* v,
                                  float* out, std::int64_t position, std::int64_t sliding_window,
                                  double scale, bool want_probs,
                                  std::vector<kernels::AttentionSegment>& segments) {
    StoreLayer& L = layer(l);
    const bool bf16 = shape_.dtype == at::kBFloat16;
    if (!L.kivi.empty() || (!bf16 && shape_.dtype != at::kFloat) || shape_.n_q_heads <= 0) {
        return false;
    }
    const auto hkv = static_cast<std::int64_t>(L.heads.size());
    const std::int64_t d = shape_.head_dim;
    const std::int64_t g = shape_.n_q_heads / hkv;        // query heads per segment
    const std::int64_t per_kv = hkv / shape_.n_kv_heads;  // segments per KV head
    std::int64_t max_len = 0;
    for (std::int64_t h = 0; h < hkv; ++h) {
        Segment& s = L.heads[static_cast<std::size_t>(h)];
        if (s.length >= s.capacity) throw InputError("compressed cache: segment is full");
        const float* kh = k + (h / per_kv) * d;
        const float* vh = v + (h / per_kv) * d;
        const std::int64_t row = (s.offset + s.length) * d;
        if (bf16) {
            auto* kd = static_cast<std::uint16_t*>(L.k.data_ptr()) + row;
            auto* vd = static_cast<std::uint16_t*>(L.v.data_ptr()) + row;
            for (std::int64_t c = 0; c < d; ++c) {
                kd[c] = kernels::f32_to_bf16(kh[c]);
                vd[c] = kernels::f32_to_bf16(vh[c]);
            }
        } else {
            std::memcpy(L.k.data_ptr<float>() + row, kh,
                        static_cast<std::size_t>(d) * sizeof(float));
            std::memcpy(L.v.data_ptr<float>() + row, vh,
                        static_cast<std::size_t>(d) * sizeof(float));
        }
        push_position(s, position);
        drop_outside_window(L, s, position, sliding_window);
        max_len = std::max(max_len, s.length);
    }
    probs_stride_ = want_probs ? max_len : 0;
    if (want_probs) probs_.resize(static_cast<std::size_t>(hkv * g * max_len));
    for (std::int64_t h = 0; h < hkv; ++h) {
        const Segment& s = L.heads[static_cast<std::size_t>(h)];
        kernels::AttentionSegment a;
        a.q = q + h * g * d;
        a.k = static_cast<const char*>(L.k.data_ptr()) + s.offset * d * elem_;
        a.v = static_cast<const char*>(L.v.data_ptr()) + s.offset * d * elem_;
        a.kv_type = bf16 ? kernels::WeightType::BF16 : kernels::WeightType::F32;
        a.rows = s.length;
        a.head_dim = d;
        a.group = g;
        a.scale = static_cast<float>(scale);
        a.out = out + h * g * d;
        if (want_probs) {
            a.probs = probs_.data() + h * g * max_len;
            a.probs_stride = max_len;
        }
        segments.push_back(a);
    }
    return true;
}

void RaggedStore::finish_decode_segments(std::int64_t l, const StepHook& hook) {
    if (!hook || probs_stride_ == 0) return;
    StoreLayer& L = layer(l);
    const auto hkv = static_cast<std::int64_t>(L.heads.size());
    const std::int64_t g = shape_.n_q_heads / hkv;
    for (std::int64_t h = 0; h < hkv; ++h) {
        Segment& s = L.heads[static_cast<std::size_t>(h)];
        hook(L, s, StepProbs{probs_.data() + h * g * probs_stride_, g, probs_stride_, s.length});
    }
}

// KIVI storage: append the new token to each head's quantised segment (its residual) and attend
// over the dequantised groups + the residual in one softmax.
at::Tensor RaggedStore::decode_kivi(StoreLayer& L, const at::Tensor& q, const at::Tensor& k,
                                    const at::Tensor& v, std::int64_t position, double scale) {
    const auto hkv = static_cast<std::int64_t>(L.heads.size());
    const std::int64_t d = shape_.head_dim;
    const std::int64_t g = q.size(0) / hkv;
    const std::int64_t per_kv = hkv / shape_.n_kv_heads;
    const at::Tensor kc = k.to(at::kFloat).contiguous(), vc = v.to(at::kFloat).contiguous();
    const at::Tensor qc = q.to(at::kFloat).reshape({q.size(0), d}).contiguous();
    at::Tensor out = at::empty({1, q.size(0) * d}, qc.options());
    for (std::int64_t h = 0; h < hkv; ++h) {
        Segment& s = L.heads[static_cast<std::size_t>(h)];
        quant::KiviSegment& store = L.kivi[static_cast<std::size_t>(h)];
        store.append(kc.data_ptr<float>() + (h / per_kv) * d,
                     vc.data_ptr<float>() + (h / per_kv) * d);
        push_position(s, position);
        store.attend(qc.data_ptr<float>() + h * g * d, static_cast<int>(g),
                     static_cast<float>(scale), out.data_ptr<float>() + h * g * d);
    }
    return out.to(q.scalar_type());
}

// ---- statistics ----------------------------------------------------------------------------

model::KvStats RaggedStore::stats(std::int64_t tokens_seen) const {
    model::KvStats s;
    s.full_entries = shape_.n_layers * shape_.n_kv_heads * tokens_seen;
    std::int64_t quantised_bytes = 0, plain_entries = 0;
    for (const auto& L : layers_) {
        for (const auto& seg : L.heads) s.kept_entries += seg.length;
        if (L.k.defined()) s.capacity_bytes += 2 * L.k.numel() * elem_;
        if (L.kivi.empty()) {
            for (const auto& seg : L.heads) plain_entries += seg.length;
        }
        for (const auto& q : L.kivi) quantised_bytes += q.bytes();
    }
    s.capacity_bytes += quantised_bytes;
    s.bytes = plain_entries * 2 * shape_.head_dim * elem_ + quantised_bytes;
    return s;
}

std::vector<std::vector<std::int64_t>> RaggedStore::kept_positions(std::int64_t l) const {
    std::vector<std::vector<std::int64_t>> out;
    for (const auto& s : layer(l).heads) {
        auto kept = s.positions;
        std::sort(kept.begin(), kept.end());
        out.push_back(std::move(kept));
    }
    return out;
}

}  // namespace hace::kv
