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
