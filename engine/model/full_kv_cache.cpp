#include <algorithm>
#include <cstring>

#include "engine/kernels/decode_ops.h"
#include "engine/model/kv_cache.h"
#include "engine/model/layers.h"

namespace hace::model {
namespace {

class FullKvCache final : public KvCache {
public:
    FullKvCache(const CacheShape& s, const AttentionSpec& spec) : shape_(s), spec_(spec) {
        const auto opts = at::TensorOptions().dtype(s.dtype);
        for (std::int64_t l = 0; l < s.n_layers; ++l) {
            k_.push_back(at::empty({s.n_kv_heads, s.capacity, s.head_dim}, opts));
            v_.push_back(at::empty({s.n_kv_heads, s.capacity, s.head_dim}, opts));
        }
    }

    at::Tensor attend(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
                      const at::Tensor& v) override {
        store(layer, q, k, v);
        // The first forward (the prompt) attends over the K/V as passed, exactly as a compressing
        // cache's prefill does: a prompt forward is then the same computation over every cache,
        // which prefill sharing (prompt_recording.h) relies on.
        if (length_ == 0)
            return causal_gqa_attention(q, k, v, 0, spec_.scale, spec_.sliding_window);
        const auto l = static_cast<std::size_t>(layer);
        return causal_gqa_attention(q, k_[l], v_[l], length_, spec_.scale, spec_.sliding_window);
    }

    void store(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
               const at::Tensor& v) override {
        const std::int64_t t = k.size(1);
        const auto l = static_cast<std::size_t>(layer);
        k_[l].narrow(1, length_, t).copy_(k);
        v_[l].narrow(1, length_, t).copy_(v);
    }

    // One token: store its rows in place (rounded to bf16 for a bf16 cache); each KV head is one
    // segment over its visible rows. float32 and bf16 caches only.
    bool decode_segments(std::int64_t layer, const float* q, const float* k, const float* v,
                         float* out, std::vector<kernels::AttentionSegment>& segments) override {
        const bool bf16 = shape_.dtype == at::kBFloat16;
        if ((!bf16 && shape_.dtype != at::kFloat) || shape_.n_q_heads <= 0) return false;
        const auto l = static_cast<std::size_t>(layer);
        const std::int64_t d = shape_.head_dim, cap = shape_.capacity;
        const std::int64_t esize = bf16 ? 2 : 4;
        const std::int64_t group = shape_.n_q_heads / shape_.n_kv_heads;
        const std::int64_t end = length_ + 1;
        const std::int64_t first =
            spec_.sliding_window > 0 ? std::max<std::int64_t>(0, end - spec_.sliding_window) : 0;
        auto* kbase = static_cast<char*>(k_[l].data_ptr());
        auto* vbase = static_cast<char*>(v_[l].data_ptr());
        for (std::int64_t g = 0; g < shape_.n_kv_heads; ++g) {
            const std::int64_t row = g * cap + length_;
            if (bf16) {
                auto* kd = reinterpret_cast<std::uint16_t*>(kbase) + row * d;
                auto* vd = reinterpret_cast<std::uint16_t*>(vbase) + row * d;
                for (std::int64_t c = 0; c < d; ++c) {
                    kd[c] = kernels::f32_to_bf16(k[g * d + c]);
                    vd[c] = kernels::f32_to_bf16(v[g * d + c]);
                }
            } else {
                std::memcpy(reinterpret_cast<float*>(kbase) + row * d, k + g * d,
                            sizeof(float) * d);
                std::memcpy(reinterpret_cast<float*>(vbase) + row * d, v + g * d,
                            sizeof(float) * d);
            }
            kernels::AttentionSegment s;
            s.q = q + g * group * d;
            s.k = kbase + (g * cap + first) * d * esize;
            s.v = vbase + (g * cap + first) * d * esize;
            s.kv_type = bf16 ? kernels::WeightType::BF16 : kernels::WeightType::F32;
            s.rows = end - first;
            s.head_dim = d;
            s.group = group;
            s.scale = static_cast<float>(spec_.scale);
            s.out = out + g * group * d;
            segments.push_back(s);
        }
        return true;
    }

    void advance(std::int64_t t) override { length_ += t; }
    std::int64_t length() const override { return length_; }
    std::int64_t capacity() const override { return shape_.capacity; }

    KvStats stats() const override {
        const std::int64_t elem = static_cast<std::int64_t>(c10::elementSize(shape_.dtype));
        const std::int64_t per_entry = 2 * shape_.head_dim * elem;
        KvStats s;
        s.full_entries = shape_.n_layers * shape_.n_kv_heads * length_;
        s.kept_entries = s.full_entries;
        s.bytes = s.kept_entries * per_entry;
        s.capacity_bytes = shape_.n_layers * shape_.n_kv_heads * shape_.capacity * per_entry;
        return s;
    }

private:
    CacheShape shape_;
    AttentionSpec spec_;
    std::vector<at::Tensor> k_, v_;
    std::int64_t length_ = 0;
};

}  // namespace

std::unique_ptr<KvCache> make_full_cache(const CacheShape& shape, const AttentionSpec& spec) {
    return std::make_unique<FullKvCache>(shape, spec);
}

}  // namespace hace::model
