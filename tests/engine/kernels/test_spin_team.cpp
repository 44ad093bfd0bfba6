// Tests for the decode kernels' fork-join team (engine/kernels/spin_team.h): every item runs
// exactly once in chunks of at most `grain`, whoever runs it; workers take part, also after they
// have gone to sleep; concurrent and nested callers get their whole loop; and the parallel GEMV
// gives the same bits as the serial one. Also run under ThreadSanitizer
// (scripts/sanitizer-tests.sh).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <omp.h>

#include "engine/kernels/decode_ops.h"
#include "engine/kernels/spin_team.h"

namespace hace::kernels {
namespace {

void expect_each_item_once(int threads, std::int64_t n, std::int64_t grain) {
    std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
    std::atomic<bool> oversized{false};
    team_parallel_for(threads, n, grain, [&](std::int64_t b, std::int64_t e) {
        if (e - b > std::max<std::int64_t>(grain, 1) && !(b == 0 && e == n)) oversized = true;
        for (std::int64_t i = b; i < e; ++i) hits[static_cast<std::size_t>(i)].fetch_add(1);
    });
    EXPECT_FALSE(oversized) << "threads " << threads << " n " << n << " grain " << grain;
    for (std::int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(hits[static_cast<std::size_t>(i)].load(), 1)
            << "item " << i << ", threads " << threads << " n " << n << " grain " << grain;
    }
}

TEST(SpinTeam, EveryItemRunsExactlyOnceInChunksOfAtMostTheGrain) {
    for (int threads : {1, 2, 3, 5}) {
        for (std::int64_t n : {1, 2, 7, 100, 10007}) {
            for (std::int64_t grain : {1, 3, 64}) expect_each_item_once(threads, n, grain);
        }
    }
    std::atomic<int> calls{0};
    team_parallel_for(4, 0, 1, [&](std::int64_t, std::int64_t) { ++calls; });
    EXPECT_EQ(calls.load(), 0) << "an empty loop calls nothing";
}

// Items slow enough that the caller alone cannot finish them before an awake worker takes one.
std::size_t threads_that_ran(int threads) {
    std::mutex m;
    std::set<std::thread::id> ids;
    team_parallel_for(threads, 24, 1, [&](std::int64_t, std::int64_t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        std::lock_guard<std::mutex> lock(m);
        ids.insert(std::this_thread::get_id());
    });
    return ids.size();
}

TEST(SpinTeam, WorkersTakePartAlsoAfterSleepingPastTheSpinWindow) {
    EXPECT_GE(threads_that_ran(3), 1u);
    EXPECT_GE(team_workers(), 2);
    // Rounds far apart: the workers have left their spin window and sleep on the futex, so each
    // round must wake them. On a loaded machine one round may finish before they run; all of them
    // cannot.
    int shared_rounds = 0;
    for (int round = 0; round < 10; ++round) {
        std::this_thread::sleep_for(std::chrono::microseconds(team_spin_us()) +
                                    std::chrono::milliseconds(5));
        if (threads_that_ran(3) > 1) ++shared_rounds;
        expect_each_item_once(3, 50, 2);
    }
    EXPECT_GT(shared_rounds, 0);
}

TEST(SpinTeam, ConcurrentCallersEachRunTheirWholeLoop) {
    constexpr int kCallers = 4, kLoops = 200;
    std::vector<std::thread> callers;
    std::atomic<int> failures{0};
    for (int c = 0; c < kCallers; ++c) {
        callers.emplace_back([&, c] {
            for (int l = 0; l < kLoops; ++l) {
                const std::int64_t n = 50 + 17 * c + l % 7;
                std::vector<std::atomic<int>> hits(static_cast<std::size_t>(n));
                team_parallel_for(3, n, 4, [&](std::int64_t b, std::int64_t e) {
                    for (std::int64_t i = b; i < e; ++i) hits[static_cast<std::size_t>(i)]++;
                });
                for (auto& h : hits) {
                    if (h.load() != 1) ++failures;
                }
            }
        });
    }
    for (auto& t : callers) t.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST(SpinTeam, ALoopInsideALoopBodyRunsWhole) {
    std::vector<std::atomic<int>> hits(10 * 30);
    team_parallel_for(3, 10, 1, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t outer = b; outer < e; ++outer) {
            team_parallel_for(3, 30, 2, [&](std::int64_t ib, std::int64_t ie) {
                for (std::int64_t i = ib; i < ie; ++i) {
                    hits[static_cast<std::size_t>(outer * 30 + i)]++;
                }
            });
        }
    });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
}

// The GEMV splits whole output rows over the team: the bits cannot depend on the thread count.
TEST(SpinTeam, ParallelGemvGivesTheSerialBits) {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    const std::int64_t n = 1037, k = 389;  // > 256 KiB of weights in both types, vector tails
    std::vector<float> wf(static_cast<std::size_t>(n * k));
    for (auto& v : wf) v = dist(rng);
    std::vector<std::uint16_t> wb(wf.size());
    for (std::size_t i = 0; i < wf.size(); ++i) wb[i] = f32_to_bf16(wf[i]);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(3);
    for (const bool bf : {false, true}) {
        for (const std::int64_t rows : {1, 5}) {
            std::vector<float> x(static_cast<std::size_t>(rows * k));
            for (auto& v : x) v = dist(rng);
            std::vector<float> par(static_cast<std::size_t>(rows * n)), ser(par.size());
            GemvArgs a;
            a.x = x.data();
            a.rows = rows;
            a.k = k;
            a.w = bf ? static_cast<const void*>(wb.data()) : wf.data();
            a.wtype = bf ? WeightType::BF16 : WeightType::F32;
            a.n = n;
            a.y = par.data();
            gemv_rows(a);
            a.parallel = false;
            a.y = ser.data();
            gemv_rows(a);
            for (std::size_t i = 0; i < par.size(); ++i) {
                ASSERT_EQ(par[i], ser[i])
                    << (bf ? "bf16" : "f32") << " rows " << rows << " at " << i;
            }
        }
    }
    omp_set_num_threads(saved);
}

}  // namespace
}  // namespace hace::kernels
