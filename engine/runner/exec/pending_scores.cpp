#include "engine/runner/exec/pending_scores.h"

#include <chrono>
#include <utility>

namespace hace::runner {

PendingScores::PendingScores(WorkPool& pool, const tokenizer::Tokenizer& tok, Settle settle)
    : pool_(pool), tok_(tok), settle_(std::move(settle)) {}

PendingScores::~PendingScores() {
    for (auto& item : items_) {
        if (item.outcome.valid()) item.outcome.wait();
    }
}

void PendingScores::add(std::size_t key, eval::UnscoredSample run) {
    const tokenizer::Tokenizer* tok = &tok_;
    Item item;
    item.key = key;
    item.outcome = pool_.submit(
        [tok, run = std::move(run)]() mutable { return eval::score_sample(*tok, std::move(run)); });
    items_.push_back(std::move(item));
}

void PendingScores::add_failed(std::size_t key, std::exception_ptr error) {
    Item item;
    item.key = key;
    item.error = std::move(error);
    items_.push_back(std::move(item));
}

void PendingScores::settle_front() {
    Item item = std::move(items_.front());
    items_.pop_front();
    eval::SampleOutcome outcome;
    std::exception_ptr error = item.error;
    if (item.outcome.valid()) {
        try {
            outcome = item.outcome.get();
        } catch (...) {
            error = std::current_exception();
        }
    }
    settle_(item.key, error ? nullptr : &outcome, error);
}

void PendingScores::settle_ready() {
    while (!items_.empty()) {
        auto& front = items_.front().outcome;
        if (front.valid() && front.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            return;
        }
        settle_front();
    }
}

void PendingScores::settle_all() {
    while (!items_.empty()) settle_front();
}

}  // namespace hace::runner
