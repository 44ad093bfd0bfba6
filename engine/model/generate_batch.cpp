#include "engine/model/generate_batch.h"

#include <algorithm>
#include <chrono>

#include "engine/core/elapsed.h"
#include "engine/core/error.h"
#include "engine/model/sequence_run.h"

namespace hace::model {
namespace {

using Clock = std::chrono::steady_clock;

struct Slot {
    std::size_t index = 0;
    std::unique_ptr<BatchSequence> seq;  // null: free
    double decode_ms = 0.0;              // this sequence's share so far
    std::int64_t steps = 0;
};

// generate()'s rules (SequenceRun) as a batched sequence.
class GenerateSequence final : public BatchSequence {
public:
    GenerateSequence(const Model& model, const BatchJob& job)
        : run_(model, job.prompt, job.options) {
        const auto t0 = Clock::now();
        if (run_.wants_more()) run_.take(run_.logits());
        first_ms_ = ms_since(t0);
    }
    bool wants_more() const override { return run_.wants_more(); }
    TokenId last() const override { return run_.last(); }
    Session& session() override { return run_.session(); }
    void take(std::span<const float> logits) override {
        run_.count_decode_step();
        run_.take(logits);
    }
    double prefill_ms() const { return run_.prefill_ms(); }
    GenerateResult finish(double decode_ms_share) {
        return run_.finish(first_ms_ + decode_ms_share);
    }

private:
    SequenceRun run_;
    double first_ms_ = 0.0;  // choosing the first token from the prefill's logits
};

}  // namespace

BatchRunStats run_batched(const Model& model, std::int32_t batch_size,
                          const BatchSequenceSource& next, const BatchSequenceDone& done) {
    if (batch_size < 1) throw InputError("batch size must be >= 1");
    const auto vocab = static_cast<std::size_t>(model.config().vocab);
    const auto slots_n = static_cast<std::size_t>(batch_size);
    std::vector<Slot> slots(slots_n);
    std::vector<Session*> sessions;
    std::vector<TokenId> ids;
    std::vector<std::size_t> rows;  // slot of each row of the step
    std::vector<float> logits(slots_n * vocab);
    sessions.reserve(slots_n);
    ids.reserve(slots_n);
    rows.reserve(slots_n);
    BatchRunStats stats;
    bool source_open = true;

    const auto finish = [&](Slot& s) {
        std::unique_ptr<BatchSequence> seq = std::move(s.seq);  // the slot is free from here
        done(s.index, std::move(seq), s.decode_ms, s.steps);
    };

    while (true) {
        // Refill: every free slot takes the next sequence at once.
        for (Slot& s : slots) {
            while (!s.seq && source_open) {
                const auto t0 = Clock::now();
                std::unique_ptr<BatchSequence> seq = next();
                if (!seq) {
                    source_open = false;
                    break;
                }
                stats.prefill_ms += ms_since(t0);
                s.index = static_cast<std::size_t>(stats.jobs++);
                s.seq = std::move(seq);
                s.decode_ms = 0.0;
                s.steps = 0;
                if (!s.seq->wants_more()) finish(s);  // done at once: the slot takes the next
            }
        }
        sessions.clear();
        ids.clear();
        rows.clear();
        for (std::size_t i = 0; i < slots_n; ++i) {
            if (!slots[i].seq) continue;
            sessions.push_back(&slots[i].seq->session());
            ids.push_back(slots[i].seq->last());
            rows.push_back(i);
        }
        if (rows.empty()) break;  // no live sequence and no job left

        const auto t0 = Clock::now();
        const std::span<float> out(logits.data(), rows.size() * vocab);
        model.decode_batch(sessions, ids, out);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            slots[rows[r]].seq->take(out.subspan(r * vocab, vocab));
        }
        const double wall = ms_since(t0);
        const double share = wall / static_cast<double>(rows.size());
        ++stats.decode_steps;
        stats.decode_rows += static_cast<std::int64_t>(rows.size());
        stats.max_live = std::max(stats.max_live, static_cast<std::int32_t>(rows.size()));
        stats.decode_ms += wall;
        for (std::size_t i : rows) {
            slots[i].decode_ms += share;
            ++slots[i].steps;
            if (!slots[i].seq->wants_more()) finish(slots[i]);
        }
    }
    return stats;
}

BatchRunStats generate_batch(const Model& model, std::int32_t batch_size,
                             const BatchJobSource& next, const BatchJobDone& done) {
    if (batch_size < 1) throw InputError("batch size must be >= 1");
    return run_batched(
        model, batch_size,
        [&]() -> std::unique_ptr<BatchSequence> {
            std::optional<BatchJob> job = next();
            if (!job) return nullptr;
            return std::make_unique<GenerateSequence>(model, *job);
        },
        [&](std::size_t index, std::unique_ptr<BatchSequence> seq, double share, std::int64_t) {
            auto& g = static_cast<GenerateSequence&>(*seq);
            GenerateResult r = g.finish(share);
            r.batch_size = batch_size;
            seq.reset();  // the cache goes before the next job's prefill
            done(index, std::move(r));
        });
}

}  // namespace hace::model
