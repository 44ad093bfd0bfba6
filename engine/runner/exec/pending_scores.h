// Finished samples being scored on the worker pool (DESIGN.md section 7), settled on the model's
// thread in the order their runs finished: the executor's bookkeeping (which cell failed, which
// rows go to the writer, in which order) stays on one thread and matches the order of an
// inline-scored run, while the scoring overlaps the engine's next decode steps.
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <future>

#include "engine/core/work_pool.h"
#include "engine/eval/evaluate/sample_eval.h"

namespace hace::runner {

class PendingScores {
public:
    // key: the caller's name for the run; outcome null <=> error set (the run or its scoring).
    using Settle = std::function<void(std::size_t key, eval::SampleOutcome* outcome,
                                      std::exception_ptr error)>;
    PendingScores(WorkPool& pool, const tokenizer::Tokenizer& tok, Settle settle);
    // Waits for scorings still running (they point into the caller's samples and references);
    // their results are dropped: settle_all() first to keep them.
    ~PendingScores();
    PendingScores(const PendingScores&) = delete;
    PendingScores& operator=(const PendingScores&) = delete;

    void add(std::size_t key, eval::UnscoredSample run);  // scored on the pool
    void add_failed(std::size_t key, std::exception_ptr error);
    void settle_ready();  // the finished ones at the front, in order; waits for none
    void settle_all();    // every one, in order
    std::size_t size() const { return items_.size(); }

private:
    struct Item {
        std::size_t key = 0;
        std::future<eval::SampleOutcome> outcome;  // invalid when `error` came with add_failed
        std::exception_ptr error;
    };
    void settle_front();

    WorkPool& pool_;
    const tokenizer::Tokenizer& tok_;
    Settle settle_;
    std::deque<Item> items_;
};

}  // namespace hace::runner
