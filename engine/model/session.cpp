// The one Session implementation: input checks, prefill and decode over any KvCache.
#include <algorithm>
#include <stdexcept>

#include "engine/core/error.h"
#include "engine/model/causal_lm.h"
#include "engine/model/weight_source.h"

namespace hace::model {
namespace {

std::vector<float> to_vector(const at::Tensor& t) {
    const float* p = t.data_ptr<float>();
    return std::vector<float>(p, p + t.numel());
}

class CausalLmSession final : public Session {
public:
    CausalLmSession(const CausalLm& m, std::unique_ptr<KvCache> cache)
        : model_(m), cache_(std::move(cache)) {}

    std::vector<float> prefill(std::span<const TokenId> ids, bool all_positions) override {
        if (ids.empty()) throw InputError("prefill: the prompt is empty");
        check_room(static_cast<std::int64_t>(ids.size()));
        at::Tensor id_t = at::empty({static_cast<std::int64_t>(ids.size())}, at::kLong);
        auto* p = id_t.data_ptr<std::int64_t>();
        for (std::size_t i = 0; i < ids.size(); ++i) p[i] = check_id(ids[i]);
        const at::Tensor h = model_.forward(id_t, *cache_);
        return to_vector(model_.logits(all_positions ? h : h.narrow(0, h.size(0) - 1, 1)));
    }

    std::vector<float> decode_step(TokenId id) override {
        std::vector<float> out(static_cast<std::size_t>(model_.config().vocab));
        decode_step_into(id, out);
        return out;
    }

    void decode_step_into(TokenId id, std::span<float> out) override {
        check_room(1);
        if (static_cast<std::int64_t>(out.size()) != model_.config().vocab) {
            throw std::invalid_argument("decode_step_into: the logits buffer is not [vocab]");
        }
        const std::int64_t tok = check_id(id);
        if (model_.decode_into(tok, *cache_, out.data())) return;
        const at::Tensor id_t = at::full({1}, tok, at::kLong);
        const at::Tensor logits = model_.logits(model_.forward(id_t, *cache_));
        std::copy_n(logits.data_ptr<float>(), out.size(), out.begin());
    }

    std::int64_t position() const override { return cache_->length(); }
    std::int64_t capacity() const override { return cache_->capacity(); }
    KvStats kv_stats() const override { return cache_->stats(); }
    const CompressionReport* compression_report() const override { return cache_->report(); }

private:
    std::int64_t check_id(TokenId id) const {
        if (id < 0 || id >= model_.config().vocab) {
            throw InputError("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                             std::to_string(model_.config().vocab) + ")");
        }
        return id;
    }
    void check_room(std::int64_t n) const {
        if (cache_->length() + n > cache_->capacity()) {
            throw InputError("sequence of " + std::to_string(cache_->length() + n) +
                             " tokens exceeds the session capacity of " +
                             std::to_string(cache_->capacity()));
        }
    }

    const CausalLm& model_;
    std::unique_ptr<KvCache> cache_;
};

}  // namespace

CacheShape CausalLm::cache_shape(std::int64_t capacity) const {
    const auto& c = config();
    return {c.n_layers, c.n_kv_heads, c.head_dim, capacity, to_scalar_type(run_dtype()),
            c.n_q_heads};
}

std::unique_ptr<Session> CausalLm::new_session(std::int64_t max_tokens) const {
    const auto& c = config();
    if (max_tokens <= 0 || max_tokens > c.max_positions) {
        throw InputError(std::to_string(max_tokens) + " tokens (prompt + new tokens) exceed " +
                         "max_position_embeddings = " + std::to_string(c.max_positions) +
                         (c.source.empty() ? "" : " of " + c.source.string()));
    }
    return make_session(*this, make_full_cache(cache_shape(max_tokens), attention_spec()));
}

std::unique_ptr<Session> make_session(const CausalLm& model, std::unique_ptr<KvCache> cache) {
    return std::make_unique<CausalLmSession>(model, std::move(cache));
}

}  // namespace hace::model
