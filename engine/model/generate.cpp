#include "engine/model/generate.h"

#include <algorithm>
#include <chrono>

#include "engine/core/error.h"

namespace hace::model {
namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

GenerateResult generate(const Model& model, std::span<const TokenId> prompt,
                        const GenerateOptions& opts) {
    const auto& cfg = model.config();
    if (prompt.empty()) throw InputError("the prompt is empty (no tokens)");
    if (opts.max_new_tokens < 0) throw InputError("max-new-tokens must be >= 0");
    const auto n = static_cast<std::int64_t>(prompt.size());
    if (n > cfg.max_positions) {
        throw InputError("prompt of " + std::to_string(n) + " tokens is longer than " +
                         "max_position_embeddings = " + std::to_string(cfg.max_positions));
    }
    // The last sampled token is never fed back, so the cache needs n + max_new - 1 positions;
    // generation stops early (not an error) when the model's positions run out.
    const std::int64_t wanted = n + std::max<std::int64_t>(0, opts.max_new_tokens - 1);
    const std::int64_t capacity = std::min(wanted, cfg.max_positions);
    const std::int32_t max_new = static_cast<std::int32_t>(
        std::min<std::int64_t>(opts.max_new_tokens, cfg.max_positions - n + 1));

    std::vector<TokenId> stops = opts.stop_ids.empty() ? cfg.eos_ids : opts.stop_ids;
    Sampler sampler(opts.sampling);
    const std::int64_t max_tokens = std::max<std::int64_t>(capacity, n);
    auto session = opts.make_session ? opts.make_session(max_tokens) : model.new_session(max_tokens);

    GenerateResult r;
    r.prompt_tokens = n;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<float> logits = session->prefill(prompt);
    r.prefill_ms = ms_since(t0);
    if (opts.on_prefill) opts.on_prefill(*session);

    t0 = std::chrono::steady_clock::now();
    for (std::int32_t step = 0; step < max_new; ++step) {
        if (step > 0) {
            session->decode_step_into(r.output_ids.back(), logits);  // reuses the buffer
            ++r.decode_steps;
        }
        if (opts.on_logits) opts.on_logits(step, logits);
        const TokenId next = sampler.next(logits);
        r.output_ids.push_back(next);
        if (opts.on_token) opts.on_token(step + 1, max_new);
        if (!opts.ignore_eos && std::find(stops.begin(), stops.end(), next) != stops.end()) {
            r.stopped_by_eos = true;
            break;
        }
    }
    r.decode_ms = ms_since(t0);
    r.kv = session->kv_stats();
    return r;
}

}  // namespace hace::model
