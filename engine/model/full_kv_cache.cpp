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
        const std::int64_t t = k.size(1);
        const auto l = static_cast<std::size_t>(layer);
        k_[l].narrow(1, length_, t).copy_(k);
        v_[l].narrow(1, length_, t).copy_(v);
        return causal_gqa_attention(q, k_[l], v_[l], length_, spec_.scale, spec_.sliding_window);
    }

    // One token: store its rows in place (rounded to bf16 for a bf16 cache) and attend with the
    // decode kernel; float32 and bf16 caches only.
    bool attend_decode(std::int64_t layer, const float* q, const float* k, const float* v,
                       float* out) override {
        const bool bf16 = shape_.dtype == at::kBFloat16;
        if ((!bf16 && shape_.dtype != at::kFloat) || shape_.n_q_heads <= 0) return false;
        const auto l = static_cast<std::size_t>(layer);
        const std::int64_t d = shape_.head_dim, cap = shape_.capacity;
        for (std::int64_t g = 0; g < shape_.n_kv_heads; ++g) {
            const std::int64_t row = (g * cap + length_) * d;
            if (bf16) {
                auto* kd = static_cast<std::uint16_t*>(k_[l].data_ptr()) + row;
                auto* vd = static_cast<std::uint16_t*>(v_[l].data_ptr()) + row;
                for (std::int64_t c = 0; c < d; ++c) {
                    kd[c] = kernels::f32_to_bf16(k[g * d + c]);
                    vd[c] = kernels::f32_to_bf16(v[g * d + c]);
                }
            } else {
                std::memcpy(k_[l].data_ptr<float>() + row, k + g * d, sizeof(float) * d);
                std::memcpy(v_[l].data_ptr<float>() + row, v + g * d, sizeof(float) * d);
            }
        }
        const std::int64_t end = length_ + 1;
        kernels::DecodeAttentionArgs a;
        a.q = q;
        a.k = k_[l].data_ptr();
        a.v = v_[l].data_ptr();
        a.kv_type = bf16 ? kernels::WeightType::BF16 : kernels::WeightType::F32;
        a.n_kv_heads = shape_.n_kv_heads;
        a.head_dim = d;
        a.group = shape_.n_q_heads / shape_.n_kv_heads;
        a.stride = cap;
        a.first =
            spec_.sliding_window > 0 ? std::max<std::int64_t>(0, end - spec_.sliding_window) : 0;
        a.end = end;
        a.scale = static_cast<float>(spec_.scale);
        a.out = out;
        kernels::decode_attention(a);
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
