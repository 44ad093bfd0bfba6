// Tests for the ragged decode-attention kernels (engine/kernels/ragged_decode_attention.h).
//
// The CPU reference is checked against a naive double-precision implementation written here on
// odd shapes: three KV heads with unequal segments (1, 7, 33, 1000 rows), gaps between segments
// and segments stored out of head order, so that an indexing slip cannot cancel out. When the
// CUDA kernels are built (HACE_HAVE_CUDA_KERNELS), the RaggedDecodeCuda cases compare the GPU
// kernels (one block per head, and split-K with forced and planned chunkings, G = 1..8,
// head_dim 16..256, segments up to 20000 rows) with the CPU one on the same inputs, tolerance
// 1e-4 relative (1e-4 absolute below 1): float sums in a different order; they skip on a machine
// without a CUDA device. The split-K selector (host arithmetic) is tested everywhere.
#include "engine/kernels/ragged_decode_attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#ifdef HACE_HAVE_CUDA_KERNELS
#include <functional>
#include <stdexcept>
#include <string>

#include "engine/kernels/ragged_decode_attention_cuda.h"
#include "tests/engine/kernels/cuda_test_support.h"
#endif

namespace hace::kernels {
namespace {

constexpr float kProbsSentinel = -7.0f;

// Host-side inputs and outputs of one call, plus the args pointing into them.
struct Problem {
    std::int64_t n_kv_heads = 0;
    std::int64_t group = 1;
    std::int64_t head_dim = 0;
    std::int64_t probs_stride = 0;
    float scale = 1.0f;
    std::vector<float> q, k, v;
    std::vector<std::int64_t> offsets, lengths;

    std::int64_t heads() const { return n_kv_heads * group; }
};

// half_steps rounds every value to a multiple of 0.5, so that dot products are exact in float
// whatever the summation order (used where logits are large and rounding would be amplified).
// Segments are laid out in reverse head order with a gap of (3 + g) rows before each one, so
// offsets are neither contiguous nor monotonic in g.
Problem make_problem(std::int64_t group, std::int64_t head_dim,
                     const std::vector<std::int64_t>& lengths, float value_range,
                     std::uint32_t seed, bool half_steps = false) {
    Problem p;
    p.n_kv_heads = static_cast<std::int64_t>(lengths.size());
    p.group = group;
    p.head_dim = head_dim;
    p.lengths = lengths;
    p.scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
    p.offsets.assign(lengths.size(), 0);
    std::int64_t row = 0;
    for (std::int64_t g = p.n_kv_heads - 1; g >= 0; --g) {
        row += 3 + g;
        p.offsets[static_cast<std::size_t>(g)] = row;
        row += lengths[static_cast<std::size_t>(g)];
    }
    const std::int64_t rows = row + 5;
    p.probs_stride = *std::max_element(lengths.begin(), lengths.end()) + 3;

    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-value_range, value_range);
    auto fill = [&](std::vector<float>& x, std::int64_t n) {
        x.resize(static_cast<std::size_t>(n));
        for (auto& e : x) e = half_steps ? std::round(2.0f * dist(rng)) / 2.0f : dist(rng);
    };
    fill(p.q, p.heads() * head_dim);
    fill(p.k, rows * head_dim);
    fill(p.v, rows * head_dim);
    return p;
}

RaggedDecodeArgs host_args(const Problem& p, std::vector<float>& out, std::vector<float>* probs) {
    out.assign(static_cast<std::size_t>(p.heads() * p.head_dim), 0.0f);
    RaggedDecodeArgs a;
    a.q = p.q.data();
    a.k = p.k.data();
    a.v = p.v.data();
    a.offsets = p.offsets.data();
    a.lengths = p.lengths.data();
    a.n_kv_heads = p.n_kv_heads;
    a.group = p.group;
    a.head_dim = p.head_dim;
    a.scale = p.scale;
    a.out = out.data();
    if (probs != nullptr) {
        probs->assign(static_cast<std::size_t>(p.heads() * p.probs_stride), kProbsSentinel);
        a.probs = probs->data();
        a.probs_stride = p.probs_stride;
    }
    return a;
}

// Naive reference in double: dot, softmax with the max subtracted, weighted sum.
void naive_reference(const Problem& p, std::vector<double>& out, std::vector<double>& probs) {
    const std::int64_t d = p.head_dim;
    out.assign(static_cast<std::size_t>(p.heads() * d), 0.0);
    probs.assign(static_cast<std::size_t>(p.heads() * p.probs_stride), 0.0);
    for (std::int64_t h = 0; h < p.heads(); ++h) {
        const std::int64_t g = h / p.group;
        const std::int64_t off = p.offsets[static_cast<std::size_t>(g)];
        const std::int64_t len = p.lengths[static_cast<std::size_t>(g)];
        std::vector<double> logit(static_cast<std::size_t>(len));
        for (std::int64_t j = 0; j < len; ++j) {
            double dot = 0.0;
            for (std::int64_t c = 0; c < d; ++c)
                dot += static_cast<double>(p.q[static_cast<std::size_t>(h * d + c)]) *
                       static_cast<double>(p.k[static_cast<std::size_t>((off + j) * d + c)]);
            logit[static_cast<std::size_t>(j)] = dot * static_cast<double>(p.scale);
        }
        const double mx = *std::max_element(logit.begin(), logit.end());
        double sum = 0.0;
        for (auto& l : logit) {
            l = std::exp(l - mx);
            sum += l;
        }
        for (std::int64_t j = 0; j < len; ++j) {
            const double w = logit[static_cast<std::size_t>(j)] / sum;
            probs[static_cast<std::size_t>(h * p.probs_stride + j)] = w;
            for (std::int64_t c = 0; c < d; ++c)
                out[static_cast<std::size_t>(h * d + c)] +=
                    w * static_cast<double>(p.v[static_cast<std::size_t>((off + j) * d + c)]);
        }
    }
}

// |got - want| <= tol * max(1, |want|): relative, with an absolute floor for values near zero.
template <typename Want>
void expect_close(const std::vector<float>& got, const std::vector<Want>& want, double tol,
                  const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    std::size_t bad = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double w = static_cast<double>(want[i]);
        const double err = std::abs(static_cast<double>(got[i]) - w);
        if (!(err <= tol * std::max(1.0, std::abs(w))) && bad++ < 5)
            ADD_FAILURE() << what << "[" << i << "]: got " << got[i] << ", want " << w;
    }
    EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << got.size() << " entries off";
}

// Each probs row sums to 1 over its segment and leaves the padding beyond it untouched.
void expect_probs_rows(const Problem& p, const std::vector<float>& probs) {
    for (std::int64_t h = 0; h < p.heads(); ++h) {
        const std::int64_t len = p.lengths[static_cast<std::size_t>(h / p.group)];
        const auto row = probs.begin() + h * p.probs_stride;
        const double sum = std::accumulate(row, row + len, 0.0);
        EXPECT_NEAR(sum, 1.0, 1e-5) << "head " << h;
        for (std::int64_t j = len; j < p.probs_stride; ++j)
            EXPECT_EQ(row[j], kProbsSentinel) << "head " << h << " padding " << j;
    }
}

struct Shape {
    std::int64_t group;
    std::int64_t head_dim;
    std::vector<std::int64_t> lengths;
};

// Every group and head_dim, and each length in {1, 7, 33, 1000} on several heads.
std::vector<Shape> odd_shapes() {
    const std::vector<std::vector<std::int64_t>> length_sets = {
        {1, 7, 33}, {1000, 1, 7}, {33, 1000, 1}};
    std::vector<Shape> shapes;
    std::size_t i = 0;
    for (std::int64_t group : {1, 2, 4})
        for (std::int64_t head_dim : {8, 64, 80, 128})
            shapes.push_back({group, head_dim, length_sets[i++ % length_sets.size()]});
    return shapes;
}

std::string describe(const Shape& s) {
    // Built with += only: g++ 12 raises a false -Wrestrict on "literal" + std::string&&.
    std::string r = "group ";
    r += std::to_string(s.group);
    r += " head_dim ";
    r += std::to_string(s.head_dim);
    r += " lengths";
    for (auto l : s.lengths) {
        r += ' ';
        r += std::to_string(l);
    }
    return r;
}

TEST(RaggedDecodeCpu, MatchesNaiveOnOddShapes) {
    std::uint32_t seed = 1;
    for (const Shape& s : odd_shapes()) {
        SCOPED_TRACE(describe(s));
        const Problem p = make_problem(s.group, s.head_dim, s.lengths, 1.0f, seed++);
        std::vector<float> out, probs;
        ragged_decode_attention_cpu(host_args(p, out, &probs));
        std::vector<double> want_out, want_probs;
        naive_reference(p, want_out, want_probs);
        expect_close(out, want_out, 1e-5, "out");
        // Entries beyond each segment hold the sentinel; compare only the segment part.
        std::vector<float> seg_got;
        std::vector<double> seg_want;
        for (std::int64_t h = 0; h < p.heads(); ++h)
            for (std::int64_t j = 0; j < p.lengths[static_cast<std::size_t>(h / p.group)]; ++j) {
                const auto idx = static_cast<std::size_t>(h * p.probs_stride + j);
                seg_got.push_back(probs[idx]);
                seg_want.push_back(want_probs[idx]);
            }
        expect_close(seg_got, seg_want, 1e-5, "probs");
        expect_probs_rows(p, probs);
    }
}

TEST(RaggedDecodeCpu, ProbsAreOptional) {
    const Problem p = make_problem(2, 80, {33, 1000, 7}, 1.0f, 42);
    std::vector<float> with_probs, without_probs, probs;
    ragged_decode_attention_cpu(host_args(p, with_probs, &probs));
    ragged_decode_attention_cpu(host_args(p, without_probs, nullptr));
    EXPECT_EQ(with_probs, without_probs);
}

// Large logits (|q.k| * scale in the hundreds) overflow exp() unless the row max is subtracted.
TEST(RaggedDecodeCpu, StableForLargeLogits) {
    Problem p = make_problem(2, 64, {7, 33, 1}, 4.0f, 7, true);
    p.scale = 4.0f;
    std::vector<float> out, probs;
    ragged_decode_attention_cpu(host_args(p, out, &probs));
    for (float x : out) ASSERT_TRUE(std::isfinite(x));
    std::vector<double> want_out, want_probs;
    naive_reference(p, want_out, want_probs);
    expect_close(out, want_out, 1e-5, "out");
    expect_probs_rows(p, probs);
}

#ifdef HACE_HAVE_CUDA_KERNELS

using test::DeviceBuffer;

using CudaRunner = std::function<void(const RaggedDecodeArgs&)>;

void run_plain(const RaggedDecodeArgs& a) {
    ragged_decode_attention_cuda(a, nullptr);
}

// Runs the CPU kernel and a CUDA kernel on the same inputs and compares out (and probs when
// requested).
void compare_cuda_with_cpu(const Problem& p, bool with_probs, const CudaRunner& run = run_plain) {
    std::vector<float> cpu_out, cpu_probs;
    ragged_decode_attention_cpu(host_args(p, cpu_out, with_probs ? &cpu_probs : nullptr));

    std::vector<float> host_out, host_probs;
    RaggedDecodeArgs a = host_args(p, host_out, with_probs ? &host_probs : nullptr);
    DeviceBuffer<float> q(p.q), k(p.k), v(p.v), out(host_out), probs(host_probs);
    DeviceBuffer<std::int64_t> offsets(p.offsets), lengths(p.lengths);
    a.q = q.get();
    a.k = k.get();
    a.v = v.get();
    a.offsets = offsets.get();
    a.lengths = lengths.get();
    a.out = out.get();
    a.probs = with_probs ? probs.get() : nullptr;
    run(a);
    TEST_CUDA_CHECK(cudaDeviceSynchronize());

    expect_close(out.to_host(), cpu_out, 1e-4, "cuda out");
    if (with_probs) {
        const std::vector<float> gpu_probs = probs.to_host();
        // The sentinel padding must match too: the kernel writes only inside each segment.
        expect_close(gpu_probs, cpu_probs, 1e-4, "cuda probs");
        expect_probs_rows(p, gpu_probs);
    }
}

TEST(RaggedDecodeCuda, DeviceQueryDoesNotThrow) {
    EXPECT_NO_THROW(static_cast<void>(cuda_device_available()));
}

TEST(RaggedDecodeCuda, MatchesCpuOnOddShapes) {
    SKIP_WITHOUT_GPU();
    std::uint32_t seed = 100;
    for (const Shape& s : odd_shapes()) {
        SCOPED_TRACE(describe(s));
        compare_cuda_with_cpu(make_problem(s.group, s.head_dim, s.lengths, 1.0f, seed++), true);
    }
}

TEST(RaggedDecodeCuda, MatchesCpuWithoutProbs) {
    SKIP_WITHOUT_GPU();
    compare_cuda_with_cpu(make_problem(4, 128, {1000, 33, 1}, 1.0f, 5), false);
}

TEST(RaggedDecodeCuda, MatchesCpuOnLargeLogitsAndWideHeads) {
    SKIP_WITHOUT_GPU();
    Problem p = make_problem(2, 256, {7, 1000, 300}, 4.0f, 9, true);
    p.scale = 4.0f;
    compare_cuda_with_cpu(p, true);
    // head_dim above the block size exercises the multi-lane path.
    compare_cuda_with_cpu(make_problem(1, 600, {1, 257, 33}, 1.0f, 10), true);
}

TEST(RaggedDecodeCuda, RejectsBadHeadDim) {
    RaggedDecodeArgs a;
    a.n_kv_heads = 1;
    a.head_dim = kRaggedDecodeCudaMaxHeadDim + 1;
    EXPECT_THROW(ragged_decode_attention_cuda(a, nullptr), std::invalid_argument);
}

// ---- split-K ------------------------------------------------------------------------------

RaggedDecodeSplitPlan forced_plan(std::int64_t chunk_rows, std::int64_t max_length) {
    RaggedDecodeSplitPlan plan;
    plan.split = true;
    plan.chunk_rows = chunk_rows;
    plan.chunks = (max_length + chunk_rows - 1) / chunk_rows;
    return plan;
}

CudaRunner split_runner(const RaggedDecodeSplitPlan& plan) {
    return [plan](const RaggedDecodeArgs& a) {
        ragged_decode_attention_split_cuda(a, plan, nullptr, nullptr);
    };
}

std::int64_t longest(const Problem& p) {
    return *std::max_element(p.lengths.begin(), p.lengths.end());
}

// The selector needs no device: it is host arithmetic on the sizes.
TEST(RaggedDecodeSplitPlan, CoversTheLongestSegmentWithBalancedChunks) {
    for (std::int64_t hkv : {8, 32}) {
        for (std::int64_t len : {1, 300, 511, 512, 4096, 131072, 1000000}) {
            SCOPED_TRACE("hkv " + std::to_string(hkv) + " len " + std::to_string(len));
            const RaggedDecodeSplitPlan plan =
                plan_ragged_decode_split(hkv, 32 / hkv, 128, len, 132);
            EXPECT_GE(plan.chunks * plan.chunk_rows, len);
            EXPECT_LT((plan.chunks - 1) * plan.chunk_rows, len);  // no empty chunk in the grid
            EXPECT_EQ(plan.chunk_rows % 16, 0);
            if (len >= 256) {
                EXPECT_GE(plan.chunk_rows, 256);
            }
            EXPECT_EQ(plan.split, len >= kRaggedDecodeSplitMinLength);
            // About four blocks per multiprocessor once segments are long enough to be cut.
            // (G = 1 or 4 here: one block covers a KV head's query heads.)
            if (len >= 131072) {
                EXPECT_GE(hkv * plan.chunks, 4 * 132);
                EXPECT_LE(hkv * plan.chunks, 4 * 132 + hkv);
            }
        }
    }
    EXPECT_EQ(plan_ragged_decode_split(4, 1, 64, 0, 132).chunks, 1);
}

TEST(RaggedDecodeCuda, SplitMatchesCpuOnOddShapesAndChunkings) {
    SKIP_WITHOUT_GPU();
    std::uint32_t seed = 300;
    for (const Shape& s : odd_shapes()) {
        SCOPED_TRACE(describe(s));
        const Problem p = make_problem(s.group, s.head_dim, s.lengths, 1.0f, seed++);
        // 16 rows: many chunks; 48: chunk ends inside a step; one chunk: the direct path.
        for (std::int64_t rows : {16, 48, 1024}) {
            SCOPED_TRACE("chunk_rows " + std::to_string(rows));
            compare_cuda_with_cpu(p, true, split_runner(forced_plan(rows, longest(p))));
            compare_cuda_with_cpu(p, false, split_runner(forced_plan(rows, longest(p))));
        }
    }
}

TEST(RaggedDecodeCuda, SplitMatchesCpuOnLongSegmentsForEveryGroupAndHeadDim) {
    SKIP_WITHOUT_GPU();
    std::uint32_t seed = 400;
    for (std::int64_t group : {1, 2, 3, 4, 5, 8}) {
        for (std::int64_t head_dim : {16, 64, 80, 128, 256}) {
            SCOPED_TRACE("group " + std::to_string(group) + " head_dim " +
                         std::to_string(head_dim));
            const Problem p = make_problem(group, head_dim, {20000, 1, 5003}, 1.0f, seed++);
            const RaggedDecodeSplitPlan plan =
                plan_ragged_decode_split(p.n_kv_heads, group, head_dim, longest(p));
            compare_cuda_with_cpu(p, group % 2 == 0, split_runner(plan));
        }
    }
}

TEST(RaggedDecodeCuda, SplitStaysExactWithAShortLengthGuessAndLargeLogits) {
    SKIP_WITHOUT_GPU();
    Problem p = make_problem(4, 128, {7, 3000, 1000}, 4.0f, 17, true);
    p.scale = 4.0f;
    // The plan believes segments are at most 600 rows: the last chunk runs to each segment's end.
    compare_cuda_with_cpu(p, true, split_runner(plan_ragged_decode_split(3, 4, 128, 600)));
    compare_cuda_with_cpu(p, false, [](const RaggedDecodeArgs& a) {
        ragged_decode_attention_auto_cuda(a, 3000, nullptr);
    });
}

TEST(RaggedDecodeCuda, SplitUsesACallerWorkspace) {
    SKIP_WITHOUT_GPU();
    const Problem p = make_problem(2, 64, {4000, 33, 1}, 1.0f, 23);
    const RaggedDecodeSplitPlan plan = forced_plan(256, 4000);
    std::vector<float> unused;
    const std::size_t bytes =
        ragged_decode_split_workspace_bytes(host_args(p, unused, nullptr), plan);
    ASSERT_GT(bytes, 0u);
    DeviceBuffer<unsigned char> workspace(std::vector<unsigned char>(bytes, 0));
    compare_cuda_with_cpu(p, true, [&](const RaggedDecodeArgs& a) {
        ragged_decode_attention_split_cuda(a, plan, workspace.get(), nullptr);
    });
}

TEST(RaggedDecodeCuda, SplitRejectsBadSizes) {
    RaggedDecodeArgs a;
    a.n_kv_heads = 1;
    a.head_dim = kRaggedDecodeSplitMaxHeadDim + 1;
    EXPECT_THROW(ragged_decode_attention_split_cuda(a, forced_plan(16, 100)),
                 std::invalid_argument);
    a.head_dim = 64;
    EXPECT_THROW(ragged_decode_attention_split_cuda(a, RaggedDecodeSplitPlan{}),
                 std::invalid_argument);
}

#endif  // HACE_HAVE_CUDA_KERNELS

}  // namespace
}  // namespace hace::kernels
