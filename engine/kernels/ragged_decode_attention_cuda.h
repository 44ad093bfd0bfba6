// CUDA twin of ragged_decode_attention_cpu (same contract: ragged_decode_attention.h).
//
// Contract: every pointer inside RaggedDecodeArgs (q, k, v, offsets, lengths, out, probs) is a
// DEVICE pointer; scalars are read on the host. The launch is asynchronous on `stream`, so the
// caller synchronises before reading out/probs. Errors from the launch configuration or the CUDA
// runtime are thrown as std::runtime_error. Only built when HACE_WITH_CUDA is ON (the library
// hace_kernels_cuda defines HACE_HAVE_CUDA_KERNELS for its users).
//
// This header is plain C++ so that non-CUDA translation units can include it: the stream is taken
// as void* (a cudaStream_t, nullptr for the legacy default stream) and cast inside the .cu.
#pragma once

#include "engine/kernels/ragged_decode_attention.h"

namespace hace::kernels {

// Largest head_dim the CUDA kernel accepts (each thread owns at most four output lanes).
inline constexpr std::int64_t kRaggedDecodeCudaMaxHeadDim = 1024;

// One thread block per query head. Throws std::invalid_argument on bad sizes.
void ragged_decode_attention_cuda(const RaggedDecodeArgs& a, void* stream = nullptr);

// True when the CUDA runtime reports at least one usable device; never throws.
bool cuda_device_available() noexcept;

}  // namespace hace::kernels
