// Prefill + decode loop with timing, stop tokens and a per-step observer.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "engine/model/model.h"
#include "engine/model/sampler.h"

namespace hace::model {

struct GenerateOptions {
    std::int32_t max_new_tokens = 32;
    bool ignore_eos = false;
    std::vector<TokenId> stop_ids;  // empty: the model's eos_token_id(s)
    SamplingParams sampling;
    // Called with the logits each new token is chosen from (step 0 = last prompt position).
    std::function<void(std::int32_t step, std::span<const float> logits)> on_logits;
    // Builds the session (e.g. over a compressed cache); default: model.new_session.
    std::function<std::unique_ptr<Session>(std::int64_t max_tokens)> make_session;
    // Called once after the prefill with the session (compression report, statistics).
    std::function<void(const Session& session)> on_prefill;
    // Called after each generated token (progress).
    std::function<void(std::int32_t done, std::int32_t total)> on_token;
};

struct GenerateResult {
    std::int64_t prompt_tokens = 0;
    std::vector<TokenId> output_ids;
    bool stopped_by_eos = false;
    double prefill_ms = 0.0;
    double decode_ms = 0.0;           // all decode steps together
    std::int64_t decode_steps = 0;    // forward passes after the prefill
    double decode_ms_per_token() const { return decode_steps ? decode_ms / decode_steps : 0.0; }
    double total_ms() const { return prefill_ms + decode_ms; }
    KvStats kv;
    // 1: generated alone (generate). B > 1: by generate_batch with B slots; decode_ms is then
    // this sequence's share of the batched steps' wall time (see generate_batch.h).
    std::int32_t batch_size = 1;
};

GenerateResult generate(const Model& model, std::span<const TokenId> prompt,
                        const GenerateOptions& opts);

}  // namespace hace::model
