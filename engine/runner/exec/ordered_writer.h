// One background thread that runs jobs in the order they were queued (DESIGN.md section 7: the
// results are written while the model works on the next sample). The queue is bounded: push()
// waits while it is full, so a slow disk slows the sweep instead of filling memory. The first
// job that throws stops the writer; its exception is rethrown by the next push(), drain() or
// rethrow() on the producer's side, and later jobs are dropped.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace hace::runner {

class OrderedWriter {
public:
    explicit OrderedWriter(std::size_t capacity);
    ~OrderedWriter();  // runs what is queued, then stops (errors are dropped here)
    OrderedWriter(const OrderedWriter&) = delete;
    OrderedWriter& operator=(const OrderedWriter&) = delete;

    void push(std::function<void()> job);
    // Waits until every queued job has run; rethrows a job's exception.
    void drain();
    void rethrow();

private:
    void loop();

    std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::function<void()>> jobs_;
    bool busy_ = false;
    bool stopping_ = false;
    std::exception_ptr error_;
    std::thread thread_;
};

}  // namespace hace::runner
