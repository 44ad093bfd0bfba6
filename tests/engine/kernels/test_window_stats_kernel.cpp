// Tests for the window-statistics kernels (engine/kernels/window_stats.h).
//
// The CPU twin is checked against the engine's ATen implementation kv::compute_window_stats
// (an independent code path: whole-row softmax over a [G, w, n] block, BLAS logits) on odd
// shapes: prompt lengths around the 64-key tile and the 1024-key GPU block, windows longer than
// 32 rows (several GPU row chunks) and longer than the prompt (clamped), G = 1..8, d = 16/64/128,
// sliding windows, w_keep below w (window columns become selectable), keys in a strided layout,
// both selectors, both granularities, with and without entropy. A uniform-attention case checks
// E_l, V_l and the scores against hand formulas. When the CUDA kernels are built the
// WindowStatsCuda cases compare the GPU kernel with the CPU twin; they skip without a device.
//
// Tolerances (why): the implementations round differently (BLAS vs sequential dots, FMA on the
// GPU, float vs double normaliser, exp implementations), so probabilities agree to a few float
// ulps. Measured CPU twin vs ATen over these cases: scores <= 4e-7 of the row maximum, entropy
// and variance <= 2e-7 relative. Bounds, CPU vs ATen / CUDA vs CPU:
//   scores   |got - want| <= 4e-6 / 2e-5 * max|row|: the CAKE variance term (200 * var, var
//            from a difference of sums) amplifies probability ulps;
//   entropy  relative 2e-6 / 1e-5 (a sum of positive terms);
//   variance relative 2e-6 / 1e-4, plus 1e-12 absolute (differences of nearly equal sums).
// Index slips (a wrong row, column, head or mask) give errors of order 1 on these scales.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/kernels/window_stats.h"
#include "engine/kv/selector.h"
#include "engine/kv/window_stats.h"

#ifdef HACE_HAVE_CUDA_KERNELS
#include "engine/kernels/window_stats_cuda.h"
#include "tests/engine/kernels/cuda_test_support.h"
#endif

namespace hace::kernels {
namespace {

struct Tolerance {
    double scores, entropy, variance;
};
constexpr Tolerance kVsAten{4e-6, 2e-6, 2e-6};
constexpr Tolerance kCudaVsCpu{2e-5, 1e-5, 1e-4};

struct Case {
    std::int64_t hkv = 1, group = 1, d = 16, n = 10;
    std::int64_t window = 8;  // selector window before clamping to n
    std::int64_t w_keep = 8;  // clamped to n
    std::int64_t sliding = 0;
    bool cake = true, per_query = false, entropy = true;
    float range = 1.0f;  // q, k uniform in [-range, range]

    std::string describe() const {
        std::ostringstream os;
        os << "hkv " << hkv << " G " << group << " d " << d << " n " << n << " window " << window
           << " w_keep " << w_keep << " sliding " << sliding << (cake ? " cake" : " snap")
           << (per_query ? " per-query" : " per-kv") << (entropy ? "" : " no-entropy");
        return os.str();
    }
};

// Inputs of one case: q [Hq, n, d] contiguous, keys [Hkv, n, d] as a strided view of a
// [n, Hkv, d + 3] buffer (head stride d + 3, row stride Hkv * (d + 3)).
struct Inputs {
    at::Tensor q, k_storage, k;
    std::vector<float> q_window;  // [Hq, w, d]
    std::int64_t w = 0, p = 0;
};

Inputs make_inputs(const Case& c, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-c.range, c.range);
    const std::int64_t hq = c.hkv * c.group;
    Inputs in;
    std::vector<float> qv(static_cast<std::size_t>(hq * c.n * c.d));
    std::vector<float> kv(static_cast<std::size_t>(c.n * c.hkv * (c.d + 3)));
    for (auto& x : qv) x = dist(rng);
    for (auto& x : kv) x = dist(rng);
    in.q = at::from_blob(qv.data(), {hq, c.n, c.d}, at::kFloat).clone();
    in.k_storage = at::from_blob(kv.data(), {c.n, c.hkv, c.d + 3}, at::kFloat).clone();
    in.k = in.k_storage.narrow(2, 0, c.d).permute({1, 0, 2});
    in.w = std::min(c.window, c.n);
    in.p = c.n - std::min(c.w_keep, c.n);
    const at::Tensor qw = in.q.narrow(1, c.n - in.w, in.w).contiguous();
    in.q_window.assign(qw.data_ptr<float>(), qw.data_ptr<float>() + qw.numel());
    return in;
}

kv::SelectorConfig selector_of(const Case& c) {
    kv::SelectorConfig sel = c.cake ? kv::sel_cake() : kv::sel_snap();
    sel.window = c.window;
    return sel;
}

struct Result {
    std::vector<float> scores;  // [rows, P]
    double entropy = 0.0, variance = 0.0;
};

// Args for the kernel on host (or, with the pointers replaced, device) buffers.
WindowStatsArgs kernel_args(const Case& c, const Inputs& in, const float* q, const float* k,
                            float* scores, double* entropy, double* variance) {
    WindowStatsArgs a;
    a.q = q;
    a.k = k;
    a.k_head_stride = c.d + 3;
    a.k_row_stride = c.hkv * (c.d + 3);
    a.n_q_heads = c.hkv * c.group;
    a.n_kv_heads = c.hkv;
    a.head_dim = c.d;
    a.prompt = c.n;
    a.window = in.w;
    a.selectable = in.p;
    a.scale = 1.0f / std::sqrt(static_cast<float>(c.d));
    a.sliding_window = c.sliding;
    const kv::SelectorConfig sel = selector_of(c);
    a.selector = c.cake ? WindowSelector::Cake : WindowSelector::Snap;
    a.pool = sel.pool;
    a.gamma = sel.gamma;
    a.per_query_head = c.per_query;
    a.with_entropy = c.entropy;
    a.scores = scores;
    a.scores_stride = in.p;
    a.entropy = entropy;
    a.variance = variance;
    return a;
}

std::int64_t score_rows(const Case& c) {
    return c.per_query ? c.hkv * c.group : c.hkv;
}

Result run_cpu(const Case& c, const Inputs& in) {
    Result r;
    r.scores.assign(static_cast<std::size_t>(score_rows(c) * in.p), -1.0f);
    window_stats_cpu(kernel_args(c, in, in.q_window.data(), in.k_storage.data_ptr<float>(),
                                 r.scores.data(), &r.entropy, &r.variance));
    return r;
}

Result run_aten(const Case& c, const Inputs& in) {
    const float scale = 1.0f / std::sqrt(static_cast<float>(c.d));
    const kv::WindowStats st = kv::compute_window_stats(in.q, in.k, scale, selector_of(c), c.w_keep,
                                                        c.per_query, c.sliding, c.entropy);
    Result r;
    for (const auto& row : st.scores) r.scores.insert(r.scores.end(), row.begin(), row.end());
    r.entropy = st.entropy;
    r.variance = st.variance;
    return r;
}

void expect_scores_close(const std::vector<float>& got, const std::vector<float>& want,
                         std::int64_t rows, std::int64_t p, double tol) {
    ASSERT_EQ(got.size(), want.size());
    for (std::int64_t r = 0; r < rows; ++r) {
        double peak = 0.0;
        for (std::int64_t j = 0; j < p; ++j)
            peak = std::max(
                peak, std::abs(static_cast<double>(want[static_cast<std::size_t>(r * p + j)])));
        int bad = 0;
        for (std::int64_t j = 0; j < p; ++j) {
            const auto i = static_cast<std::size_t>(r * p + j);
            const double err = std::abs(static_cast<double>(got[i]) - want[i]);
            if (!(err <= tol * peak + 1e-30) && bad++ < 3)
                ADD_FAILURE() << "row " << r << " pos " << j << ": got " << got[i] << ", want "
                              << want[i] << " (row max " << peak << ")";
        }
    }
}

void expect_close(const Result& got, const Result& want, const Case& c, std::int64_t p,
                  const Tolerance& tol) {
    expect_scores_close(got.scores, want.scores, score_rows(c), p, tol.scores);
    if (c.entropy) {
        EXPECT_NEAR(got.entropy, want.entropy, tol.entropy * std::abs(want.entropy) + 1e-12);
    } else {
        EXPECT_TRUE(std::isnan(got.entropy));
    }
    EXPECT_NEAR(got.variance, want.variance, tol.variance * std::abs(want.variance) + 1e-12);
}

// Odd shapes: a deterministic sweep that covers every G in 1..8, each head_dim, tile
// boundaries, long and clamped windows, sliding windows and both selectors/granularities.
std::vector<Case> odd_cases() {
    std::vector<Case> cases;
    const std::int64_t lengths[] = {1, 2, 7, 63, 64, 65, 130, 257, 1100};
    const std::int64_t dims[] = {16, 64, 128};
    int i = 0;
    for (std::int64_t group = 1; group <= 8; ++group) {
        for (std::int64_t n : lengths) {
            Case c;
            c.group = group;
            c.hkv = 1 + (i % 3);
            c.d = dims[i % 3];
            c.n = n;
            c.window = (i % 4 == 0) ? n + 5 : (i % 4 == 1 ? 8 : (i % 4 == 2 ? 40 : 70));
            const std::int64_t w = std::min(c.window, n);
            c.w_keep = (i % 3 == 0) ? w : (i % 3 == 1 ? w / 2 : 0);
            c.sliding = (i % 5 == 0) ? 5 : (i % 5 == 1 ? 40 : 0);
            c.cake = i % 2 == 0;
            c.per_query = i % 7 == 3;
            c.entropy = i % 6 != 5;
            c.range = (i % 4 == 3) ? 3.0f : 1.0f;
            // Keep the largest prompts light: they exist for the 1024-key block boundary.
            if (n == 1100) {
                c.hkv = 1;
                c.group = std::min<std::int64_t>(group, 2);
                c.d = 16;
            }
            cases.push_back(c);
            ++i;
        }
    }
    return cases;
}

TEST(WindowStatsCpu, MatchesAtenComputeWindowStatsOnOddShapes) {
    std::uint32_t seed = 11;
    for (const Case& c : odd_cases()) {
        SCOPED_TRACE(c.describe());
        const Inputs in = make_inputs(c, seed++);
        const Result want = run_aten(c, in);
        expect_close(run_cpu(c, in), want, c, in.p, kVsAten);
    }
}

// Peaked attention (|logits| up to ~30) where a wrong maximum would overflow or lose mass.
TEST(WindowStatsCpu, MatchesAtenWithLargeLogits) {
    for (bool cake : {true, false}) {
        Case c;
        c.hkv = 2;
        c.group = 4;
        c.d = 64;
        c.n = 300;
        c.window = 32;
        c.w_keep = 16;
        c.cake = cake;
        c.range = 2.5f;
        SCOPED_TRACE(c.describe());
        const Inputs in = make_inputs(c, cake ? 5 : 6);
        const Result want = run_aten(c, in);
        expect_close(run_cpu(c, in), want, c, in.p, kVsAten);
    }
}

// All keys zero: window query i at position p_i = n - w + i attends uniformly to its visible
// keys, so every number has a closed form.
TEST(WindowStatsCpu, UniformAttentionMatchesHandFormulas) {
    const std::int64_t n = 20, w = 6, p = 17, d = 16, sliding = 9, group = 2;
    std::vector<float> q(static_cast<std::size_t>(group * w * d), 0.5f);
    std::vector<float> k(static_cast<std::size_t>(n * d), 0.0f);
    std::vector<float> scores(static_cast<std::size_t>(p));
    double entropy = 0.0, variance = 0.0;
    WindowStatsArgs a;
    a.q = q.data();
    a.k = k.data();
    a.k_head_stride = n * d;
    a.k_row_stride = d;
    a.n_q_heads = group;
    a.n_kv_heads = 1;
    a.head_dim = d;
    a.prompt = n;
    a.window = w;
    a.selectable = p;
    a.sliding_window = sliding;
    a.selector = WindowSelector::Snap;
    a.pool = 1;  // no pooling: scores are the window means
    a.scores = scores.data();
    a.scores_stride = p;
    a.entropy = &entropy;
    a.variance = &variance;
    window_stats_cpu(a);

    double want_entropy = 0.0, want_variance = 0.0;
    for (std::int64_t j = 0; j < p; ++j) {
        std::vector<double> col;
        for (std::int64_t i = 0; i < w; ++i) {
            const std::int64_t pos = n - w + i;
            const std::int64_t lo = std::max<std::int64_t>(0, pos - sliding + 1);
            const std::int64_t count = pos - lo + 1;
            const double prob = (j >= lo && j <= pos) ? 1.0 / static_cast<double>(count) : 0.0;
            col.push_back(prob);
            if (prob > 0.0) want_entropy += group * prob * std::log(static_cast<double>(count));
        }
        double mean = 0.0;
        for (double x : col) mean += x / static_cast<double>(w);
        double var = 0.0;
        for (double x : col) var += (x - mean) * (x - mean) / static_cast<double>(w - 1);
        want_variance += group * var;
        EXPECT_NEAR(scores[static_cast<std::size_t>(j)], mean, 1e-7) << "position " << j;
    }
    EXPECT_NEAR(entropy, want_entropy, 1e-5 * want_entropy);
    EXPECT_NEAR(variance, want_variance, 1e-6 * want_variance);
    // Keys 0..(n - w) - sliding are visible to no window query.
    EXPECT_EQ(scores[0], 0.0f);
    EXPECT_GT(scores[static_cast<std::size_t>(n - w - sliding + 1)], 0.0f);
}

TEST(WindowStatsCpu, RejectsBrokenContracts) {
    Case c;
    const Inputs in = make_inputs(c, 1);
    std::vector<float> scores(static_cast<std::size_t>(in.p + 1));
    double e = 0.0, v = 0.0;
    const WindowStatsArgs good = kernel_args(c, in, in.q_window.data(),
                                             in.k_storage.data_ptr<float>(), scores.data(), &e, &v);
    EXPECT_NO_THROW(window_stats_cpu(good));
    WindowStatsArgs bad = good;
    bad.window = c.n + 1;  // callers clamp w to n
    EXPECT_THROW(window_stats_cpu(bad), std::invalid_argument);
    bad = good;
    bad.n_q_heads = 3;
    bad.n_kv_heads = 2;
    EXPECT_THROW(window_stats_cpu(bad), std::invalid_argument);
    bad = good;
    bad.scores_stride = in.p - 1;
    EXPECT_THROW(window_stats_cpu(bad), std::invalid_argument);
    bad = good;
    bad.k_row_stride = c.d - 1;
    EXPECT_THROW(window_stats_cpu(bad), std::invalid_argument);
}

#ifdef HACE_HAVE_CUDA_KERNELS

using test::DeviceBuffer;

// GPU vs CPU twin (tolerances: see the file comment; the GPU contracts dots into FMAs and keeps
// the normaliser in float).
void compare_cuda_with_cpu(const Case& c, std::uint32_t seed) {
    SCOPED_TRACE(c.describe());
    const Inputs in = make_inputs(c, seed);
    const Result want = run_cpu(c, in);
    std::vector<float> host_k(in.k_storage.data_ptr<float>(),
                              in.k_storage.data_ptr<float>() + in.k_storage.numel());
    DeviceBuffer<float> q(in.q_window), k(host_k);
    DeviceBuffer<float> scores(std::vector<float>(want.scores.size(), -1.0f));
    DeviceBuffer<double> entropy(std::vector<double>(1, -1.0)),
        variance(std::vector<double>(1, -1.0));
    window_stats_cuda(
        kernel_args(c, in, q.get(), k.get(), scores.get(), entropy.get(), variance.get()), nullptr);
    TEST_CUDA_CHECK(cudaDeviceSynchronize());
    Result got;
    got.scores = scores.to_host();
    got.entropy = entropy.to_host()[0];
    got.variance = variance.to_host()[0];
    expect_close(got, want, c, in.p, kCudaVsCpu);
}

TEST(WindowStatsCuda, MatchesCpuOnOddShapes) {
    SKIP_WITHOUT_GPU();
    std::uint32_t seed = 500;
    for (const Case& c : odd_cases()) compare_cuda_with_cpu(c, seed++);
}

TEST(WindowStatsCuda, MatchesCpuOnALongPromptWithSlidingWindow) {
    SKIP_WITHOUT_GPU();
    Case c;
    c.hkv = 2;
    c.group = 4;
    c.d = 128;
    c.n = 5000;
    c.window = 32;
    c.w_keep = 16;
    c.sliding = 2000;  // whole GPU key blocks are skipped
    compare_cuda_with_cpu(c, 77);
    c.sliding = 0;
    c.cake = false;
    compare_cuda_with_cpu(c, 78);
}

TEST(WindowStatsCuda, RejectsBrokenContracts) {
    WindowStatsArgs a;  // all sizes zero
    EXPECT_THROW(window_stats_cuda(a, nullptr), std::invalid_argument);
}

#endif  // HACE_HAVE_CUDA_KERNELS

}  // namespace
}  // namespace hace::kernels
