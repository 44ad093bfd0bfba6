#include "engine/eval/hiv/attention_probe_cache.h"

#include <limits>

namespace hace::eval {
namespace {

// Delegates storage and attention to the full cache and keeps its own float32 copy of the keys,
// from which a decode step's probabilities are computed exactly as the model's attention does
// (scale, GQA grouping, sliding window).
class ProbeCache final : public model::KvCache {
public:
    ProbeCache(const model::CacheShape& shape, const model::AttentionSpec& spec,
               AttentionProbe probe)
        : inner_(model::make_full_cache(shape, spec)), spec_(spec), probe_(std::move(probe)) {
        for (std::int64_t l = 0; l < shape.n_layers; ++l) {
            keys_.push_back(at::empty({shape.n_kv_heads, shape.capacity, shape.head_dim},
                                      at::TensorOptions().dtype(at::kFloat)));
        }
    }

    at::Tensor attend(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
                      const at::Tensor& v) override {
        const std::int64_t t = k.size(1), start = inner_->length();
        at::Tensor& keys = keys_[static_cast<std::size_t>(layer)];
        keys.narrow(1, start, t).copy_(k);
        if (t == 1) report(layer, q, keys.narrow(1, 0, start + 1));
        return inner_->attend(layer, q, k, v);
    }

    void advance(std::int64_t t) override { inner_->advance(t); }
    std::int64_t length() const override { return inner_->length(); }
    std::int64_t capacity() const override { return inner_->capacity(); }
    model::KvStats stats() const override { return inner_->stats(); }

private:
    void report(std::int64_t layer, const at::Tensor& q, const at::Tensor& keys) {
        const std::int64_t hq = q.size(0), hkv = keys.size(0), len = keys.size(1);
        const at::Tensor kq = keys.repeat_interleave(hq / hkv, 0);             // [Hq, len, d]
        at::Tensor logits = at::matmul(q.to(at::kFloat), kq.transpose(1, 2))  // [Hq, 1, len]
                                .mul_(spec_.scale)
                                .view({hq, len});
        if (spec_.sliding_window > 0 && len > spec_.sliding_window) {
            logits.narrow(1, 0, len - spec_.sliding_window)
                .fill_(-std::numeric_limits<float>::infinity());
        }
        const at::Tensor probs = logits.softmax(-1).contiguous();
        probe_(layer, probs.data_ptr<float>(), hq, len);
    }

    std::unique_ptr<model::KvCache> inner_;
    model::AttentionSpec spec_;
    AttentionProbe probe_;
    std::vector<at::Tensor> keys_;
};

}  // namespace

std::unique_ptr<model::KvCache> make_probe_cache(const model::CacheShape& shape,
                                                 const model::AttentionSpec& spec,
                                                 AttentionProbe probe) {
    return std::make_unique<ProbeCache>(shape, spec, std::move(probe));
}

}  // namespace hace::eval
