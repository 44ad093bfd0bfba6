// CUDA kernels for top-k selection and compaction (contract: topk_compact.h; device-pointer
// conventions: topk_compact_cuda.h).
//
// select_kernel, one block per segment:
//   1. radix select on the 32-bit order keys of score_order.h, most significant byte first:
//      each pass histograms the keys that still match the prefix and keeps the byte in which
//      the b-th best key falls. After four passes T is the b-th best key and `need` says how
//      many keys equal to T are taken (the rest of the b are strictly better than T).
//   2. one pass over positions in order with two block-wide scans: keys equal to T are ranked
//      by position, so exactly the `need` smallest positions among them are kept (the tie
//      rule); every kept position goes to its rank, which gives ascending order.
//   3. the protected window positions P..n-1 follow.
// gather_kernel then copies the K/V rows of the stored positions.
#include "engine/kernels/topk_compact_cuda.h"

#include <cstdint>

#include "engine/kernels/cuda/cuda_common.cuh"
#include "engine/kernels/score_order.h"

namespace hace::kernels {
namespace {

constexpr int kThreads = 512;
constexpr int kWarps = kThreads / 32;
constexpr int kGatherThreads = 256;
constexpr int kGatherRows = 16;

// Exclusive block-wide count of `flag` over threads in index order; returns the thread's rank
// and writes the block total to *total (all threads).
__device__ unsigned block_rank(bool flag, unsigned* warp_counts, unsigned* total) {
    const unsigned lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    const unsigned ballot = __ballot_sync(0xffffffffu, flag);
    const unsigned in_warp = __popc(ballot & ((1u << lane) - 1u));
    if (lane == 0) warp_counts[warp] = __popc(ballot);
    __syncthreads();
    unsigned before = 0, sum = 0;
    for (unsigned w = 0; w < kWarps; ++w) {
        if (w < warp) before += warp_counts[w];
        sum += warp_counts[w];
    }
    __syncthreads();  // warp_counts is reused by the next call
    *total = sum;
    return before + in_warp;
}

__global__ void __launch_bounds__(kThreads)
    select_kernel(const float* __restrict__ scores, std::int64_t stride,
                  const std::int64_t* __restrict__ budgets, std::int64_t n, std::int64_t p,
                  const std::int64_t* __restrict__ offsets, std::int64_t* __restrict__ positions,
                  std::int64_t* __restrict__ lengths) {
    __shared__ unsigned hist[256];
    __shared__ unsigned warp_counts[kWarps];
    __shared__ std::uint32_t s_prefix, s_need;

    const std::int64_t seg = blockIdx.x;
    const float* row = scores + seg * stride;
    std::int64_t* pos = positions + offsets[seg];
    std::int64_t b = budgets[seg];
    b = b < 0 ? 0 : (b > p ? p : b);
    const int tid = threadIdx.x;
    if (tid == 0) lengths[seg] = b + n - p;
    for (std::int64_t t = tid; t < n - p; t += kThreads) pos[b + t] = p + t;
    if (b == 0) return;
    if (b == p) {
        for (std::int64_t j = tid; j < p; j += kThreads) pos[j] = j;
        return;
    }

    std::uint32_t prefix = 0, mask = 0, need = static_cast<std::uint32_t>(b);
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int t = tid; t < 256; t += kThreads) hist[t] = 0;
        __syncthreads();
        for (std::int64_t j = tid; j < p; j += kThreads) {
            const std::uint32_t key = score_order_key(row[j]);
            if ((key & mask) == prefix) atomicAdd(&hist[(key >> shift) & 0xffu], 1u);
        }
        __syncthreads();
        if (tid == 0) {
            // Walk the digits from the best down to the one holding the need-th best key.
            std::uint32_t above = 0;
            int digit = 255;
            for (; digit > 0; --digit) {
                if (above + hist[digit] >= need) break;
                above += hist[digit];
            }
            s_prefix = prefix | (static_cast<std::uint32_t>(digit) << shift);
            s_need = need - above;
        }
        __syncthreads();
        prefix = s_prefix;
        need = s_need;
        mask |= 0xffu << shift;
    }
    const std::uint32_t threshold = prefix;

    unsigned equal_before = 0, kept_before = 0;
    for (std::int64_t base = 0; base < p; base += kThreads) {
        const std::int64_t j = base + tid;
        const std::uint32_t key = j < p ? score_order_key(row[j]) : 0u;
        const bool in_range = j < p;
        const bool equal = in_range && key == threshold;
        unsigned equal_total = 0, kept_total = 0;
        const unsigned equal_rank = equal_before + block_rank(equal, warp_counts, &equal_total);
        const bool keep = in_range && (key > threshold || (equal && equal_rank < need));
        const unsigned kept_rank = kept_before + block_rank(keep, warp_counts, &kept_total);
        if (keep) pos[kept_rank] = j;
        equal_before += equal_total;
        kept_before += kept_total;
    }
}

__global__ void __launch_bounds__(kGatherThreads)
    gather_kernel(const float* __restrict__ k_src, const float* __restrict__ v_src,
                  std::int64_t head_stride, std::int64_t row_stride,
                  std::int64_t segments_per_kv_head, std::int64_t d,
                  const std::int64_t* __restrict__ offsets,
                  const std::int64_t* __restrict__ positions,
                  const std::int64_t* __restrict__ lengths, float* __restrict__ k_dst,
                  float* __restrict__ v_dst) {
    const std::int64_t seg = blockIdx.y;
    const std::int64_t first = static_cast<std::int64_t>(blockIdx.x) * kGatherRows;
    const std::int64_t len = lengths[seg];
    if (first >= len) return;
    const std::int64_t rows = len - first < kGatherRows ? len - first : kGatherRows;
    const std::int64_t src_head = seg / segments_per_kv_head;
    const float* ks = k_src + src_head * head_stride;
    const float* vs = v_src + src_head * head_stride;
    const std::int64_t off = offsets[seg] + first;
    for (std::int64_t e = threadIdx.x; e < rows * d; e += kGatherThreads) {
        const std::int64_t r = e / d, c = e % d;
        const std::int64_t src = positions[off + r] * row_stride + c;
        k_dst[(off + r) * d + c] = ks[src];
        v_dst[(off + r) * d + c] = vs[src];
    }
}

}  // namespace

void topk_compact_cuda(const TopkCompactArgs& a, void* stream) {
    validate_topk_compact_args(a);
    if (a.segments == 0) return;
    if (a.prompt > 0x7fffffffLL || a.segments > 65535)
        throw std::invalid_argument("topk_compact_cuda: prompt beyond 2^31 or > 65535 segments");
    const cudaStream_t st = cuda_detail::as_stream(stream);
    select_kernel<<<static_cast<unsigned>(a.segments), kThreads, 0, st>>>(
        a.scores, a.scores_stride, a.budgets, a.prompt, a.selectable, a.offsets, a.positions,
        a.lengths);
    HACE_CUDA_CHECK(cudaGetLastError());
    if (a.prompt == 0) return;
    const dim3 grid(
        cuda_detail::grid_dim((a.prompt + kGatherRows - 1) / kGatherRows, "topk_compact_cuda"),
        static_cast<unsigned>(a.segments));
    gather_kernel<<<grid, kGatherThreads, 0, st>>>(
        a.k_src, a.v_src, a.src_head_stride, a.src_row_stride, a.segments_per_kv_head, a.head_dim,
        a.offsets, a.positions, a.lengths, a.k_dst, a.v_dst);
    HACE_CUDA_CHECK(cudaGetLastError());
}

}  // namespace hace::kernels
