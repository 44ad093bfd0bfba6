// The one Session implementation: input checks, prefill and decode over any KvCache.
#include <algorithm>
#include <stdexcept>

#include "engine/core/error.h"
#include "engine/model/causal_lm.h"
#include "engine/model/prompt_recording.h"
#include "engine/model/weight_source.h"

namespace hace::model {
namespace {

std::vector<float> to_vector(const at::Tensor& t) {
    const float* p = t.data_ptr<float>();
    return std::vector<float>(p, p + t.numel());
}

// One decode step of one sequence: the family's decode path, else the tensor forward.
void decode_row(const CausalLm& model, std::int64_t id, KvCache& cache, float* out) {
    if (model.decode_into(id, cache, out)) return;
    const at::Tensor id_t = at::full({1}, id, at::kLong);
    const at::Tensor logits = model.logits(model.forward(id_t, cache));
    std::copy_n(logits.data_ptr<float>(), model.config().vocab, out);
}

void check_batch(std::span<Session* const> sessions, std::span<const TokenId> ids,
                 std::span<float> logits, std::int64_t vocab) {
    if (ids.size() != sessions.size() ||
        static_cast<std::int64_t>(logits.size()) != static_cast<std::int64_t>(ids.size()) * vocab) {
        throw std::invalid_argument("decode_batch: need one id per session and [B, vocab] logits");
    }
    for (std::size_t b = 0; b < sessions.size(); ++b) {
        if (!sessions[b]) throw std::invalid_argument("decode_batch: a session is null");
        for (std::size_t c = 0; c < b; ++c) {
            if (sessions[c] == sessions[b]) {
                throw std::invalid_argument("decode_batch: a session appears twice");
            }
        }
    }
}

class CausalLmSession final : public Session {
public:
    CausalLmSession(const CausalLm& m, std::unique_ptr<KvCache> cache)
        : model_(m), cache_(std::move(cache)) {}

    std::vector<float> prefill(std::span<const TokenId> ids, bool all_positions) override {
        const at::Tensor h = model_.forward(checked_ids(ids), *cache_);
        return to_vector(model_.logits(all_positions ? h : h.narrow(0, h.size(0) - 1, 1)));
    }

    std::vector<float> prefill_recorded(std::span<const TokenId> ids,
                                        std::shared_ptr<const PromptRecording>* out) override {
        check_empty("prefill_recorded");
        const at::Tensor id_t = checked_ids(ids);
        auto rec = std::make_shared<RecordedPrompt>(model_, ids);
        RecordingKvCache recorder(*cache_, *rec);
        const at::Tensor h = model_.forward(id_t, recorder);
        recorder.finish();
        rec->last_logits = to_vector(model_.logits(h.narrow(0, h.size(0) - 1, 1)));
        if (out) *out = rec;
        return rec->last_logits;
    }

    std::vector<float> prefill_replayed(const PromptRecording& recording) override {
        const auto* rec = dynamic_cast<const RecordedPrompt*>(&recording);
        if (!rec || rec->model() != &model_) {
            throw std::invalid_argument("prefill_replayed: recorded by another model");
        }
        check_empty("prefill_replayed");
        check_room(static_cast<std::int64_t>(rec->ids().size()));
        replay_prompt(*rec, *cache_);
        return rec->last_logits;
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
        decode_row(model_, check_id(id), *cache_, out.data());
    }

    std::int64_t position() const override { return cache_->length(); }
    std::int64_t capacity() const override { return cache_->capacity(); }
    KvStats kv_stats() const override { return cache_->stats(); }
    const CompressionReport* compression_report() const override { return cache_->report(); }

    // For CausalLm::decode_batch: the checks of one row before any row runs.
    bool of_model(const CausalLm& m) const { return &model_ == &m; }
    KvCache& checked_cache() {
        check_room(1);
        return *cache_;
    }

    std::int64_t check_id(TokenId id) const {
        if (id < 0 || id >= model_.config().vocab) {
            throw InputError("token id " + std::to_string(id) + " is outside the vocabulary [0, " +
                             std::to_string(model_.config().vocab) + ")");
        }
        return id;
    }

private:
    at::Tensor checked_ids(std::span<const TokenId> ids) const {
        if (ids.empty()) throw InputError("prefill: the prompt is empty");
        check_room(static_cast<std::int64_t>(ids.size()));
        at::Tensor id_t = at::empty({static_cast<std::int64_t>(ids.size())}, at::kLong);
        auto* p = id_t.data_ptr<std::int64_t>();
        for (std::size_t i = 0; i < ids.size(); ++i) p[i] = check_id(ids[i]);
        return id_t;
    }

    void check_empty(const char* what) const {
        if (cache_->length() != 0) {
            throw std::logic_error(std::string(what) + ": the session is not empty");
        }
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

void Model::decode_batch(std::span<Session* const> sessions, std::span<const TokenId> ids,
                         std::span<float> logits) const {
    const auto vocab = static_cast<std::size_t>(config().vocab);
    check_batch(sessions, ids, logits, config().vocab);
    for (std::size_t b = 0; b < sessions.size(); ++b) {
        sessions[b]->decode_step_into(ids[b], logits.subspan(b * vocab, vocab));
    }
}

void CausalLm::decode_batch_into(std::span<const std::int64_t> ids,
                                 std::span<KvCache* const> caches, float* logits) const {
    for (std::size_t b = 0; b < ids.size(); ++b) {
        decode_row(*this, ids[b], *caches[b], logits + static_cast<std::int64_t>(b) * cfg_.vocab);
    }
}

void CausalLm::decode_batch(std::span<Session* const> sessions, std::span<const TokenId> ids,
                            std::span<float> logits) const {
    check_batch(sessions, ids, logits, cfg_.vocab);
    for (Session* s : sessions) {
        const auto* own = dynamic_cast<const CausalLmSession*>(s);
        if (!own || !own->of_model(*this)) return Model::decode_batch(sessions, ids, logits);
    }
    // Reused between steps (per thread), so steady batched decoding allocates nothing here.
    thread_local std::vector<std::int64_t> toks;
    thread_local std::vector<KvCache*> caches;
    toks.clear();
    caches.clear();
    // Every row is checked before any runs, so a bad row leaves all sessions untouched.
    for (std::size_t b = 0; b < sessions.size(); ++b) {
        auto* s = static_cast<CausalLmSession*>(sessions[b]);
        caches.push_back(&s->checked_cache());
        toks.push_back(s->check_id(ids[b]));
    }
    decode_batch_into(toks, caches, logits.data());
}

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
