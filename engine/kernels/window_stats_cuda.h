// CUDA twin of window_stats_cpu (same contract: window_stats.h).
//
// Every pointer inside WindowStatsArgs (q, k, scores, entropy, variance) is a DEVICE pointer;
// scalars are read on the host. The work is queued on `stream` (a cudaStream_t as void*,
// nullptr for the legacy default stream) and is asynchronous: synchronise before reading the
// outputs. Scratch memory (O(Hq * (P + w * n / 1024)) floats) is taken from the stream-ordered
// allocator. Bad sizes throw std::invalid_argument, CUDA errors std::runtime_error. Only built
// when HACE_WITH_CUDA is ON (HACE_HAVE_CUDA_KERNELS).
#pragma once

#include "engine/kernels/window_stats.h"

namespace hace::kernels {

void window_stats_cuda(const WindowStatsArgs& a, void* stream = nullptr);

}  // namespace hace::kernels
