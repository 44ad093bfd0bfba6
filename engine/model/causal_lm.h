// What every family forward implements (internal, ATen), and the one Session built on it.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>

#include <ATen/ATen.h>

#include "engine/model/kv_cache.h"
#include "engine/model/model.h"

namespace hace::model {

class CausalLm : public Model {
public:
    const ModelConfig& config() const final { return cfg_; }
    DType run_dtype() const final { return dtype_; }
    std::string device() const final { return "cpu"; }
    std::int64_t weight_bytes() const final { return weight_bytes_; }

    // Runs T new tokens (ids [T], int64) at positions cache.length().., storing their K/V through
    // cache.attend() and calling cache.advance(T) at the end. Returns final hidden states
    // [T, hidden] after the last norm.
    virtual at::Tensor forward(const at::Tensor& ids, KvCache& cache) const = 0;
    // hidden [T, hidden] -> float32 logits [T, vocab], contiguous.
    virtual at::Tensor logits(const at::Tensor& hidden) const = 0;
    virtual AttentionSpec attention_spec() const = 0;
    // One decode step of token `id` straight to float32 logits [vocab] on preallocated buffers
    // (no tensor ops, no allocation; calls cache.advance(1)). Returns false, having done
    // nothing, where a family or state has no such path; then forward() + logits() run.
    virtual bool decode_into(std::int64_t id, KvCache& cache, float* logits) const { return false; }
    // One decode step of B sequences: token ids[b] at position caches[b]->length() of sequence b,
    // float32 logits [B, vocab] row-major; advance(1) on every cache. Each row gives the logits
    // decode_into (or forward + logits) gives for it alone. The default runs the rows one by one.
    virtual void decode_batch_into(std::span<const std::int64_t> ids,
                                   std::span<KvCache* const> caches, float* logits) const;
    // Sessions of this model made by make_session go through decode_batch_into; any other
    // session falls back to the rows one by one.
    void decode_batch(std::span<Session* const> sessions, std::span<const TokenId> ids,
                      std::span<float> logits) const override;

    // Sessions over a full cache; other caches come through make_session.
    std::unique_ptr<Session> new_session(std::int64_t max_tokens) const override;
    CacheShape cache_shape(std::int64_t capacity) const;

protected:
    CausalLm(const ModelConfig& cfg, const LoadOptions& opts)
        : cfg_(cfg), dtype_(opts.dtype.value_or(DType::F32)) {}
    // Adds the bytes of the defined tensors to weight_bytes().
    void count_weights(std::initializer_list<const at::Tensor*> tensors) {
        for (const auto* t : tensors) {
            if (t->defined()) weight_bytes_ += static_cast<std::int64_t>(t->nbytes());
        }
    }

    ModelConfig cfg_;
    DType dtype_ = DType::F32;
    std::int64_t weight_bytes_ = 0;
};

// A session of `model` over `cache` (the session owns the cache).
std::unique_ptr<Session> make_session(const CausalLm& model, std::unique_ptr<KvCache> cache);

}  // namespace hace::model
