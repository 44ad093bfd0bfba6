#include "engine/core/work_pool.h"

#include <stdexcept>

namespace hace {

WorkPool::WorkPool(std::size_t threads, std::size_t capacity) : capacity_(capacity) {
    if (threads < 1 || capacity < 1) {
        throw std::invalid_argument("WorkPool: threads and capacity must be at least 1");
    }
    workers_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { loop(); });
}

WorkPool::~WorkPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    for (auto& w : workers_) w.join();
}

void WorkPool::enqueue(std::function<void()> job) {
    {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [this] { return jobs_.size() < capacity_; });
        jobs_.push_back(std::move(job));
    }
    changed_.notify_all();
}

std::size_t WorkPool::depth() const {
    std::lock_guard lock(mutex_);
    return jobs_.size() + running_;
}

void WorkPool::drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return jobs_.empty() && running_ == 0; });
}

void WorkPool::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // stopping, and every queued job has run
        std::function<void()> job = std::move(jobs_.front());
        jobs_.pop_front();
        ++running_;
        lock.unlock();
        changed_.notify_all();  // a place in the queue is free
        job();                  // a packaged_task: the job's exception goes to its future, not here
        job = nullptr;          // the task's captures go before the job counts as done
        lock.lock();
        --running_;
        changed_.notify_all();
    }
}

}  // namespace hace
