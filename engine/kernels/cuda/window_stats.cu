// CUDA kernels for the observation-window statistics (contract: window_stats.h; device-pointer
// conventions: window_stats_cuda.h).
//
// No n x n matrix and no w x n matrix either: logits are formed tile by tile in shared memory
// (32 window rows x 64 keys, head_dim staged 32 lanes at a time) and recomputed when needed.
//   A row_partials: for each (query head, 32-row chunk, 1024-key block) the running max and
//     normaliser of every row over the block's visible keys (online rescaling).
//   B row_finalize: per window row, merge the partials: max, 1/normaliser, log normaliser.
//   C columns: for each (query head, 64-column tile of the selectable range) walk all window
//     rows, form the probabilities, accumulate per column sum and sum of squares in double,
//     then write the per-head value (CAKE indicator or SNAP mean) and the tile's variance and
//     entropy partial sums.
//   D pool: pooling and group reduction into the score rows.
//   E finalize: E_l and V_l from the partial sums in a fixed order (deterministic).
// Rounding follows the CPU twin: float logits and probabilities, double accumulators, the CAKE
// product and the group mean rounded step by step (no FMA contraction there).
#include "engine/kernels/window_stats_cuda.h"

#include <cstdint>

#include "engine/kernels/cuda/cuda_common.cuh"

namespace hace::kernels {
namespace {

using cuda_detail::Carver;
using cuda_detail::StreamScratch;

constexpr int kThreads = 256;
constexpr int kRows = 32;
constexpr int kKeys = 64;
constexpr int kDimChunk = 32;
constexpr int kRowThreads = kThreads / kRows;  // threads sharing one window row: 8
constexpr int kCols = kKeys / kRowThreads;     // keys per thread in a tile: 8
constexpr int kTilesPerBlock = 16;             // pass-1 keys per block: 1024
constexpr int kWarps = kThreads / 32;
static_assert(kRowThreads == 8 && kCols == 8, "the row shuffles below assume 8 threads per row");

struct Shape {
    const float* q;
    const float* k;
    std::int64_t k_head_stride, k_row_stride;
    std::int64_t group, d, n, w, p, sw;
    float scale;
};

struct TileSmem {
    float q[kRows][kDimChunk + 1];
    float k[kKeys][kDimChunk + 1];
};

__device__ inline bool visible(std::int64_t qp, std::int64_t j, std::int64_t sw) {
    return j <= qp && (sw <= 0 || qp - j < sw);
}

// True when no row of [i0, i1) sees any key of [j0, j1): the visible spans grow with i.
__device__ inline bool tile_masked(const Shape& s, std::int64_t i0, std::int64_t i1,
                                   std::int64_t j0, std::int64_t j1) {
    const std::int64_t first = s.n - s.w + i0, last = s.n - s.w + i1 - 1;
    const std::int64_t lo = s.sw > 0 ? (first - s.sw + 1 > 0 ? first - s.sw + 1 : 0) : 0;
    return j1 - 1 < lo || j0 > last;
}

// acc[u] = q[i0 + r] . k[j0 + c0 + 8u] with r = tid / 8, c0 = tid % 8; rows >= w and keys >= j1
// read as zero.
__device__ void tile_dots(const Shape& s, const float* qh, const float* kg, std::int64_t i0,
                          std::int64_t j0, std::int64_t j1, TileSmem& sm, float (&acc)[kCols]) {
    const int tid = threadIdx.x;
    const int r = tid / kRowThreads, c0 = tid % kRowThreads;
#pragma unroll
    for (int u = 0; u < kCols; ++u) acc[u] = 0.0f;
    for (std::int64_t c = 0; c < s.d; c += kDimChunk) {
        for (int e = tid; e < kRows * kDimChunk; e += kThreads) {
            const int rr = e / kDimChunk, cc = e % kDimChunk;
            const std::int64_t i = i0 + rr;
            sm.q[rr][cc] = (i < s.w && c + cc < s.d) ? qh[i * s.d + c + cc] : 0.0f;
        }
        for (int e = tid; e < kKeys * kDimChunk; e += kThreads) {
            const int rr = e / kDimChunk, cc = e % kDimChunk;
            const std::int64_t j = j0 + rr;
            sm.k[rr][cc] = (j < j1 && c + cc < s.d) ? kg[j * s.k_row_stride + c + cc] : 0.0f;
        }
        __syncthreads();
#pragma unroll 8
        for (int cc = 0; cc < kDimChunk; ++cc) {
            const float qv = sm.q[r][cc];
#pragma unroll
            for (int u = 0; u < kCols; ++u) acc[u] += qv * sm.k[c0 + kRowThreads * u][cc];
        }
        __syncthreads();
    }
}

// Merges (max, normaliser) pairs; -inf max means "nothing seen".
__device__ inline void merge_max_sum(float& m, float& z, float om, float oz) {
    const float nm = fmaxf(m, om);
    if (nm == -INFINITY) return;
    z = z * expf(m - nm) + oz * expf(om - nm);
    m = nm;
}

__global__ void __launch_bounds__(kThreads)
    row_partials_kernel(Shape s, std::int64_t row_chunks, std::int64_t key_blocks,
                        float* __restrict__ part_m, float* __restrict__ part_z) {
    __shared__ TileSmem sm;
    const std::int64_t h = blockIdx.x / row_chunks, rc = blockIdx.x % row_chunks;
    const float* qh = s.q + h * s.w * s.d;
    const float* kg = s.k + (h / s.group) * s.k_head_stride;
    const std::int64_t i0 = rc * kRows, i1 = i0 + kRows < s.w ? i0 + kRows : s.w;
    const int r = threadIdx.x / kRowThreads, c0 = threadIdx.x % kRowThreads;
    const std::int64_t i = i0 + r, qp = s.n - s.w + i;

    float m = -INFINITY, z = 0.0f;
    const std::int64_t first_key = static_cast<std::int64_t>(blockIdx.y) * kTilesPerBlock * kKeys;
    for (int t = 0; t < kTilesPerBlock; ++t) {
        const std::int64_t j0 = first_key + static_cast<std::int64_t>(t) * kKeys;
        if (j0 >= s.n) break;
        const std::int64_t j1 = j0 + kKeys < s.n ? j0 + kKeys : s.n;
        if (tile_masked(s, i0, i1, j0, j1)) continue;  // same for the whole block
        float acc[kCols];
        tile_dots(s, qh, kg, i0, j0, j1, sm, acc);
        if (i >= s.w) continue;
#pragma unroll
        for (int u = 0; u < kCols; ++u) {
            const std::int64_t j = j0 + c0 + kRowThreads * u;
            if (j >= j1 || !visible(qp, j, s.sw)) continue;
            const float l = acc[u] * s.scale;
            if (l > m) {
                z = z * expf(m - l) + 1.0f;
                m = l;
            } else {
                z += expf(l - m);
            }
        }
    }
    // The 8 threads of a row are adjacent lanes of one warp.
    for (int o = 1; o < kRowThreads; o *= 2) {
        const float om = __shfl_xor_sync(0xffffffffu, m, o);
        const float oz = __shfl_xor_sync(0xffffffffu, z, o);
        merge_max_sum(m, z, om, oz);
    }
    if (c0 == 0 && i < s.w) {
        const std::int64_t at = (h * s.w + i) * key_blocks + blockIdx.y;
        part_m[at] = m;
        part_z[at] = z;
    }
}

__global__ void row_finalize_kernel(std::int64_t rows, std::int64_t key_blocks,
                                    const float* __restrict__ part_m,
                                    const float* __restrict__ part_z, float* __restrict__ row_m,
                                    float* __restrict__ row_inv, float* __restrict__ row_logz) {
    const std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (row >= rows) return;
    float m = -INFINITY, z = 0.0f;
    for (std::int64_t b = 0; b < key_blocks; ++b)
        merge_max_sum(m, z, part_m[row * key_blocks + b], part_z[row * key_blocks + b]);
    // Every window row sees its own position, so z >= 1.
    row_m[row] = m;
    row_inv[row] = 1.0f / z;
    row_logz[row] = logf(z);
}

// Sum over the block in a fixed order; the result is valid in thread 0.
__device__ double block_sum_d(double x, double* scratch) {
    x = cuda_detail::warp_sum_d(x);
    if (threadIdx.x % 32 == 0) scratch[threadIdx.x / 32] = x;
    __syncthreads();
    double r = 0.0;
    if (threadIdx.x == 0)
        for (int w = 0; w < kWarps; ++w) r += scratch[w];
    __syncthreads();
    return r;
}

__global__ void __launch_bounds__(kThreads)
    columns_kernel(Shape s, std::int64_t row_chunks, const float* __restrict__ row_m,
                   const float* __restrict__ row_inv, const float* __restrict__ row_logz, int cake,
                   float gamma, int with_entropy, float* __restrict__ per_head,
                   double* __restrict__ part_var, double* __restrict__ part_ent) {
    __shared__ TileSmem sm;
    __shared__ double red[kRows][kKeys + 1];
    __shared__ double scratch[kWarps];
    const std::int64_t h = blockIdx.y, tile = blockIdx.x;
    const float* qh = s.q + h * s.w * s.d;
    const float* kg = s.k + (h / s.group) * s.k_head_stride;
    const std::int64_t j0 = tile * kKeys, j1 = j0 + kKeys < s.p ? j0 + kKeys : s.p;
    const int tid = threadIdx.x;
    const int r = tid / kRowThreads, c0 = tid % kRowThreads;

    double csum[kCols], csq[kCols];
#pragma unroll
    for (int u = 0; u < kCols; ++u) csum[u] = csq[u] = 0.0;
    double ent = 0.0;
    for (std::int64_t rc = 0; rc < row_chunks; ++rc) {
        const std::int64_t i0 = rc * kRows, i1 = i0 + kRows < s.w ? i0 + kRows : s.w;
        if (tile_masked(s, i0, i1, j0, j1)) continue;
        float acc[kCols];
        tile_dots(s, qh, kg, i0, j0, j1, sm, acc);
        const std::int64_t i = i0 + r;
        if (i >= s.w) continue;
        const std::int64_t qp = s.n - s.w + i;
        const float m = row_m[h * s.w + i], inv = row_inv[h * s.w + i];
        const double logz = row_logz[h * s.w + i];
#pragma unroll
        for (int u = 0; u < kCols; ++u) {
            const std::int64_t j = j0 + c0 + kRowThreads * u;
            if (j >= j1 || !visible(qp, j, s.sw)) continue;
            const float l = acc[u] * s.scale;
            const float a = __fmul_rn(expf(l - m), inv);
            const double x = a;
            csum[u] += x;
            csq[u] += x * x;
            // -A log A with log A = l - max - log z; underflowed probabilities add nothing.
            if (with_entropy != 0 && a > 0.0f) ent += x * (static_cast<double>(m - l) + logz);
        }
    }

    double s1 = 0.0, s2 = 0.0;
#pragma unroll
    for (int u = 0; u < kCols; ++u) red[r][c0 + kRowThreads * u] = csum[u];
    __syncthreads();
    if (tid < kKeys)
        for (int rr = 0; rr < kRows; ++rr) s1 += red[rr][tid];
    __syncthreads();
#pragma unroll
    for (int u = 0; u < kCols; ++u) red[r][c0 + kRowThreads * u] = csq[u];
    __syncthreads();
    if (tid < kKeys)
        for (int rr = 0; rr < kRows; ++rr) s2 += red[rr][tid];

    double var_part = 0.0;
    if (tid < kKeys && j0 + tid < j1) {
        const double mean = s1 / static_cast<double>(s.w);
        double var = 0.0;
        if (s.w > 1) {
            var = __dadd_rn(s2, -__dmul_rn(s1, mean)) / static_cast<double>(s.w - 1);
            var = var > 0.0 ? var : 0.0;
        }
        var_part = var;
        const float mf = static_cast<float>(mean);
        per_head[h * s.p + j0 + tid] =
            cake != 0 ? __fadd_rn(mf, __fmul_rn(gamma, static_cast<float>(var))) : mf;
    }
    const double var_sum = block_sum_d(var_part, scratch);
    const double ent_sum = block_sum_d(ent, scratch);
    if (tid == 0) {
        part_var[h * gridDim.x + tile] = var_sum;
        part_ent[h * gridDim.x + tile] = ent_sum;
    }
}

enum PoolMode : int { kPerQueryCake = 0, kPerQuerySnap = 1, kGroupCake = 2, kGroupSnap = 3 };

__global__ void pool_kernel(const float* __restrict__ per_head, std::int64_t p, std::int64_t group,
                            std::int64_t pool, int mode, float* __restrict__ scores,
                            std::int64_t stride) {
    const std::int64_t row = blockIdx.y;
    const std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (j >= p) return;
    const std::int64_t half = pool / 2;
    const std::int64_t lo = j - half > 0 ? j - half : 0;
    const std::int64_t hi = j + half < p - 1 ? j + half : p - 1;
    float value = 0.0f;
    if (mode == kPerQueryCake || mode == kPerQuerySnap) {
        const float* src = per_head + row * p;
        double acc = mode == kPerQuerySnap ? -INFINITY : 0.0;
        for (std::int64_t t = lo; t <= hi; ++t)
            acc = mode == kPerQuerySnap ? fmax(acc, static_cast<double>(src[t])) : acc + src[t];
        value = static_cast<float>(mode == kPerQuerySnap ? acc : acc / static_cast<double>(pool));
    } else if (mode == kGroupCake) {
        // Pool each query head, then average over the group in float, head by head.
        for (std::int64_t hh = 0; hh < group; ++hh) {
            const float* src = per_head + (row * group + hh) * p;
            double acc = 0.0;
            for (std::int64_t t = lo; t <= hi; ++t) acc += src[t];
            const float pooled = static_cast<float>(acc / static_cast<double>(pool));
            value = __fadd_rn(value, __fdiv_rn(pooled, static_cast<float>(group)));
        }
    } else {
        // Group mean of the window means, then max pool.
        float best = -INFINITY;
        for (std::int64_t t = lo; t <= hi; ++t) {
            float sum = 0.0f;
            for (std::int64_t hh = 0; hh < group; ++hh)
                sum = __fadd_rn(sum, per_head[(row * group + hh) * p + t]);
            best = fmaxf(best, __fdiv_rn(sum, static_cast<float>(group)));
        }
        value = best;
    }
    scores[row * stride + j] = value;
}

__global__ void finalize_kernel(const double* __restrict__ part_var,
                                const double* __restrict__ part_ent, std::int64_t count,
                                int with_entropy, double* __restrict__ entropy,
                                double* __restrict__ variance) {
    __shared__ double scratch[kWarps];
    double v = 0.0, e = 0.0;
    for (std::int64_t t = threadIdx.x; t < count; t += blockDim.x) {
        v += part_var[t];
        e += part_ent[t];
    }
    v = block_sum_d(v, scratch);
    e = block_sum_d(e, scratch);
    if (threadIdx.x == 0) {
        *variance = v;
        *entropy = with_entropy != 0 ? e : __longlong_as_double(0x7ff8000000000000LL);  // NaN
    }
}

}  // namespace

void window_stats_cuda(const WindowStatsArgs& a, void* stream) {
    validate_window_stats_args(a);
    const cudaStream_t st = cuda_detail::as_stream(stream);
    const Shape s{a.q,        a.k,      a.k_head_stride, a.k_row_stride, a.n_q_heads / a.n_kv_heads,
                  a.head_dim, a.prompt, a.window,        a.selectable,   a.sliding_window,
                  a.scale};
    const std::int64_t hq = a.n_q_heads;
    const std::int64_t row_chunks = (a.window + kRows - 1) / kRows;
    const std::int64_t key_blocks =
        (a.prompt + kTilesPerBlock * kKeys - 1) / (kTilesPerBlock * kKeys);
    const std::int64_t col_tiles = (a.selectable + kKeys - 1) / kKeys;
    const std::int64_t out_rows = a.per_query_head ? hq : a.n_kv_heads;
    if (key_blocks > 65535 || hq > 65535)
        throw std::invalid_argument("window_stats_cuda: prompt or head count beyond grid limits");

    auto layout = [&](Carver& c, float*& pm, float*& pz, float*& rm, float*& ri, float*& rl,
                      float*& ph, double*& pv, double*& pe) {
        const auto rows = static_cast<std::size_t>(hq * a.window);
        pm = c.take<float>(rows * static_cast<std::size_t>(key_blocks));
        pz = c.take<float>(rows * static_cast<std::size_t>(key_blocks));
        rm = c.take<float>(rows);
        ri = c.take<float>(rows);
        rl = c.take<float>(rows);
        ph = c.take<float>(static_cast<std::size_t>(hq * a.selectable));
        pv = c.take<double>(static_cast<std::size_t>(hq * col_tiles) + 1);
        pe = c.take<double>(static_cast<std::size_t>(hq * col_tiles) + 1);
    };
    float *pm, *pz, *rm, *ri, *rl, *ph;
    double *pv, *pe;
    Carver sizing(nullptr);
    layout(sizing, pm, pz, rm, ri, rl, ph, pv, pe);
    StreamScratch scratch(sizing.bytes(), st);
    Carver carve(scratch.get());
    layout(carve, pm, pz, rm, ri, rl, ph, pv, pe);

    if (a.selectable > 0) {
        const dim3 grid_a(cuda_detail::grid_dim(hq * row_chunks, "window_stats_cuda"),
                          static_cast<unsigned>(key_blocks));
        row_partials_kernel<<<grid_a, kThreads, 0, st>>>(s, row_chunks, key_blocks, pm, pz);
        HACE_CUDA_CHECK(cudaGetLastError());
        const std::int64_t rows = hq * a.window;
        row_finalize_kernel<<<cuda_detail::grid_dim((rows + 255) / 256, "window_stats_cuda"), 256,
                              0, st>>>(rows, key_blocks, pm, pz, rm, ri, rl);
        HACE_CUDA_CHECK(cudaGetLastError());
        const dim3 grid_c(cuda_detail::grid_dim(col_tiles, "window_stats_cuda"),
                          static_cast<unsigned>(hq));
        columns_kernel<<<grid_c, kThreads, 0, st>>>(
            s, row_chunks, rm, ri, rl, a.selector == WindowSelector::Cake ? 1 : 0,
            static_cast<float>(a.gamma), a.with_entropy ? 1 : 0, ph, pv, pe);
        HACE_CUDA_CHECK(cudaGetLastError());
        const bool cake = a.selector == WindowSelector::Cake;
        const int mode = a.per_query_head ? (cake ? kPerQueryCake : kPerQuerySnap)
                                          : (cake ? kGroupCake : kGroupSnap);
        const dim3 grid_d(cuda_detail::grid_dim((a.selectable + 255) / 256, "window_stats_cuda"),
                          static_cast<unsigned>(out_rows));
        pool_kernel<<<grid_d, 256, 0, st>>>(ph, a.selectable, s.group, a.pool, mode, a.scores,
                                            a.scores_stride);
        HACE_CUDA_CHECK(cudaGetLastError());
    }
    finalize_kernel<<<1, kThreads, 0, st>>>(pv, pe, a.selectable > 0 ? hq * col_tiles : 0,
                                            a.with_entropy ? 1 : 0, a.entropy, a.variance);
    HACE_CUDA_CHECK(cudaGetLastError());
}

}  // namespace hace::kernels
