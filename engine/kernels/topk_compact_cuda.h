// CUDA twin of topk_compact_cpu (same contract: topk_compact.h).
//
// Every pointer inside TopkCompactArgs is a DEVICE pointer; scalars are read on the host. One
// thread block per segment finds the b-th best score key by a 4-pass radix select (8 bits per
// pass) and writes the kept positions in ascending order with block-wide scans (exact tie rule);
// a second kernel gathers the K/V rows. Asynchronous on `stream` (cudaStream_t as void*). Bad
// sizes throw std::invalid_argument (P must fit in 31 bits), CUDA errors std::runtime_error.
#pragma once

#include "engine/kernels/topk_compact.h"

namespace hace::kernels {

void topk_compact_cuda(const TopkCompactArgs& a, void* stream = nullptr);

}  // namespace hace::kernels
