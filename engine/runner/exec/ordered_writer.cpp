#include "engine/runner/exec/ordered_writer.h"

namespace hace::runner {

OrderedWriter::OrderedWriter(std::size_t capacity)
    : capacity_(capacity ? capacity : 1), thread_([this] { loop(); }) {}

OrderedWriter::~OrderedWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void OrderedWriter::push(std::function<void()> job) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return jobs_.size() < capacity_ || error_; });
    if (error_) std::rethrow_exception(error_);
    jobs_.push_back(std::move(job));
    changed_.notify_all();
}

void OrderedWriter::drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return (jobs_.empty() && !busy_) || error_; });
    if (error_) std::rethrow_exception(error_);
}

void OrderedWriter::rethrow() {
    std::lock_guard lock(mutex_);
    if (error_) std::rethrow_exception(error_);
}

void OrderedWriter::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return !jobs_.empty() || stopping_; });
        if (jobs_.empty()) return;  // stopping, nothing left
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        busy_ = true;
        const bool skip = error_ != nullptr;
        lock.unlock();
        std::exception_ptr failure;
        try {
            if (!skip) job();
        } catch (...) {
            failure = std::current_exception();
        }
        lock.lock();
        busy_ = false;
        if (failure && !error_) error_ = failure;
        changed_.notify_all();
    }
}

}  // namespace hace::runner
