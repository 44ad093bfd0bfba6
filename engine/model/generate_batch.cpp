#include "engine/model/generate_batch.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "engine/core/error.h"
#include "engine/model/sequence_run.h"

namespace hace::model {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Slot {
    std::size_t job = 0;
    std::unique_ptr<SequenceRun> run;  // null: free
    double decode_ms = 0.0;            // this job's share so far
};

}  // namespace

BatchRunStats generate_batch(const Model& model, std::int32_t batch_size,
                             const BatchJobSource& next, const BatchJobDone& done) {
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
        GenerateResult r = s.run->finish(s.decode_ms);
        r.batch_size = batch_size;
        s.run.reset();  // the cache goes before the next job's prefill
        done(s.job, std::move(r));
    };

    while (true) {
        // Refill: every free slot prefills the next job and chooses its first token.
        for (Slot& s : slots) {
            while (!s.run && source_open) {
                std::optional<BatchJob> job = next();
                if (!job) {
                    source_open = false;
                    break;
                }
                s.job = static_cast<std::size_t>(stats.jobs++);
                s.decode_ms = 0.0;
                s.run = std::make_unique<SequenceRun>(model, job->prompt, std::move(job->options));
                stats.prefill_ms += s.run->prefill_ms();
                const auto t0 = Clock::now();
                if (s.run->wants_more()) s.run->take(s.run->logits());
                s.decode_ms += ms_since(t0);
                if (!s.run->wants_more()) finish(s);  // done at once: the slot takes the next
            }
        }
        sessions.clear();
        ids.clear();
        rows.clear();
        for (std::size_t i = 0; i < slots_n; ++i) {
            if (!slots[i].run) continue;
            sessions.push_back(&slots[i].run->session());
            ids.push_back(slots[i].run->last());
            rows.push_back(i);
        }
        if (rows.empty()) break;  // no live sequence and no job left

        const auto t0 = Clock::now();
        const std::span<float> out(logits.data(), rows.size() * vocab);
        model.decode_batch(sessions, ids, out);
        for (std::size_t r = 0; r < rows.size(); ++r) {
            SequenceRun& run = *slots[rows[r]].run;
            run.count_decode_step();
            run.take(out.subspan(r * vocab, vocab));
        }
        const double share = ms_since(t0) / static_cast<double>(rows.size());
        ++stats.decode_steps;
        stats.decode_rows += static_cast<std::int64_t>(rows.size());
        stats.max_live = std::max(stats.max_live, static_cast<std::int32_t>(rows.size()));
        stats.decode_ms += share * static_cast<double>(rows.size());
        for (std::size_t i : rows) {
            slots[i].decode_ms += share;
            if (!slots[i].run->wants_more()) finish(slots[i]);
        }
    }
    return stats;
}

}  // namespace hace::model
