// A small pool of worker threads for the CPU-side work around the engine (DESIGN.md section 7:
// building and tokenising the next samples, scoring finished ones) so that the model's thread
// never waits for it. submit() returns a future: a job's result or exception reaches whoever
// waits on it, never lost. The queue is bounded: submit() waits while `capacity` jobs are queued
// (back-pressure, so a producer faster than the workers cannot fill memory). depth() (queued +
// running) is what the run monitor shows.
//
// Thread rule: submit(), depth(), drain() from any thread; a job must not submit to its own pool
// and wait for the result (with every worker doing that, nothing would run it).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace hace {

class WorkPool {
public:
    // threads >= 1, capacity >= 1 (jobs waiting for a worker, at most).
    WorkPool(std::size_t threads, std::size_t capacity);
    ~WorkPool();  // runs what is queued, then joins the workers
    WorkPool(const WorkPool&) = delete;
    WorkPool& operator=(const WorkPool&) = delete;

    template <class F>
    auto submit(F f) -> std::future<std::invoke_result_t<F&>> {
        using R = std::invoke_result_t<F&>;
        // packaged_task is move-only and std::function wants a copyable target: a shared_ptr.
        auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
        std::future<R> result = task->get_future();
        enqueue([task] { (*task)(); });
        return result;
    }

    std::size_t depth() const;  // jobs queued or running now
    std::size_t threads() const { return workers_.size(); }
    std::size_t capacity() const { return capacity_; }
    // Waits until nothing is queued or running (the jobs' errors stay in their futures).
    void drain();

private:
    void enqueue(std::function<void()> job);
    void loop();

    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::function<void()>> jobs_;  // guarded by mutex_
    std::size_t running_ = 0;                 // guarded by mutex_
    bool stopping_ = false;                   // guarded by mutex_
    std::vector<std::thread> workers_;
};

}  // namespace hace
