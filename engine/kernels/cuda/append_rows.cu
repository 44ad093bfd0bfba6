// CUDA kernel for the decode-step append in place (contract: append_rows.h; device-pointer
// conventions: append_rows_cuda.h). One block per segment copies its KV head's new K/V row to
// offsets[s] + lengths[s]; thread 0 then bumps the length. Full segments are only counted.
#include "engine/kernels/append_rows_cuda.h"

#include <cstdint>

#include "engine/kernels/cuda/cuda_common.cuh"

namespace hace::kernels {
namespace {

constexpr int kThreads = 128;

__global__ void __launch_bounds__(kThreads)
    append_kernel(const float* __restrict__ k_new, const float* __restrict__ v_new,
                  std::int64_t segments_per_kv_head, std::int64_t d,
                  const std::int64_t* __restrict__ offsets, std::int64_t* __restrict__ lengths,
                  const std::int64_t* __restrict__ capacities,
                  unsigned long long* __restrict__ n_full, float* __restrict__ k,
                  float* __restrict__ v, std::int64_t* __restrict__ positions,
                  std::int64_t position) {
    const std::int64_t s = blockIdx.x;
    const std::int64_t len = lengths[s];
    if (capacities != nullptr && len >= capacities[s]) {
        if (threadIdx.x == 0 && n_full != nullptr) atomicAdd(n_full, 1ull);
        return;
    }
    const std::int64_t row = offsets[s] + len;
    const std::int64_t src = (s / segments_per_kv_head) * d;
    for (std::int64_t c = threadIdx.x; c < d; c += kThreads) {
        k[row * d + c] = k_new[src + c];
        v[row * d + c] = v_new[src + c];
    }
    // Every thread has read lengths[s] above; only then is it bumped.
    __syncthreads();
    if (threadIdx.x == 0) {
        if (positions != nullptr) positions[row] = position;
        lengths[s] = len + 1;
    }
}

}  // namespace

void append_rows_cuda(const AppendRowsArgs& a, void* stream) {
    validate_append_rows_args(a);
    const cudaStream_t st = cuda_detail::as_stream(stream);
    static_assert(sizeof(std::int64_t) == sizeof(unsigned long long), "n_full is counted as u64");
    auto* n_full = reinterpret_cast<unsigned long long*>(a.n_full);
    if (n_full != nullptr) HACE_CUDA_CHECK(cudaMemsetAsync(n_full, 0, sizeof(*n_full), st));
    if (a.segments == 0) return;
    append_kernel<<<cuda_detail::grid_dim(a.segments, "append_rows_cuda"), kThreads, 0, st>>>(
        a.k_new, a.v_new, a.segments_per_kv_head, a.head_dim, a.offsets, a.lengths, a.capacities,
        n_full, a.k, a.v, a.positions, a.position);
    HACE_CUDA_CHECK(cudaGetLastError());
}

}  // namespace hace::kernels
