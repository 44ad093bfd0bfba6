#include "engine/model/sequence_run.h"

#include <algorithm>
#include <chrono>
#include <string>

#include "engine/core/error.h"

namespace hace::model {

SequenceRun::SequenceRun(const Model& model, std::span<const TokenId> prompt, GenerateOptions opts)
    : opts_(std::move(opts)), sampler_(opts_.sampling) {
    const auto& cfg = model.config();
    if (prompt.empty()) throw InputError("the prompt is empty (no tokens)");
    if (opts_.max_new_tokens < 0) throw InputError("max-new-tokens must be >= 0");
    const auto n = static_cast<std::int64_t>(prompt.size());
    if (n > cfg.max_positions) {
        throw InputError("prompt of " + std::to_string(n) + " tokens is longer than " +
                         "max_position_embeddings = " + std::to_string(cfg.max_positions));
    }
    // The last sampled token is never fed back, so the cache needs n + max_new - 1 positions;
    // generation stops early (not an error) when the model's positions run out.
    const std::int64_t wanted = n + std::max<std::int64_t>(0, opts_.max_new_tokens - 1);
    const std::int64_t capacity = std::min(wanted, cfg.max_positions);
    max_new_ = static_cast<std::int32_t>(
        std::min<std::int64_t>(opts_.max_new_tokens, cfg.max_positions - n + 1));
    stops_ = opts_.stop_ids.empty() ? cfg.eos_ids : opts_.stop_ids;
    const std::int64_t max_tokens = std::max<std::int64_t>(capacity, n);
    session_ = opts_.make_session ? opts_.make_session(max_tokens) : model.new_session(max_tokens);

    result_.prompt_tokens = n;
    const auto t0 = std::chrono::steady_clock::now();
    logits_ = session_->prefill(prompt);
    result_.prefill_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (opts_.on_prefill) opts_.on_prefill(*session_);
}

void SequenceRun::take(std::span<const float> logits) {
    if (opts_.on_logits) opts_.on_logits(taken_, logits);
    const TokenId next = sampler_.next(logits);
    result_.output_ids.push_back(next);
    ++taken_;
    if (opts_.on_token) opts_.on_token(taken_, max_new_);
    if (!opts_.ignore_eos && std::find(stops_.begin(), stops_.end(), next) != stops_.end()) {
        result_.stopped_by_eos = true;
        stopped_ = true;
    }
}

GenerateResult SequenceRun::finish(double decode_ms) {
    result_.decode_ms = decode_ms;
    result_.kv = session_->kv_stats();
    return std::move(result_);
}

}  // namespace hace::model
