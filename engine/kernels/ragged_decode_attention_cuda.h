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

#include <cstddef>

#include "engine/kernels/ragged_decode_attention.h"

namespace hace::kernels {

// Largest head_dim the CUDA kernel accepts (each thread owns at most four output lanes).
inline constexpr std::int64_t kRaggedDecodeCudaMaxHeadDim = 1024;

// One thread block per query head. Throws std::invalid_argument on bad sizes.
void ragged_decode_attention_cuda(const RaggedDecodeArgs& a, void* stream = nullptr);

// ---- Split-K variant for long segments (same contract, same outputs) ----------------------
// Each segment is cut into chunks of chunk_rows rows; one block per (segment, group of query
// heads sharing it, chunk) reads the chunk's K/V once for all those heads and keeps an online
// softmax (running max, normaliser, weighted sum); a second kernel merges the chunks by
// log-sum-exp weights and, when probs are asked for, turns the raw logits it stored there into
// probabilities. With one chunk and no probs the first kernel writes the output directly.

inline constexpr std::int64_t kRaggedDecodeSplitMaxHeadDim = 256;

struct RaggedDecodeSplitPlan {
    bool split = false;           // the selector's choice: true -> split kernels are preferable
    std::int64_t chunk_rows = 0;  // rows per chunk, a multiple of 16
    std::int64_t chunks = 1;      // chunks per segment in the grid = ceil(max_length / chunk_rows)
};

// The selector. max_length: the longest segment (the host knows it; a shorter guess is still
// correct, as the last chunk of a segment runs to its end, only slower). sm_count: the device's
// multiprocessors, 0 = query the current device (132, an H100 SXM, when none answers).
// Chunks are sized so that the grid has about four blocks per multiprocessor and no chunk is
// under 256 rows; split is chosen from kRaggedDecodeSplitMinLength rows on (not yet tuned on a
// GPU: scripts/gpu-verify.sh measures both kernels at 7B shapes).
inline constexpr std::int64_t kRaggedDecodeSplitMinLength = 512;
RaggedDecodeSplitPlan plan_ragged_decode_split(std::int64_t n_kv_heads, std::int64_t group,
                                               std::int64_t head_dim, std::int64_t max_length,
                                               int sm_count = 0);

// Device scratch the split kernels need for a plan (partial max, normaliser and sums).
std::size_t ragged_decode_split_workspace_bytes(const RaggedDecodeArgs& a,
                                                const RaggedDecodeSplitPlan& plan);

// Runs the split kernels with any plan (plan.split is not consulted). workspace: a device
// buffer of ragged_decode_split_workspace_bytes, or nullptr to take one from the stream-ordered
// allocator. head_dim <= kRaggedDecodeSplitMaxHeadDim.
void ragged_decode_attention_split_cuda(const RaggedDecodeArgs& a,
                                        const RaggedDecodeSplitPlan& plan,
                                        void* workspace = nullptr, void* stream = nullptr);

// Picks the kernel with plan_ragged_decode_split(..., max_length) and runs it.
void ragged_decode_attention_auto_cuda(const RaggedDecodeArgs& a, std::int64_t max_length,
                                       void* stream = nullptr);

// True when the CUDA runtime reports at least one usable device; never throws.
bool cuda_device_available() noexcept;

}  // namespace hace::kernels
