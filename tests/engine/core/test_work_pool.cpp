// The worker pool: every job runs once whatever order the workers take them in, a job's
// exception reaches its future, submit() waits while the queue is full, drain() and the
// destructor wait for every job.
#include "engine/core/work_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hace {
namespace {

TEST(WorkPool, EveryJobRunsOnceAndReturnsItsOwnResult) {
    WorkPool pool(3, 4);
    std::vector<std::future<long>> results;
    for (long i = 0; i < 40; ++i) results.push_back(pool.submit([i] { return i * i; }));
    long sum = 0;
    for (long i = 0; i < 40; ++i) {
        const long r = results[static_cast<std::size_t>(i)].get();
        EXPECT_EQ(r, i * i);
        sum += r;
    }
    EXPECT_EQ(sum, 39L * 40L * 79L / 6L);  // sum of squares 0..39
    pool.drain();
    EXPECT_EQ(pool.depth(), 0u);
}

TEST(WorkPool, AJobsExceptionReachesItsFutureAndTheOthersGoOn) {
    WorkPool pool(2, 2);
    auto bad = pool.submit([]() -> int { throw std::runtime_error("scoring failed: sample 7"); });
    auto good = pool.submit([] { return 5; });
    try {
        bad.get();
        FAIL() << "the job's exception was lost";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "scoring failed: sample 7");
    }
    EXPECT_EQ(good.get(), 5);
}

TEST(WorkPool, SubmitWaitsWhileTheQueueIsFull) {
    WorkPool pool(1, 2);
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::promise<void> started;
    auto blocker = pool.submit([gate, &started] {
        started.set_value();
        gate.wait();
    });
    started.get_future().wait();  // the only worker is busy: what follows stays queued
    std::atomic<int> ran{0};
    auto a = pool.submit([&ran] { ++ran; });
    auto b = pool.submit([&ran] { ++ran; });
    EXPECT_EQ(pool.depth(), 3u);  // two queued + one running: the queue is full
    std::atomic<bool> submitted{false};
    std::thread producer([&] {
        pool.submit([&ran] { ++ran; }).wait();
        submitted = true;
    });
    // The third job cannot be queued, let alone run, until the blocker lets the worker go.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(submitted.load());
    EXPECT_EQ(ran.load(), 0);
    EXPECT_LE(pool.depth(), 3u);
    release.set_value();
    producer.join();
    EXPECT_TRUE(submitted.load());
    pool.drain();
    EXPECT_EQ(ran.load(), 3);
    EXPECT_EQ(pool.depth(), 0u);
    blocker.get();
    a.get();
    b.get();
}

TEST(WorkPool, DrainAndTheDestructorWaitForEveryJob) {
    std::atomic<int> ran{0};
    {
        WorkPool pool(2, 3);
        for (int i = 0; i < 10; ++i) {
            (void)pool.submit([&ran] {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
                ++ran;
            });
        }
        pool.drain();
        EXPECT_EQ(ran.load(), 10);
        for (int i = 0; i < 5; ++i) (void)pool.submit([&ran] { ++ran; });
    }  // the destructor runs the five still queued
    EXPECT_EQ(ran.load(), 15);
}

TEST(WorkPool, RefusesNoThreadsOrNoQueue) {
    EXPECT_THROW(WorkPool(0, 1), std::invalid_argument);
    EXPECT_THROW(WorkPool(1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace hace
