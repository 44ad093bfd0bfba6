// Split-K decode attention over ragged per-KV-head segments (contract: ragged_decode_attention.h;
// split API and plan: ragged_decode_attention_cuda.h).
//
// split_kernel: block (segment g, head block, chunk c) of 128 threads = 8 lane groups of 16.
// A lane group takes two key rows per step (rows base + grp and base + grp + 8), each lane
// holding head_dim lanes li, li + 16, ... (coalesced 64-byte reads per row), and keeps for each
// of the block's query heads an online softmax: running max m, normaliser s and the weighted
// sum o of V over its own dims. The 8 groups are merged in shared memory; the block writes the
// chunk's (m, s, o) to the workspace, or the final output when the plan has one chunk and no
// probabilities are wanted. combine_kernel merges the chunks of a head with weights
// exp(m_c - M) and rewrites the stored raw logits into probabilities.
// Sharing one block among the G query heads of a KV head reads each K/V row once per group.
#include <algorithm>
#include <cstdint>

#include "engine/kernels/cuda/cuda_common.cuh"
#include "engine/kernels/ragged_decode_attention_cuda.h"

namespace hace::kernels {
namespace {

using cuda_detail::Carver;
using cuda_detail::StreamScratch;

constexpr int kThreads = 128;
constexpr int kLanes = 16;                  // lanes per key row
constexpr int kGroups = kThreads / kLanes;  // lane groups per block
constexpr int kRowsPerStep = 2 * kGroups;   // rows a block consumes per step
constexpr std::int64_t kMinChunkRows = 256;
constexpr int kDefaultSmCount = 132;  // H100 SXM

struct SplitParams {
    const float* q;
    const float* k;
    const float* v;
    const std::int64_t* offsets;
    const std::int64_t* lengths;
    std::int64_t group, d;
    float scale;
    float* out;
    float* probs;
    std::int64_t probs_stride;
    std::int64_t chunk_rows, chunks, head_blocks;
    int direct;
    float* part_m;
    float* part_s;
    float* part_o;
};

int heads_per_block(std::int64_t group) {
    return group == 1 ? 1 : (group == 2 ? 2 : 4);
}

int dims_per_lane(std::int64_t d) {
    return d <= 32 ? 2 : (d <= 64 ? 4 : (d <= 128 ? 8 : 16));
}

template <int DPL, int HB>
__global__ void __launch_bounds__(kThreads) split_kernel(SplitParams P) {
    __shared__ float sh_m[kGroups][HB];
    __shared__ float sh_s[kGroups][HB];
    __shared__ float sh_o[kGroups][kLanes * DPL];

    const std::int64_t g = blockIdx.x / P.head_blocks;
    const std::int64_t hb = blockIdx.x % P.head_blocks;
    const std::int64_t h0 = g * P.group + hb * HB;
    const int nh = static_cast<int>(P.group - hb * HB < HB ? P.group - hb * HB : HB);
    const std::int64_t len = P.lengths[g];
    const std::int64_t c = blockIdx.y;
    const std::int64_t begin = c * P.chunk_rows;
    const std::int64_t end =
        c + 1 == gridDim.y ? len : (begin + P.chunk_rows < len ? begin + P.chunk_rows : len);
    const int tid = threadIdx.x, grp = tid / kLanes, li = tid % kLanes;
    const std::int64_t d = P.d;

    if (begin >= len) {  // the whole block: nothing to attend
        if (P.direct != 0 && c == 0)
            for (int hh = 0; hh < nh; ++hh)
                for (std::int64_t cc = tid; cc < d; cc += kThreads)
                    P.out[(h0 + hh) * d + cc] = 0.0f;
        return;
    }

    float qr[HB][DPL];
#pragma unroll
    for (int hh = 0; hh < HB; ++hh)
#pragma unroll
        for (int t = 0; t < DPL; ++t) {
            const std::int64_t cc = li + kLanes * t;
            qr[hh][t] = (hh < nh && cc < d) ? P.q[(h0 + hh) * d + cc] : 0.0f;
        }
    float m[HB], s[HB], o[HB][DPL];
#pragma unroll
    for (int hh = 0; hh < HB; ++hh) {
        m[hh] = -INFINITY;
        s[hh] = 0.0f;
#pragma unroll
        for (int t = 0; t < DPL; ++t) o[hh][t] = 0.0f;
    }

    const float* kb = P.k + P.offsets[g] * d;
    const float* vb = P.v + P.offsets[g] * d;
    for (std::int64_t base = begin; base < end; base += kRowsPerStep) {
        const std::int64_t j0 = base + grp, j1 = j0 + kGroups;
        const bool ok0 = j0 < end, ok1 = j1 < end;
        float k0[DPL], k1[DPL], v0[DPL], v1[DPL];
#pragma unroll
        for (int t = 0; t < DPL; ++t) {
            const std::int64_t cc = li + kLanes * t;
            const bool in = cc < d;
            k0[t] = ok0 && in ? kb[j0 * d + cc] : 0.0f;
            k1[t] = ok1 && in ? kb[j1 * d + cc] : 0.0f;
            v0[t] = ok0 && in ? vb[j0 * d + cc] : 0.0f;
            v1[t] = ok1 && in ? vb[j1 * d + cc] : 0.0f;
        }
#pragma unroll
        for (int hh = 0; hh < HB; ++hh) {
            float d0 = 0.0f, d1 = 0.0f;
#pragma unroll
            for (int t = 0; t < DPL; ++t) {
                d0 += qr[hh][t] * k0[t];
                d1 += qr[hh][t] * k1[t];
            }
            for (int off = kLanes / 2; off > 0; off /= 2) {
                d0 += __shfl_xor_sync(0xffffffffu, d0, off);
                d1 += __shfl_xor_sync(0xffffffffu, d1, off);
            }
            // One value per row for the whole lane group (the butterfly's order differs per lane).
            d0 = __shfl_sync(0xffffffffu, d0, 0, kLanes);
            d1 = __shfl_sync(0xffffffffu, d1, 0, kLanes);
            if (hh >= nh) continue;
            const float l0 = ok0 ? d0 * P.scale : -INFINITY;
            const float l1 = ok1 ? d1 * P.scale : -INFINITY;
            if (P.probs != nullptr && li == 0) {
                if (ok0) P.probs[(h0 + hh) * P.probs_stride + j0] = l0;
                if (ok1) P.probs[(h0 + hh) * P.probs_stride + j1] = l1;
            }
            const float mn = fmaxf(m[hh], fmaxf(l0, l1));
            if (mn == -INFINITY) continue;  // this group has no row yet
            const float corr = expf(m[hh] - mn), p0 = expf(l0 - mn), p1 = expf(l1 - mn);
            s[hh] = s[hh] * corr + p0 + p1;
#pragma unroll
            for (int t = 0; t < DPL; ++t) o[hh][t] = o[hh][t] * corr + p0 * v0[t] + p1 * v1[t];
            m[hh] = mn;
        }
    }

    if (li == 0) {
#pragma unroll
        for (int hh = 0; hh < HB; ++hh) {
            sh_m[grp][hh] = m[hh];
            sh_s[grp][hh] = s[hh];
        }
    }
#pragma unroll
    for (int hh = 0; hh < HB; ++hh) {
        if (hh >= nh) break;  // the same for the whole block
#pragma unroll
        for (int t = 0; t < DPL; ++t) sh_o[grp][li + kLanes * t] = o[hh][t];
        __syncthreads();
        float mx = -INFINITY;
        for (int gi = 0; gi < kGroups; ++gi) mx = fmaxf(mx, sh_m[gi][hh]);
        float sum = 0.0f;
        for (int gi = 0; gi < kGroups; ++gi)
            if (sh_m[gi][hh] != -INFINITY) sum += sh_s[gi][hh] * expf(sh_m[gi][hh] - mx);
        const std::int64_t h = h0 + hh;
        for (std::int64_t cc = tid; cc < d; cc += kThreads) {
            float acc = 0.0f;
            for (int gi = 0; gi < kGroups; ++gi)
                if (sh_m[gi][hh] != -INFINITY) acc += sh_o[gi][cc] * expf(sh_m[gi][hh] - mx);
            if (P.direct != 0)
                P.out[h * d + cc] = acc / sum;
            else
                P.part_o[(h * P.chunks + c) * d + cc] = acc;
        }
        if (P.direct == 0 && tid == 0) {
            P.part_m[h * P.chunks + c] = mx;
            P.part_s[h * P.chunks + c] = sum;
        }
        __syncthreads();  // sh_o is rewritten for the next head
    }
}

__global__ void __launch_bounds__(kThreads) combine_kernel(SplitParams P) {
    const std::int64_t h = blockIdx.x;
    const std::int64_t len = P.lengths[h / P.group];
    const std::int64_t d = P.d;
    const std::int64_t used = len <= 0 ? 0
                                       : ((len + P.chunk_rows - 1) / P.chunk_rows < P.chunks
                                              ? (len + P.chunk_rows - 1) / P.chunk_rows
                                              : P.chunks);
    const float* pm = P.part_m + h * P.chunks;
    const float* ps = P.part_s + h * P.chunks;
    float mx = -INFINITY;
    for (std::int64_t c = 0; c < used; ++c) mx = fmaxf(mx, pm[c]);
    float sum = 0.0f;
    for (std::int64_t c = 0; c < used; ++c) sum += ps[c] * expf(pm[c] - mx);
    for (std::int64_t cc = threadIdx.x; cc < d; cc += kThreads) {
        float acc = 0.0f;
        for (std::int64_t c = 0; c < used; ++c)
            acc += P.part_o[(h * P.chunks + c) * d + cc] * expf(pm[c] - mx);
        P.out[h * d + cc] = used > 0 ? acc / sum : 0.0f;
    }
    if (P.probs != nullptr && used > 0) {
        const float inv = 1.0f / sum;
        float* row = P.probs + h * P.probs_stride;
        for (std::int64_t j = threadIdx.x; j < len; j += kThreads) row[j] = expf(row[j] - mx) * inv;
    }
}

template <int DPL>
void launch_split(int hb, dim3 grid, cudaStream_t st, const SplitParams& p) {
    switch (hb) {
        case 1:
            split_kernel<DPL, 1><<<grid, kThreads, 0, st>>>(p);
            break;
        case 2:
            split_kernel<DPL, 2><<<grid, kThreads, 0, st>>>(p);
            break;
        default:
            split_kernel<DPL, 4><<<grid, kThreads, 0, st>>>(p);
            break;
    }
}

void validate_split(const RaggedDecodeArgs& a, const RaggedDecodeSplitPlan& plan) {
    if (a.n_kv_heads < 0 || a.group < 1 || a.head_dim < 1 ||
        a.head_dim > kRaggedDecodeSplitMaxHeadDim)
        throw std::invalid_argument(
            "ragged_decode_attention_split_cuda: bad n_kv_heads/group/head_dim");
    if (plan.chunk_rows < 1 || plan.chunks < 1 || plan.chunks > 65535)
        throw std::invalid_argument("ragged_decode_attention_split_cuda: bad plan");
    if (a.n_kv_heads * a.group > 0x7fffffffLL)
        throw std::invalid_argument("ragged_decode_attention_split_cuda: too many query heads");
    if (a.n_kv_heads > 0 &&
        (a.q == nullptr || a.k == nullptr || a.v == nullptr || a.offsets == nullptr ||
         a.lengths == nullptr || a.out == nullptr || (a.probs != nullptr && a.probs_stride < 1)))
        throw std::invalid_argument(
            "ragged_decode_attention_split_cuda: null pointer or bad stride");
}

// Partial max, normaliser and sums of every (query head, chunk).
void carve_workspace(Carver& c, const RaggedDecodeArgs& a, const RaggedDecodeSplitPlan& plan,
                     SplitParams& p) {
    const auto parts = static_cast<std::size_t>(a.n_kv_heads * a.group * plan.chunks);
    p.part_m = c.take<float>(parts);
    p.part_s = c.take<float>(parts);
    p.part_o = c.take<float>(parts * static_cast<std::size_t>(a.head_dim));
}

}  // namespace

RaggedDecodeSplitPlan plan_ragged_decode_split(std::int64_t n_kv_heads, std::int64_t group,
                                               std::int64_t head_dim, std::int64_t max_length,
                                               int sm_count) {
    (void)head_dim;  // the block shape does not depend on it (lanes cover up to 256 dims)
    if (sm_count <= 0) {
        int dev = 0, count = 0;
        if (cudaGetDevice(&dev) == cudaSuccess &&
            cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, dev) == cudaSuccess &&
            count > 0)
            sm_count = count;
        else
            sm_count = kDefaultSmCount;
        (void)cudaGetLastError();  // a failed query must not linger in the error slot
    }
    const std::int64_t len = std::max<std::int64_t>(1, max_length);
    const int hb = heads_per_block(std::max<std::int64_t>(1, group));
    const std::int64_t base =
        std::max<std::int64_t>(1, n_kv_heads * ((std::max<std::int64_t>(1, group) + hb - 1) / hb));
    const std::int64_t target = 4 * static_cast<std::int64_t>(sm_count);
    const std::int64_t most = std::max<std::int64_t>(1, len / kMinChunkRows);
    const std::int64_t want = std::clamp<std::int64_t>((target + base - 1) / base, 1, most);
    RaggedDecodeSplitPlan plan;
    plan.chunk_rows = ((len + want - 1) / want + kRowsPerStep - 1) / kRowsPerStep * kRowsPerStep;
    plan.chunks = std::min<std::int64_t>(65535, (len + plan.chunk_rows - 1) / plan.chunk_rows);
    plan.split = max_length >= kRaggedDecodeSplitMinLength;
    return plan;
}

std::size_t ragged_decode_split_workspace_bytes(const RaggedDecodeArgs& a,
                                                const RaggedDecodeSplitPlan& plan) {
    Carver sizing(nullptr);
    SplitParams p{};
    carve_workspace(sizing, a, plan, p);
    return sizing.bytes();
}

void ragged_decode_attention_split_cuda(const RaggedDecodeArgs& a,
                                        const RaggedDecodeSplitPlan& plan, void* workspace,
                                        void* stream) {
    validate_split(a, plan);
    const std::int64_t heads = a.n_kv_heads * a.group;
    if (heads == 0) return;
    const cudaStream_t st = cuda_detail::as_stream(stream);
    SplitParams p{};
    p.q = a.q;
    p.k = a.k;
    p.v = a.v;
    p.offsets = a.offsets;
    p.lengths = a.lengths;
    p.group = a.group;
    p.d = a.head_dim;
    p.scale = a.scale;
    p.out = a.out;
    p.probs = a.probs;
    p.probs_stride = a.probs_stride;
    p.chunk_rows = plan.chunk_rows;
    p.chunks = plan.chunks;
    const int hb = heads_per_block(a.group);
    p.head_blocks = (a.group + hb - 1) / hb;
    p.direct = plan.chunks == 1 && a.probs == nullptr ? 1 : 0;

    const std::size_t bytes = p.direct != 0 ? 0 : ragged_decode_split_workspace_bytes(a, plan);
    StreamScratch own(workspace == nullptr ? bytes : 0, st);
    Carver carve(workspace != nullptr ? workspace : own.get());
    if (p.direct == 0) carve_workspace(carve, a, plan, p);

    const dim3 grid(
        cuda_detail::grid_dim(a.n_kv_heads * p.head_blocks, "ragged_decode_attention_split_cuda"),
        static_cast<unsigned>(plan.chunks));
    switch (dims_per_lane(a.head_dim)) {
        case 2:
            launch_split<2>(hb, grid, st, p);
            break;
        case 4:
            launch_split<4>(hb, grid, st, p);
            break;
        case 8:
            launch_split<8>(hb, grid, st, p);
            break;
        default:
            launch_split<16>(hb, grid, st, p);
            break;
    }
    HACE_CUDA_CHECK(cudaGetLastError());
    if (p.direct == 0) {
        combine_kernel<<<static_cast<unsigned>(heads), kThreads, 0, st>>>(p);
        HACE_CUDA_CHECK(cudaGetLastError());
    }
}

void ragged_decode_attention_auto_cuda(const RaggedDecodeArgs& a, std::int64_t max_length,
                                       void* stream) {
    const RaggedDecodeSplitPlan plan =
        plan_ragged_decode_split(a.n_kv_heads, a.group, a.head_dim, max_length);
    if (plan.split && a.head_dim <= kRaggedDecodeSplitMaxHeadDim)
        ragged_decode_attention_split_cuda(a, plan, nullptr, stream);
    else
        ragged_decode_attention_cuda(a, stream);
}

}  // namespace hace::kernels
