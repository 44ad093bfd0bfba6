#include "engine/kernels/spin_team.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace hace::kernels {
namespace {

// std::atomic<T> for 32-bit T has T's size and alignment (lock-free), so its address is the
// futex word.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected,
            nullptr, nullptr, 0);
}
void futex_wake(std::atomic<std::uint32_t>& word, int count) {
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, count, nullptr,
            nullptr, 0);
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#endif
}

int read_spin_us() {
    const char* env = std::getenv("HACE_SPIN_US");
    if (!env || !*env) return 100;
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    return end && *end == '\0' && v >= 0 ? static_cast<int>(std::min(v, 1000000L)) : 100;
}

// Spins until pred() holds or the window passes; true when pred() held.
template <class Pred>
bool spin_until(Pred pred, std::chrono::microseconds window) {
    if (pred()) return true;
    if (window.count() == 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + window;
    for (;;) {
        for (int i = 0; i < 32; ++i) {
            cpu_relax();
            if (pred()) return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) return false;
    }
}

// A loop is published through one 32-bit word: a generation count in the upper 24 bits and the
// number of helping workers in the low 8. A worker reads both at once, so one that is not asked
// to help never reads the job fields a later loop may be rewriting.
constexpr std::uint32_t kHelperBits = 8;
constexpr std::uint32_t kMaxHelpers = (1u << kHelperBits) - 1;

class Team {
public:
    Team() : spin_(read_spin_us()) {}

    void run(int threads, std::int64_t n, std::int64_t grain, TeamBody body, void* ctx) {
        const int helpers_wanted =
            std::min<int>(std::max(threads, 1) - 1, static_cast<int>(kMaxHelpers));
        bool idle = false;
        if (helpers_wanted == 0 || n <= grain ||
            !busy_.compare_exchange_strong(idle, true, std::memory_order_acquire)) {
            body(ctx, 0, n);
            return;
        }
        grow(helpers_wanted);
        const auto helpers = static_cast<std::uint32_t>(
            std::min<std::int64_t>(helpers_wanted, (n + grain - 1) / grain - 1));
        body_ = body;
        ctx_ = ctx;
        n_ = n;
        grain_ = grain;
        next_.store(0, std::memory_order_relaxed);
        pending_.store(helpers, std::memory_order_relaxed);
        const std::uint32_t word =
            ((word_.load(std::memory_order_relaxed) >> kHelperBits) + 1) << kHelperBits | helpers;
        // seq_cst store, then the seq_cst load of sleepers_: pairs with the worker's increment of
        // sleepers_ and re-read of word_ (neither side can miss the other).
        word_.store(word, std::memory_order_seq_cst);
        if (sleepers_.load(std::memory_order_seq_cst) > 0) futex_wake(word_, INT_MAX);
        work();
        wait_for_helpers();
        busy_.store(false, std::memory_order_release);
    }

    int workers() {
        std::lock_guard<std::mutex> lock(grow_mutex_);
        return static_cast<int>(workers_.size());
    }
    int spin_us() const { return static_cast<int>(spin_.count()); }

private:
    void grow(int helpers) {
        std::lock_guard<std::mutex> lock(grow_mutex_);
        while (static_cast<int>(workers_.size()) < helpers) {
            const auto index = static_cast<std::uint32_t>(workers_.size());
            const std::uint32_t seen = word_.load(std::memory_order_acquire);
            workers_.emplace_back([this, index, seen] { worker(index, seen); });
            // Never joined: the team lives as long as the process (see team()).
            workers_.back().detach();
        }
    }

    void work() {
        for (;;) {
            const std::int64_t b = next_.fetch_add(grain_, std::memory_order_relaxed);
            if (b >= n_) return;
            body_(ctx_, b, std::min(n_, b + grain_));
        }
    }

    void wait_for_helpers() {
        auto done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
        if (spin_until(done, spin_)) return;
        for (;;) {
            caller_sleeping_.store(true, std::memory_order_seq_cst);
            const std::uint32_t left = pending_.load(std::memory_order_seq_cst);
            if (left == 0) break;
            futex_wait(pending_, left);
        }
        caller_sleeping_.store(false, std::memory_order_relaxed);
    }

    void worker(std::uint32_t index, std::uint32_t seen) {
        for (;;) {
            const std::uint32_t word = wait_for_new_word(seen);
            seen = word;
            if (index >= (word & kMaxHelpers)) continue;  // not asked to help with this loop
            work();
            if (pending_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
                caller_sleeping_.load(std::memory_order_seq_cst)) {
                futex_wake(pending_, 1);
            }
        }
    }

    std::uint32_t wait_for_new_word(std::uint32_t seen) {
        std::uint32_t word = seen;
        auto changed = [&] {
            word = word_.load(std::memory_order_acquire);
            return word != seen;
        };
        if (spin_until(changed, spin_)) return word;
        sleepers_.fetch_add(1, std::memory_order_seq_cst);
        while ((word = word_.load(std::memory_order_seq_cst)) == seen) futex_wait(word_, seen);
        sleepers_.fetch_sub(1, std::memory_order_relaxed);
        return word_.load(std::memory_order_acquire);
    }

    const std::chrono::microseconds spin_;
    std::atomic<bool> busy_{false};
    std::atomic<std::uint32_t> word_{0};
    std::atomic<std::uint32_t> pending_{0};
    std::atomic<int> sleepers_{0};
    std::atomic<bool> caller_sleeping_{false};
    std::atomic<std::int64_t> next_{0};
    // The loop being run: written by the caller before word_ is published, read by helpers after.
    TeamBody body_ = nullptr;
    void* ctx_ = nullptr;
    std::int64_t n_ = 0, grain_ = 1;
    std::mutex grow_mutex_;
    std::vector<std::thread> workers_;
};

std::atomic<Team*> g_team{nullptr};
std::once_flag g_atfork_once;

Team& team() {
    // Process-lifetime and never destroyed: workers may still be asleep in the futex when exit()
    // runs static destructors. A forked child has none of the parent's workers, so it starts
    // its own team (the parent's object is left behind there, unused).
    std::call_once(g_atfork_once,
                   [] { pthread_atfork(nullptr, nullptr, [] { g_team.store(nullptr); }); });
    Team* t = g_team.load(std::memory_order_acquire);
    if (t) return *t;
    static std::mutex create;
    std::lock_guard<std::mutex> lock(create);
    t = g_team.load(std::memory_order_acquire);
    if (!t) {
        t = new Team();
        g_team.store(t, std::memory_order_release);
    }
    return *t;
}

}  // namespace

void team_parallel_for(int threads, std::int64_t n, std::int64_t grain, TeamBody body, void* ctx) {
    if (n <= 0) return;
    grain = std::max<std::int64_t>(grain, 1);
    if (threads <= 1 || n <= grain) {
        body(ctx, 0, n);
        return;
    }
    team().run(threads, n, grain, body, ctx);
}

int team_workers() {
    Team* t = g_team.load(std::memory_order_acquire);
    return t ? t->workers() : 0;
}

int team_spin_us() {
    return team().spin_us();
}

}  // namespace hace::kernels
