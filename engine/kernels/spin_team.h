// The fork-join team the decode kernels split their work over. A decode step issues some fifty
// short parallel loops back to back (one per weight GEMV and per attention call, 50-500 us each).
// OpenMP serves them badly either way: libgomp's passive workers sleep in the kernel between
// loops and each wake-up costs tens of microseconds (the decode took 21 % longer than with
// spinning workers, on a Xeon), while spinning workers (OMP_WAIT_POLICY=ACTIVE or a large
// GOMP_SPINCOUNT, read once when libgomp loads) spin through the prefill's loops too, and made
// the engine collapse 25x beside another process busy on the same cores. This team's workers
// spin for a bounded window after each loop (HACE_SPIN_US, default 100 us: the gaps between a
// step's loops are shorter) and then sleep on a futex, so the decode gets spinning latency while
// libgomp keeps its passive policy for the prefill.
//
// Threading rules: one loop runs at a time. A call that finds the team busy (another thread's
// loop, or a call from inside a loop body) runs its whole loop on the calling thread, so callers
// need no coordination. Bodies must not throw. Linux only (futex).
#pragma once

#include <cstdint>
#include <type_traits>

namespace hace::kernels {

// body(ctx, begin, end) handles items [begin, end).
using TeamBody = void (*)(void* ctx, std::int64_t begin, std::int64_t end);

// Runs items [0, n) in chunks of `grain` handed out dynamically to the calling thread and up to
// threads - 1 workers (started on first use, reused by every later call). threads <= 1, n <= grain
// or a busy team: the calling thread runs body(ctx, 0, n) itself.
void team_parallel_for(int threads, std::int64_t n, std::int64_t grain, TeamBody body, void* ctx);

template <class F>
void team_parallel_for(int threads, std::int64_t n, std::int64_t grain, F&& f) {
    using Fn = std::remove_reference_t<F>;
    team_parallel_for(
        threads, n, grain,
        [](void* ctx, std::int64_t b, std::int64_t e) { (*static_cast<Fn*>(ctx))(b, e); },
        const_cast<void*>(static_cast<const void*>(&f)));
}

// How many workers the team has started (0 until the first parallel loop); for tests.
int team_workers();
// The spin window in microseconds (HACE_SPIN_US, read once; 0 = sleep at once).
int team_spin_us();

}  // namespace hace::kernels
