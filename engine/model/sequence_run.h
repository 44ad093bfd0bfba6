// One sequence's generation as a step machine: checks, session, prefill, then one chosen token per
// step. generate() drives one run through its own decode steps; generate_batch() drives several
// runs through shared batched decode steps. Both therefore apply the same capacity, stop,
// sampling and callback rules, token for token.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "engine/model/generate.h"
#include "engine/model/sampler.h"

namespace hace::model {

class SequenceRun {
public:
    // Checks the prompt and options (InputError), builds the session (opts.make_session or
    // model.new_session), runs the prefill (timed as prefill_ms) and calls on_prefill.
    SequenceRun(const Model& model, std::span<const TokenId> prompt, GenerateOptions opts);

    // True while another token is due (not stopped, fewer than max_new_tokens chosen).
    bool wants_more() const { return !stopped_ && taken_ < max_new_; }
    // Tokens chosen so far; the first is chosen from the prefill's logits, every later one
    // from a decode step of last().
    std::int32_t taken() const { return taken_; }
    TokenId last() const { return result_.output_ids.back(); }
    Session& session() { return *session_; }
    // [vocab]: the prefill's logits, reusable as the decode buffer.
    std::span<float> logits() { return logits_; }
    double prefill_ms() const { return result_.prefill_ms; }

    // Chooses the next token from `logits`: on_logits, sampling, on_token, the stop check.
    void take(std::span<const float> logits);
    // Counts a decode step (a forward pass after the prefill) of this sequence.
    void count_decode_step() { ++result_.decode_steps; }
    // The result, with decode_ms as given and the cache statistics as they are now.
    GenerateResult finish(double decode_ms);

private:
    GenerateOptions opts_;
    std::vector<TokenId> stops_;
    Sampler sampler_;
    std::int32_t max_new_ = 0;
    std::int32_t taken_ = 0;
    bool stopped_ = false;
    std::unique_ptr<Session> session_;
    std::vector<float> logits_;
    GenerateResult result_;
};

}  // namespace hace::model
