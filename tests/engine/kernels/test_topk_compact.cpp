// Tests for top-k selection and compaction (engine/kernels/topk_compact.h).
//
// The CPU twin is checked against the engine's kv::top_positions (nth_element on float
// comparisons) followed by the window positions, and the gathered rows against a plain loop,
// on scores full of ties (values drawn from a handful of levels, +0.0 and -0.0 mixed), budgets
// 0, 1, P - 1, P, above P and negative, P = 0 and P = n, query-head granularity (several
// segments per KV head) and a strided source. Positions, lengths and rows must match exactly.
// When the CUDA kernels are built, TopkCompactCuda compares the GPU kernels with the CPU twin
// (exactly: selection is integer work and the gather copies bits); it skips without a device.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "engine/kernels/score_order.h"
#include "engine/kernels/topk_compact.h"
#include "engine/kv/window_stats.h"

#ifdef HACE_HAVE_CUDA_KERNELS
#include "engine/kernels/topk_compact_cuda.h"
#include "tests/engine/kernels/cuda_test_support.h"
#endif

namespace hace::kernels {
namespace {

struct Problem {
    std::int64_t segments = 0, per_kv = 1, n = 0, p = 0, d = 0;
    std::int64_t head_stride = 0, row_stride = 0;
    std::vector<float> scores;  // [segments, p + 2] (stride p + 2)
    std::vector<std::int64_t> budgets, offsets;
    std::vector<float> k_src, v_src;
    std::int64_t rows = 0;  // destination rows

    std::int64_t stride() const { return p + 2; }
};

// Scores from `levels` distinct values (ties everywhere); level 0 is written as -0.0 or +0.0 at
// random so that signed zeros tie. Source rows: [Hkv, n, d] inside a buffer with 2 padding floats
// per row and one padding row per head.
Problem make_problem(std::int64_t segments, std::int64_t per_kv, std::int64_t n, std::int64_t p,
                     std::int64_t d, const std::vector<std::int64_t>& budgets, int levels,
                     std::uint32_t seed) {
    Problem pr;
    pr.segments = segments;
    pr.per_kv = per_kv;
    pr.n = n;
    pr.p = p;
    pr.d = d;
    pr.budgets = budgets;
    pr.row_stride = d + 2;
    pr.head_stride = (n + 1) * pr.row_stride;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> level(0, levels - 1);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    pr.scores.resize(static_cast<std::size_t>(segments * pr.stride()));
    for (auto& s : pr.scores) {
        const int l = level(rng);
        s = l == 0 ? ((rng() & 1u) != 0u ? -0.0f : 0.0f)
                   : 0.25f * static_cast<float>(l - levels / 2);
    }
    const std::int64_t hkv = (segments + per_kv - 1) / per_kv;
    pr.k_src.resize(static_cast<std::size_t>(std::max<std::int64_t>(1, hkv) * pr.head_stride));
    pr.v_src.resize(pr.k_src.size());
    for (auto& x : pr.k_src) x = dist(rng);
    for (auto& x : pr.v_src) x = dist(rng);
    // Segments laid out with a gap of 3 rows after each one's reservation.
    std::int64_t row = 0;
    for (std::int64_t s = 0; s < segments; ++s) {
        pr.offsets.push_back(row);
        row += n + 3;
    }
    pr.rows = row;
    return pr;
}

struct Output {
    std::vector<float> k, v;
    std::vector<std::int64_t> positions, lengths;
};

TopkCompactArgs args_for(const Problem& pr, Output& out) {
    out.k.assign(static_cast<std::size_t>(pr.rows * pr.d), -9.0f);
    out.v.assign(out.k.size(), -9.0f);
    out.positions.assign(static_cast<std::size_t>(pr.rows), -1);
    out.lengths.assign(static_cast<std::size_t>(pr.segments), -1);
    TopkCompactArgs a;
    a.scores = pr.scores.data();
    a.scores_stride = pr.stride();
    a.budgets = pr.budgets.data();
    a.segments = pr.segments;
    a.segments_per_kv_head = pr.per_kv;
    a.prompt = pr.n;
    a.selectable = pr.p;
    a.head_dim = pr.d;
    a.k_src = pr.k_src.data();
    a.v_src = pr.v_src.data();
    a.src_head_stride = pr.head_stride;
    a.src_row_stride = pr.row_stride;
    a.offsets = pr.offsets.data();
    a.k_dst = out.k.data();
    a.v_dst = out.v.data();
    a.positions = out.positions.data();
    a.lengths = out.lengths.data();
    return a;
}

// Expected result from kv::top_positions + window positions and a plain gather loop.
void expect_matches_reference(const Problem& pr, const Output& out) {
    for (std::int64_t s = 0; s < pr.segments; ++s) {
        SCOPED_TRACE("segment " + std::to_string(s));
        const auto first = pr.scores.begin() + s * pr.stride();
        const std::vector<float> row(first, first + pr.p);
        const std::int64_t b = pr.budgets[static_cast<std::size_t>(s)];
        std::vector<std::int64_t> want = kv::top_positions(row, std::max<std::int64_t>(b, 0));
        for (std::int64_t j = pr.p; j < pr.n; ++j) want.push_back(j);
        const auto len = static_cast<std::int64_t>(want.size());
        ASSERT_EQ(out.lengths[static_cast<std::size_t>(s)], len);
        const std::int64_t off = pr.offsets[static_cast<std::size_t>(s)];
        const std::vector<std::int64_t> got(out.positions.begin() + off,
                                            out.positions.begin() + off + len);
        ASSERT_EQ(got, want);
        EXPECT_EQ(out.positions[static_cast<std::size_t>(off + len)], -1) << "wrote past the end";
        const std::int64_t head = s / pr.per_kv;
        for (std::int64_t r = 0; r < len; ++r) {
            for (std::int64_t c = 0; c < pr.d; ++c) {
                const auto src = static_cast<std::size_t>(
                    head * pr.head_stride + want[static_cast<std::size_t>(r)] * pr.row_stride + c);
                const auto dst = static_cast<std::size_t>((off + r) * pr.d + c);
                ASSERT_EQ(out.k[dst], pr.k_src[src]) << "row " << r << " dim " << c;
                ASSERT_EQ(out.v[dst], pr.v_src[src]) << "row " << r << " dim " << c;
            }
        }
        EXPECT_EQ(out.k[static_cast<std::size_t>((off + len) * pr.d)], -9.0f)
            << "wrote past the end";
    }
}

std::vector<Problem> odd_problems() {
    std::vector<Problem> v;
    // Ties galore: 3 levels over 300 positions, every kind of budget.
    v.push_back(make_problem(6, 1, 331, 300, 16, {0, 1, 150, 299, 300, 1000}, 3, 1));
    v.push_back(make_problem(3, 1, 331, 300, 64, {-5, 77, 298}, 5, 2));
    // Query-head granularity: 8 segments over 2 KV heads; one distinct level per 1000 positions.
    v.push_back(make_problem(8, 4, 1037, 1029, 128, {1, 2, 3, 500, 511, 512, 513, 1028}, 50, 3));
    // P = 0 (everything is window) and P = n (no window).
    v.push_back(make_problem(2, 1, 20, 0, 16, {0, 5}, 2, 4));
    v.push_back(make_problem(2, 1, 40, 40, 16, {13, 39}, 4, 5));
    // Many distinct values (few ties) on a long row.
    v.push_back(make_problem(2, 2, 5000, 4968, 64, {1234, 4000}, 100000, 6));
    return v;
}

TEST(TopkCompactCpu, MatchesTopPositionsAndAPlainGather) {
    for (const Problem& pr : odd_problems()) {
        SCOPED_TRACE("n " + std::to_string(pr.n) + " P " + std::to_string(pr.p));
        Output out;
        topk_compact_cpu(args_for(pr, out));
        expect_matches_reference(pr, out);
    }
}

TEST(TopkCompactCpu, TiesGoToTheSmallerPositionAndSignedZerosTie) {
    // Scores: position 0..7 = 1, 0, -0, 1, 2, -0, 0, 1; budget 4 -> 4 (the 2), then the 1s at
    // 0, 3 and 7; budget 6 adds the first two zeros, 1 and 2, whatever their sign.
    Problem pr = make_problem(2, 1, 9, 8, 16, {4, 6}, 1, 7);
    const float row[8] = {1.0f, 0.0f, -0.0f, 1.0f, 2.0f, -0.0f, 0.0f, 1.0f};
    for (int s = 0; s < 2; ++s) std::copy(row, row + 8, pr.scores.begin() + s * pr.stride());
    Output out;
    topk_compact_cpu(args_for(pr, out));
    const std::vector<std::int64_t> want4 = {0, 3, 4, 7, 8}, want6 = {0, 1, 2, 3, 4, 7, 8};
    EXPECT_EQ(std::vector<std::int64_t>(out.positions.begin(), out.positions.begin() + 5), want4);
    const auto off = static_cast<std::ptrdiff_t>(pr.offsets[1]);
    EXPECT_EQ(
        std::vector<std::int64_t>(out.positions.begin() + off, out.positions.begin() + off + 7),
        want6);
}

TEST(TopkCompactCpu, NanRanksBelowEverything) {
    EXPECT_LT(score_order_key(std::nanf("")),
              score_order_key(-std::numeric_limits<float>::infinity()));
    EXPECT_EQ(score_order_key(-0.0f), score_order_key(0.0f));
    EXPECT_LT(score_order_key(-1.0f), score_order_key(-0.5f));
    EXPECT_LT(score_order_key(0.5f), score_order_key(1.0f));
    EXPECT_LT(score_order_key(-1e-30f), score_order_key(1e-30f));
    Problem pr = make_problem(1, 1, 4, 4, 16, {2}, 1, 8);
    const float row[4] = {std::nanf(""), -std::numeric_limits<float>::infinity(), std::nanf(""),
                          -5.0f};
    std::copy(row, row + 4, pr.scores.begin());
    Output out;
    topk_compact_cpu(args_for(pr, out));
    EXPECT_EQ(out.positions[0], 1);
    EXPECT_EQ(out.positions[1], 3);
}

TEST(TopkCompactCpu, RejectsBrokenContracts) {
    Problem pr = make_problem(1, 1, 10, 8, 16, {3}, 3, 9);
    Output out;
    TopkCompactArgs a = args_for(pr, out);
    a.selectable = 11;
    EXPECT_THROW(topk_compact_cpu(a), std::invalid_argument);
    a = args_for(pr, out);
    a.src_row_stride = 15;
    EXPECT_THROW(topk_compact_cpu(a), std::invalid_argument);
    a = args_for(pr, out);
    a.positions = nullptr;
    EXPECT_THROW(topk_compact_cpu(a), std::invalid_argument);
}

#ifdef HACE_HAVE_CUDA_KERNELS

using test::DeviceBuffer;

void compare_cuda_with_cpu(const Problem& pr) {
    Output want;
    topk_compact_cpu(args_for(pr, want));
    Output host;
    TopkCompactArgs a = args_for(pr, host);
    DeviceBuffer<float> scores(pr.scores), k_src(pr.k_src), v_src(pr.v_src), k(host.k), v(host.v);
    DeviceBuffer<std::int64_t> budgets(pr.budgets), offsets(pr.offsets), positions(host.positions),
        lengths(host.lengths);
    a.scores = scores.get();
    a.budgets = budgets.get();
    a.k_src = k_src.get();
    a.v_src = v_src.get();
    a.offsets = offsets.get();
    a.k_dst = k.get();
    a.v_dst = v.get();
    a.positions = positions.get();
    a.lengths = lengths.get();
    topk_compact_cuda(a, nullptr);
    TEST_CUDA_CHECK(cudaDeviceSynchronize());
    EXPECT_EQ(lengths.to_host(), want.lengths);
    EXPECT_EQ(positions.to_host(), want.positions);
    EXPECT_EQ(k.to_host(), want.k);
    EXPECT_EQ(v.to_host(), want.v);
}

TEST(TopkCompactCuda, MatchesCpuExactly) {
    SKIP_WITHOUT_GPU();
    for (const Problem& pr : odd_problems()) {
        SCOPED_TRACE("n " + std::to_string(pr.n) + " P " + std::to_string(pr.p));
        compare_cuda_with_cpu(pr);
    }
    // A long row (several radix digits in play, 100K positions, heavy ties at the threshold).
    compare_cuda_with_cpu(make_problem(3, 1, 100032, 100000, 16, {1000, 50000, 99999}, 7, 10));
}

TEST(TopkCompactCuda, NanAndSignedZerosRankAsOnTheCpu) {
    SKIP_WITHOUT_GPU();
    Problem pr = make_problem(1, 1, 8, 8, 16, {5}, 1, 11);
    const float row[8] = {
        std::nanf(""), 0.0f, -0.0f,         -std::numeric_limits<float>::infinity(),
        -0.0f,         3.0f, std::nanf(""), 0.0f};
    std::copy(row, row + 8, pr.scores.begin());
    compare_cuda_with_cpu(pr);
}

#endif  // HACE_HAVE_CUDA_KERNELS

}  // namespace
}  // namespace hace::kernels
