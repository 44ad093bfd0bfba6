// Timings of the CUDA kernels at 7B shapes, printed as one JSON object (scripts/gpu-verify.sh).
//
//   d2d: cudaMemcpy device-to-device of 1 GiB; copy_GBps = bytes / time, traffic_GBps counts the
//        read and the write (2 x bytes), the ceiling a streaming kernel can reach.
//   ragged_decode: 32 query heads, 8 or 32 KV heads, head_dim 128, float32 K/V, contexts 4K..128K
//        at 100 % and 1 % retention (1 %: segment lengths spread +-25 % around 1 % of the context,
//        as uneven per-head budgets make them). For the one-block-per-head kernel ("plain"), the
//        split-K kernels ("split", plan from the selector, caller workspace) and the selector's
//        choice ("auto"): median and min ms over the repetitions, with L2 flushed (a 256 MiB
//        memset) before every timed launch; achieved GB/s = K + V bytes / median time, and its
//        fraction of d2d traffic_GBps. max_abs_diff compares split with plain outputs (-1 when
//        an output is not finite).
//   window_stats, topk_compact, append_rows: median ms at 7B shapes.
// Not a test: it needs a GPU and runs for tens of seconds.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/kernels/append_rows_cuda.h"
#include "engine/kernels/ragged_decode_attention_cuda.h"
#include "engine/kernels/topk_compact_cuda.h"
#include "engine/kernels/window_stats_cuda.h"

namespace {

using namespace hace::kernels;

void check(cudaError_t err, const char* what) {
    if (err != cudaSuccess)
        throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(err));
}
#define CHECK(call) check((call), #call)

template <typename T>
T* device_alloc(std::size_t count) {
    void* p = nullptr;
    CHECK(cudaMalloc(&p, std::max<std::size_t>(count, 1) * sizeof(T)));
    return static_cast<T*>(p);
}

template <typename T>
T* device_copy(const std::vector<T>& host) {
    T* p = device_alloc<T>(host.size());
    CHECK(cudaMemcpy(p, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
    return p;
}

// Uniform values in [-1, 1) from a hash of the index: deterministic, no host transfer.
__global__ void fill_kernel(float* x, std::size_t n, std::uint32_t seed) {
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        std::uint32_t h = static_cast<std::uint32_t>(i) * 2654435761u ^ seed;
        h ^= h >> 16;
        h *= 0x7feb352du;
        h ^= h >> 15;
        h *= 0x846ca68bu;
        h ^= h >> 16;
        x[i] = static_cast<float>(h >> 8) / 8388608.0f - 1.0f;
    }
}

void fill(float* x, std::size_t n, std::uint32_t seed) {
    fill_kernel<<<1024, 256>>>(x, n, seed);
    CHECK(cudaGetLastError());
}

struct Timing {
    double median_ms = 0.0, min_ms = 0.0;
};

// Times `launch` reps times (after warm-up), flushing L2 before each timed launch.
template <typename F>
Timing time_kernel(F&& launch, int reps, void* flush, std::size_t flush_bytes) {
    cudaEvent_t start, stop;
    CHECK(cudaEventCreate(&start));
    CHECK(cudaEventCreate(&stop));
    for (int i = 0; i < 2; ++i) launch();
    CHECK(cudaDeviceSynchronize());
    std::vector<double> ms;
    for (int i = 0; i < reps; ++i) {
        if (flush != nullptr) CHECK(cudaMemsetAsync(flush, i & 0xff, flush_bytes));
        CHECK(cudaEventRecord(start));
        launch();
        CHECK(cudaEventRecord(stop));
        CHECK(cudaEventSynchronize(stop));
        float t = 0.0f;
        CHECK(cudaEventElapsedTime(&t, start, stop));
        ms.push_back(t);
    }
    CHECK(cudaEventDestroy(start));
    CHECK(cudaEventDestroy(stop));
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.front()};
}

std::string json_timing(const Timing& t) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "{\"median_ms\": %.4f, \"min_ms\": %.4f}", t.median_ms,
                  t.min_ms);
    return buf;
}

double d2d_traffic_gbps(std::string& json) {
    const std::size_t bytes = std::size_t{1} << 30;
    float* a = device_alloc<float>(bytes / sizeof(float));
    float* b = device_alloc<float>(bytes / sizeof(float));
    CHECK(cudaMemset(a, 1, bytes));
    const Timing t = time_kernel(
        [&] { CHECK(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice)); }, 10, nullptr, 0);
    CHECK(cudaFree(a));
    CHECK(cudaFree(b));
    const double copy = static_cast<double>(bytes) / (t.median_ms * 1e-3) / 1e9;
    char buf[256];
    std::snprintf(
        buf, sizeof buf,
        "{\"bytes\": %zu, \"median_ms\": %.4f, \"copy_GBps\": %.1f, \"traffic_GBps\": %.1f}", bytes,
        t.median_ms, copy, 2.0 * copy);
    json = buf;
    return 2.0 * copy;
}

std::vector<std::int64_t> segment_lengths(std::int64_t hkv, std::int64_t context,
                                          double retention) {
    std::vector<std::int64_t> len(static_cast<std::size_t>(hkv));
    for (std::int64_t g = 0; g < hkv; ++g) {
        if (retention >= 1.0) {
            len[static_cast<std::size_t>(g)] = context;
            continue;
        }
        const double spread = std::fmod(static_cast<double>(g) * 0.6180339887, 1.0);  // [0, 1)
        const double base = retention * static_cast<double>(context);
        len[static_cast<std::size_t>(g)] =
            std::max<std::int64_t>(1, std::llround(base * (0.75 + 0.5 * spread)));
    }
    return len;
}

std::string bench_decode(double d2d_traffic, void* flush, std::size_t flush_bytes) {
    const std::int64_t hq = 32, d = 128;
    const std::int64_t contexts[] = {4096, 16384, 32768, 65536, 131072};
    const double retentions[] = {1.0, 0.01};
    // Buffers sized for the largest case: 32 KV heads x 128K rows.
    const std::size_t max_rows = static_cast<std::size_t>(32 * 131072);
    float* k = device_alloc<float>(max_rows * d);
    float* v = device_alloc<float>(max_rows * d);
    fill(k, max_rows * d, 1);
    fill(v, max_rows * d, 2);
    float* q = device_alloc<float>(static_cast<std::size_t>(hq * d));
    fill(q, static_cast<std::size_t>(hq * d), 3);
    float* out_plain = device_alloc<float>(static_cast<std::size_t>(hq * d));
    float* out_split = device_alloc<float>(static_cast<std::size_t>(hq * d));

    std::string json = "[";
    bool first = true;
    for (std::int64_t hkv : {32, 8}) {
        for (std::int64_t context : contexts) {
            for (double ret : retentions) {
                const auto lengths = segment_lengths(hkv, context, ret);
                std::vector<std::int64_t> offsets(lengths.size());
                std::int64_t rows = 0, longest = 0;
                for (std::size_t g = 0; g < lengths.size(); ++g) {
                    offsets[g] = rows;
                    rows += lengths[g];
                    longest = std::max(longest, lengths[g]);
                }
                std::int64_t* d_off = device_copy(offsets);
                std::int64_t* d_len = device_copy(lengths);
                RaggedDecodeArgs a;
                a.q = q;
                a.k = k;
                a.v = v;
                a.offsets = d_off;
                a.lengths = d_len;
                a.n_kv_heads = hkv;
                a.group = hq / hkv;
                a.head_dim = d;
                a.scale = 1.0f / std::sqrt(static_cast<float>(d));
                const RaggedDecodeSplitPlan plan =
                    plan_ragged_decode_split(hkv, a.group, d, longest);
                const std::size_t ws_bytes = ragged_decode_split_workspace_bytes(a, plan);
                void* ws = nullptr;
                CHECK(cudaMalloc(&ws, std::max<std::size_t>(ws_bytes, 1)));

                RaggedDecodeArgs ap = a, as = a;
                ap.out = out_plain;
                as.out = out_split;
                const int reps = rows * d * 8 > (std::int64_t{1} << 30) ? 5 : 20;
                const Timing plain = time_kernel([&] { ragged_decode_attention_cuda(ap); }, reps,
                                                 flush, flush_bytes);
                const Timing split =
                    time_kernel([&] { ragged_decode_attention_split_cuda(as, plan, ws); }, reps,
                                flush, flush_bytes);
                const Timing autot =
                    time_kernel([&] { ragged_decode_attention_auto_cuda(as, longest); }, reps,
                                flush, flush_bytes);
                CHECK(cudaDeviceSynchronize());
                std::vector<float> hp(static_cast<std::size_t>(hq * d)), hs(hp.size());
                CHECK(cudaMemcpy(hp.data(), out_plain, hp.size() * 4, cudaMemcpyDeviceToHost));
                CHECK(cudaMemcpy(hs.data(), out_split, hs.size() * 4, cudaMemcpyDeviceToHost));
                double diff = 0.0;
                for (std::size_t i = 0; i < hp.size(); ++i) {
                    const double e = std::abs(static_cast<double>(hp[i]) - hs[i]);
                    diff = std::isfinite(e) ? std::max(diff, e) : -1.0;  // -1: non-finite output
                    if (diff < 0.0) break;
                }

                const double bytes = static_cast<double>(rows) * static_cast<double>(d) * 4.0 * 2.0;
                auto gbps = [&](const Timing& t) { return bytes / (t.median_ms * 1e-3) / 1e9; };
                char buf[1024];
                std::snprintf(
                    buf, sizeof buf,
                    "%s\n    {\"n_q_heads\": %lld, \"n_kv_heads\": %lld, \"head_dim\": %lld, "
                    "\"context\": %lld, \"retention\": %.2f, \"kv_rows\": %lld, \"longest\": %lld, "
                    "\"kv_bytes\": %.0f, \"plan\": {\"split\": %s, \"chunk_rows\": %lld, "
                    "\"chunks\": %lld}, "
                    "\"plain\": %s, \"split\": %s, \"auto\": %s, "
                    "\"plain_GBps\": %.1f, \"split_GBps\": %.1f, \"auto_GBps\": %.1f, "
                    "\"plain_fraction_of_d2d\": %.3f, \"split_fraction_of_d2d\": %.3f, "
                    "\"auto_fraction_of_d2d\": %.3f, \"max_abs_diff_split_vs_plain\": %.3g}",
                    first ? "" : ",", static_cast<long long>(hq), static_cast<long long>(hkv),
                    static_cast<long long>(d), static_cast<long long>(context), ret,
                    static_cast<long long>(rows), static_cast<long long>(longest), bytes,
                    plan.split ? "true" : "false", static_cast<long long>(plan.chunk_rows),
                    static_cast<long long>(plan.chunks), json_timing(plain).c_str(),
                    json_timing(split).c_str(), json_timing(autot).c_str(), gbps(plain),
                    gbps(split), gbps(autot), gbps(plain) / d2d_traffic, gbps(split) / d2d_traffic,
                    gbps(autot) / d2d_traffic, diff);
                json += buf;
                first = false;
                CHECK(cudaFree(ws));
                CHECK(cudaFree(d_off));
                CHECK(cudaFree(d_len));
            }
        }
    }
    CHECK(cudaFree(k));
    CHECK(cudaFree(v));
    CHECK(cudaFree(q));
    CHECK(cudaFree(out_plain));
    CHECK(cudaFree(out_split));
    return json + "\n  ]";
}

// Window statistics (SEL-CAKE, w 32, with entropy), then top-k + compaction at 1 % and append.
std::string bench_prefill_side(void* flush, std::size_t flush_bytes) {
    const std::int64_t hq = 32, d = 128, w = 32;
    std::string json = "[";
    bool first = true;
    for (std::int64_t hkv : {32, 8}) {
        for (std::int64_t n : {4096, 32768, 131072}) {
            const std::int64_t p = n - w;
            float* q = device_alloc<float>(static_cast<std::size_t>(hq * w * d));
            float* k = device_alloc<float>(static_cast<std::size_t>(hkv * n * d));
            float* v = device_alloc<float>(static_cast<std::size_t>(hkv * n * d));
            float* scores = device_alloc<float>(static_cast<std::size_t>(hkv * p));
            double* stats = device_alloc<double>(2);
            fill(q, static_cast<std::size_t>(hq * w * d), 4);
            fill(k, static_cast<std::size_t>(hkv * n * d), 5);
            fill(v, static_cast<std::size_t>(hkv * n * d), 6);
            WindowStatsArgs ws;
            ws.q = q;
            ws.k = k;
            ws.k_head_stride = n * d;
            ws.k_row_stride = d;
            ws.n_q_heads = hq;
            ws.n_kv_heads = hkv;
            ws.head_dim = d;
            ws.prompt = n;
            ws.window = w;
            ws.selectable = p;
            ws.scale = 1.0f / std::sqrt(static_cast<float>(d));
            ws.scores = scores;
            ws.scores_stride = p;
            ws.entropy = stats;
            ws.variance = stats + 1;
            const int reps = n >= 131072 ? 3 : 5;
            const Timing t_stats =
                time_kernel([&] { window_stats_cuda(ws); }, reps, flush, flush_bytes);

            // Top 1 % of P per KV head, plus the window, into a flat cache with slack.
            const std::int64_t budget = std::max<std::int64_t>(1, p / 100);
            const std::int64_t cap = budget + w + 64;
            std::vector<std::int64_t> budgets(static_cast<std::size_t>(hkv), budget), offsets;
            for (std::int64_t g = 0; g < hkv; ++g) offsets.push_back(g * cap);
            std::int64_t* d_budgets = device_copy(budgets);
            std::int64_t* d_offsets = device_copy(offsets);
            std::int64_t* positions =
                device_alloc<std::int64_t>(static_cast<std::size_t>(hkv * cap));
            std::int64_t* lengths = device_alloc<std::int64_t>(static_cast<std::size_t>(hkv));
            float* k_dst = device_alloc<float>(static_cast<std::size_t>(hkv * cap * d));
            float* v_dst = device_alloc<float>(static_cast<std::size_t>(hkv * cap * d));
            TopkCompactArgs tk;
            tk.scores = scores;
            tk.scores_stride = p;
            tk.budgets = d_budgets;
            tk.segments = hkv;
            tk.prompt = n;
            tk.selectable = p;
            tk.head_dim = d;
            tk.k_src = k;
            tk.v_src = v;
            tk.src_head_stride = n * d;
            tk.src_row_stride = d;
            tk.offsets = d_offsets;
            tk.k_dst = k_dst;
            tk.v_dst = v_dst;
            tk.positions = positions;
            tk.lengths = lengths;
            const Timing t_topk =
                time_kernel([&] { topk_compact_cuda(tk); }, reps, flush, flush_bytes);

            AppendRowsArgs ap;
            ap.k_new = q;  // any [Hkv, d] rows
            ap.v_new = q;
            ap.segments = hkv;
            ap.head_dim = d;
            ap.offsets = d_offsets;
            ap.lengths = lengths;
            ap.k = k_dst;
            ap.v = v_dst;
            // Appends grow the lengths by one per launch: 2 + 20 launches fit the 64-row slack.
            const Timing t_append = time_kernel([&] { append_rows_cuda(ap); }, 20, nullptr, 0);

            char buf[768];
            std::snprintf(buf, sizeof buf,
                          "%s\n    {\"n_q_heads\": %lld, \"n_kv_heads\": %lld, \"head_dim\": %lld, "
                          "\"prompt\": %lld, \"window\": %lld, \"window_stats\": %s, "
                          "\"topk_budget\": %lld, \"topk_compact\": %s, \"append_rows\": %s}",
                          first ? "" : ",", static_cast<long long>(hq), static_cast<long long>(hkv),
                          static_cast<long long>(d), static_cast<long long>(n),
                          static_cast<long long>(w), json_timing(t_stats).c_str(),
                          static_cast<long long>(budget), json_timing(t_topk).c_str(),
                          json_timing(t_append).c_str());
            json += buf;
            first = false;
            for (void* ptr : {static_cast<void*>(q), static_cast<void*>(k), static_cast<void*>(v),
                              static_cast<void*>(scores), static_cast<void*>(stats),
                              static_cast<void*>(d_budgets), static_cast<void*>(d_offsets),
                              static_cast<void*>(positions), static_cast<void*>(lengths),
                              static_cast<void*>(k_dst), static_cast<void*>(v_dst)})
                CHECK(cudaFree(ptr));
        }
    }
    return json + "\n  ]";
}

}  // namespace

int main() {
    try {
        if (!cuda_device_available()) {
            std::fprintf(stderr, "bench_kernels_cuda: no CUDA device\n");
            return 2;
        }
        int dev = 0;
        CHECK(cudaGetDevice(&dev));
        cudaDeviceProp prop{};
        CHECK(cudaGetDeviceProperties(&prop, dev));
        const std::size_t flush_bytes = std::size_t{256} << 20;
        void* flush = nullptr;
        CHECK(cudaMalloc(&flush, flush_bytes));

        std::string d2d;
        const double traffic = d2d_traffic_gbps(d2d);
        const std::string decode = bench_decode(traffic, flush, flush_bytes);
        const std::string prefill = bench_prefill_side(flush, flush_bytes);
        CHECK(cudaFree(flush));
        std::printf(
            "{\n  \"device\": \"%s\", \"sm_count\": %d, \"memory_GiB\": %.1f, "
            "\"l2_MiB\": %.1f, \"dtype\": \"float32\",\n  \"d2d\": %s,\n"
            "  \"ragged_decode\": %s,\n  \"prefill_kernels\": %s\n}\n",
            prop.name, prop.multiProcessorCount,
            static_cast<double>(prop.totalGlobalMem) / (1 << 30),
            static_cast<double>(prop.l2CacheSize) / (1 << 20), d2d.c_str(), decode.c_str(),
            prefill.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_kernels_cuda: %s\n", e.what());
        return 1;
    }
}
