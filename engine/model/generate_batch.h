// Continuous batching: up to B sequences decode together, one token each per batched step
// (Model::decode_batch reads every weight once for all of them). Prefill stays per sequence: a
// prompt of n >= 1K tokens is already GEMM-bound alone, and compressing caches run their per-layer
// compression per sequence, so peak memory stays at weights + the caches + one prompt's K/V.
// A slot that frees (its sequence hit a stop id or max_new_tokens) takes the next job at once,
// so a long answer does not hold the others back.
//
// Each job runs exactly as generate() would run it alone: its own session (make_session, so
// compressed caches keep their per-sequence budgets, eviction and KIVI segments), its own stop
// ids and max_new_tokens, its own sampler and seed. Since a batched step computes every row as
// the unbatched step does, output ids and logits do not depend on B or on which jobs share a step.
//
// Timing of a job: prefill_ms is its own prefill; decode_ms is its share of the batched steps it
// took part in (each step's wall time, choosing the tokens included, divided equally among the
// step's rows), plus the choice of its first token from the prefill's logits.
// decode_ms_per_token() is therefore a share, not a latency; GenerateResult::batch_size says B.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "engine/model/generate.h"

namespace hace::model {

struct BatchJob {
    std::vector<TokenId> prompt;
    GenerateOptions options;  // make_session, sampling (its own seed), stops, callbacks
};

// The next job, or nullopt when there is none left. Called whenever a slot is free.
using BatchJobSource = std::function<std::optional<BatchJob>()>;
// A finished job: its number (0, 1, ... in the order the source gave them) and its result.
// Jobs finish in the order their sequences stop, not in the order they were given.
using BatchJobDone = std::function<void(std::size_t job, GenerateResult result)>;

struct BatchRunStats {
    std::int64_t jobs = 0;
    std::int64_t decode_steps = 0;  // batched steps
    std::int64_t decode_rows = 0;   // tokens decoded over all steps (rows summed)
    std::int32_t max_live = 0;      // most sequences in one step
    double prefill_ms = 0.0;        // all prefills (with each first token: the sources' time)
    double decode_ms = 0.0;         // all batched steps (wall time)
};

// Runs every job of `next` with up to batch_size (>= 1) sequences per decode step. Exceptions
// from the source, a prefill, a step or `done` propagate (the live sessions are released).
BatchRunStats generate_batch(const Model& model, std::int32_t batch_size,
                             const BatchJobSource& next, const BatchJobDone& done);

// The driver under generate_batch, for loops with their own rules (the evaluator's stop at a
// newline, its logits capture): one sequence as the batched steps see it. A source hands over a
// sequence prefilled and with its first token chosen from the prefill's logits.
class BatchSequence {
public:
    virtual ~BatchSequence() = default;
    virtual bool wants_more() const = 0;  // another decode step of last() is due
    virtual TokenId last() const = 0;
    virtual Session& session() = 0;
    // The logits of the decode step of last(): chooses the next token.
    virtual void take(std::span<const float> logits) = 0;
};
// The next prefilled sequence, or nullptr when none is left.
using BatchSequenceSource = std::function<std::unique_ptr<BatchSequence>()>;
// A sequence that wants no more tokens, with its share of the batched steps' wall time (ms) and
// the number of steps it took part in. Its session is still open (statistics).
using BatchSequenceDone =
    std::function<void(std::size_t index, std::unique_ptr<BatchSequence> sequence,
                       double decode_ms_share, std::int64_t steps)>;
BatchRunStats run_batched(const Model& model, std::int32_t batch_size,
                          const BatchSequenceSource& next, const BatchSequenceDone& done);

}  // namespace hace::model
