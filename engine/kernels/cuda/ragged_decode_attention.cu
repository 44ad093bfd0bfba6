// CUDA kernel for decode attention over ragged per-KV-head segments.
//
// Purpose: the GPU twin of ragged_decode_attention_cpu; same contract (ragged_decode_attention.h),
// all pointers in the args are device pointers (see ragged_decode_attention_cuda.h).
//
// Design (simple and exact rather than fast): one block of kThreads threads per query head h,
// which reads only its KV head's segment [offsets[g], offsets[g] + lengths[g]).
//   pass 1: thread t scores keys j = t, t + kThreads, ... and keeps a running max; block max.
//   pass 2: the same threads recompute the scores, sum exp(score - max); block sum.
//   pass 3: keys are taken in chunks of kThreads: each thread recomputes one probability into
//           shared memory (and writes it to probs when asked), then threads switch roles and
//           each owns up to kLanes head_dim lanes, accumulating p_j * v[j][lane] (coalesced).
// Scores are recomputed instead of being stored, so no scratch buffer and no length limit from
// shared memory; the cost is three reads of K, acceptable for a reference-grade kernel.
// float32 throughout, as in the CPU reference; sums differ only in order.
#include "engine/kernels/ragged_decode_attention_cuda.h"

#include <cstdint>

#include "engine/kernels/cuda/cuda_common.cuh"

namespace hace::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr int kLanes = static_cast<int>(kRaggedDecodeCudaMaxHeadDim / kThreads);
static_assert(kLanes * kThreads == kRaggedDecodeCudaMaxHeadDim, "lanes must cover max head_dim");

__device__ float warp_max(float x) {
    for (int o = 16; o > 0; o /= 2) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
    return x;
}

__device__ float warp_sum(float x) {
    for (int o = 16; o > 0; o /= 2) x += __shfl_xor_sync(0xffffffffu, x, o);
    return x;
}

// Block-wide reductions; every thread gets the result. `scratch` holds kWarps floats and is
// reused by the caller, hence the barrier before returning.
__device__ float block_max(float x, float* scratch) {
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    x = warp_max(x);
    if (lane == 0) scratch[warp] = x;
    __syncthreads();
    float r = scratch[0];
    for (int w = 1; w < kWarps; ++w) r = fmaxf(r, scratch[w]);
    __syncthreads();
    return r;
}

__device__ float block_sum(float x, float* scratch) {
    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    x = warp_sum(x);
    if (lane == 0) scratch[warp] = x;
    __syncthreads();
    float r = 0.0f;
    for (int w = 0; w < kWarps; ++w) r += scratch[w];
    __syncthreads();
    return r;
}

__device__ float score(const float* qh, const float* kj, std::int64_t d, float scale) {
    float dot = 0.0f;
    for (std::int64_t c = 0; c < d; ++c) dot += qh[c] * kj[c];
    return dot * scale;
}

__global__ void __launch_bounds__(kThreads)
    ragged_decode_kernel(const float* __restrict__ q, const float* __restrict__ k,
                         const float* __restrict__ v, const std::int64_t* __restrict__ offsets,
                         const std::int64_t* __restrict__ lengths, std::int64_t group,
                         std::int64_t d, float scale, float* __restrict__ out,
                         float* __restrict__ probs, std::int64_t probs_stride) {
    __shared__ float red[kWarps];
    __shared__ float p_chunk[kThreads];

    const std::int64_t h = blockIdx.x;
    const std::int64_t g = h / group;
    const std::int64_t len = lengths[g];
    const float* qh = q + h * d;
    const float* kg = k + offsets[g] * d;
    const float* vg = v + offsets[g] * d;
    float* oh = out + h * d;
    const int tid = threadIdx.x;

    // The contract requires len >= 1; an empty segment yields zeros instead of NaNs.
    if (len <= 0) {
        for (std::int64_t c = tid; c < d; c += kThreads) oh[c] = 0.0f;
        return;
    }

    float mx = -INFINITY;
    for (std::int64_t j = tid; j < len; j += kThreads)
        mx = fmaxf(mx, score(qh, kg + j * d, d, scale));
    mx = block_max(mx, red);

    float sum = 0.0f;
    for (std::int64_t j = tid; j < len; j += kThreads)
        sum += expf(score(qh, kg + j * d, d, scale) - mx);
    sum = block_sum(sum, red);
    const float inv = 1.0f / sum;

    float acc[kLanes];
#pragma unroll
    for (int l = 0; l < kLanes; ++l) acc[l] = 0.0f;

    for (std::int64_t base = 0; base < len; base += kThreads) {
        const std::int64_t j = base + tid;
        if (j < len) {
            const float p = expf(score(qh, kg + j * d, d, scale) - mx) * inv;
            p_chunk[tid] = p;
            if (probs != nullptr) probs[h * probs_stride + j] = p;
        }
        __syncthreads();
        const std::int64_t n = (len - base < kThreads) ? len - base : kThreads;
#pragma unroll
        for (int l = 0; l < kLanes; ++l) {
            const std::int64_t c = tid + static_cast<std::int64_t>(l) * kThreads;
            if (c < d) {
                const float* vc = vg + base * d + c;
                float s = acc[l];
                for (std::int64_t jj = 0; jj < n; ++jj) s += p_chunk[jj] * vc[jj * d];
                acc[l] = s;
            }
        }
        // p_chunk is overwritten by the next chunk.
        __syncthreads();
    }

#pragma unroll
    for (int l = 0; l < kLanes; ++l) {
        const std::int64_t c = tid + static_cast<std::int64_t>(l) * kThreads;
        if (c < d) oh[c] = acc[l];
    }
}

}  // namespace

void ragged_decode_attention_cuda(const RaggedDecodeArgs& a, void* stream) {
    if (a.n_kv_heads < 0 || a.group < 1 || a.head_dim < 1 ||
        a.head_dim > kRaggedDecodeCudaMaxHeadDim)
        throw std::invalid_argument("ragged_decode_attention_cuda: bad n_kv_heads/group/head_dim");
    const std::int64_t heads = a.n_kv_heads * a.group;
    if (heads == 0) return;
    if (heads > 0x7fffffffLL)
        throw std::invalid_argument("ragged_decode_attention_cuda: too many query heads");
    if (a.q == nullptr || a.k == nullptr || a.v == nullptr || a.offsets == nullptr ||
        a.lengths == nullptr || a.out == nullptr || (a.probs != nullptr && a.probs_stride < 1))
        throw std::invalid_argument("ragged_decode_attention_cuda: null pointer or bad stride");

    ragged_decode_kernel<<<static_cast<unsigned>(heads), kThreads, 0,
                           static_cast<cudaStream_t>(stream)>>>(a.q, a.k, a.v, a.offsets, a.lengths,
                                                                a.group, a.head_dim, a.scale, a.out,
                                                                a.probs, a.probs_stride);
    HACE_CUDA_CHECK(cudaGetLastError());
}

bool cuda_device_available() noexcept {
    int count = 0;
    const cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        // Not a sticky error, but it stays in the last-error slot; clear it so that an unrelated
        // later cudaGetLastError() does not report it.
        (void)cudaGetLastError();
        return false;
    }
    return count > 0;
}

}  // namespace hace::kernels
