// Tests for the tiled prefill attention (engine/kernels/prefill_attention.h): every dispatch level
// this CPU offers against the double reference, on GQA, head dims with vector tails, continued
// prompts (start > 0), sliding windows and K/V laid out as the engine passes them (interleaved
// in the QKV projection's rows); a known answer (zero queries: each row is the mean of the
// values it may see); and the documented invariances, bit for bit: the thread count and the
// split of a prompt into calls change nothing.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/cpu_isa.h"
#include "engine/kernels/prefill_attention.h"
#include "tests/support/cpu_levels.h"

namespace hace::kernels {
namespace {

using test::ForceIsa;
std::vector<CpuIsa> levels() {
    return test::cpu_levels();
}

struct Shape {
    std::int64_t hq, hkv, t, d, start, window;
    float scale;
};

// Queries [hq][t][d] contiguous; keys and values of all start + t positions interleaved per
// position as one [end][2 * hkv * d] buffer (k heads, then v heads), as the engine's prompt
// passes views into its QKV projection.
struct Problem {
    Shape s;
    std::vector<float> q, kv, out;

    Problem(const Shape& shape, std::uint32_t seed) : s(shape) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
        q.resize(static_cast<std::size_t>(s.hq * s.t * s.d));
        kv.resize(static_cast<std::size_t>((s.start + s.t) * 2 * s.hkv * s.d));
        for (auto& x : q) x = dist(rng);
        for (auto& x : kv) x = dist(rng);
        out.assign(static_cast<std::size_t>(s.t * s.hq * s.d), -7.0f);
    }

    // Rows [i0, i1) of the prompt as one call.
    PrefillAttentionArgs args(std::int64_t i0, std::int64_t i1, int threads) {
        PrefillAttentionArgs a;
        a.q = q.data() + i0 * s.d;
        a.q_head_stride = s.t * s.d;
        a.q_row_stride = s.d;
        const std::int64_t row = 2 * s.hkv * s.d;
        a.k = kv.data();
        a.v = kv.data() + s.hkv * s.d;
        a.k_head_stride = a.v_head_stride = s.d;
        a.k_row_stride = a.v_row_stride = row;
        a.out = out.data() + i0 * s.hq * s.d;
        a.hq = s.hq;
        a.hkv = s.hkv;
        a.t = i1 - i0;
        a.d = s.d;
        a.start = s.start + i0;
        a.window = s.window;
        a.scale = s.scale;
        a.threads = threads;
        return a;
    }
};

const Shape kShapes[] = {
    {4, 4, 70, 64, 0, 0, 0.125f},     // MHA, one partial query block
    {8, 2, 130, 64, 0, 0, 0.125f},    // GQA 4:1, three query blocks
    {2, 1, 33, 8, 0, 0, 0.35f},       // stories260K's head dim (a partial vector)
    {3, 3, 50, 80, 0, 0, 0.11f},      // 80 channels: 4 + 1 vectors of 16
    {2, 2, 40, 20, 0, 0, 0.2f},       // 20 channels: a tail at every level
    {4, 2, 65, 128, 100, 0, 0.088f},  // a continued prompt over 100 cached positions
    {4, 4, 150, 64, 0, 37, 0.125f},   // sliding window shorter than a key block
    {2, 1, 90, 64, 70, 50, 0.125f},   // continued prompt with a window
    {2, 2, 200, 32, 0, 0, 2.0f},      // peaked softmax: the row maximum moves between blocks
    {1, 1, 1, 16, 0, 0, 0.25f},       // one token
};

TEST(PrefillAttention, EveryLevelMatchesTheDoubleReference) {
    std::uint32_t seed = 1;
    for (const Shape& s : kShapes) {
        Problem ref(s, seed);
        prefill_attention_reference(ref.args(0, s.t, 1));
        for (CpuIsa isa : levels()) {
            ForceIsa force(isa);
            Problem p(s, seed);
            prefill_attention(p.args(0, s.t, 2));
            double worst = 0.0;
            for (std::size_t i = 0; i < p.out.size(); ++i) {
                worst = std::max(worst, static_cast<double>(std::fabs(p.out[i] - ref.out[i])));
            }
            EXPECT_LT(worst, 2e-6)
                << cpu_isa_name(isa) << " hq=" << s.hq << " hkv=" << s.hkv << " t=" << s.t
                << " d=" << s.d << " start=" << s.start << " window=" << s.window;
        }
        ++seed;
    }
}

// With every query zero, each row's weights are uniform: its output is the mean of the values
// it may see, so a mask off by one key shows.
TEST(PrefillAttention, ZeroQueriesAverageExactlyTheVisibleValues) {
    const Shape shapes[] = {{2, 1, 150, 64, 0, 0, 1.0f}, {2, 2, 100, 24, 30, 45, 1.0f}};
    for (const Shape& s : shapes) {
        for (CpuIsa isa : levels()) {
            ForceIsa force(isa);
            Problem p(s, 7);
            std::fill(p.q.begin(), p.q.end(), 0.0f);
            prefill_attention(p.args(0, s.t, 2));
            const std::int64_t row = 2 * s.hkv * s.d, group = s.hq / s.hkv;
            double worst = 0.0;
            for (std::int64_t h = 0; h < s.hq; ++h) {
                for (std::int64_t i = 0; i < s.t; ++i) {
                    const std::int64_t pos = s.start + i;
                    const std::int64_t first =
                        s.window > 0 ? std::max<std::int64_t>(0, pos - s.window + 1) : 0;
                    for (std::int64_t c = 0; c < s.d; ++c) {
                        double mean = 0.0;
                        for (std::int64_t j = first; j <= pos; ++j) {
                            mean += p.kv[j * row + s.hkv * s.d + (h / group) * s.d + c];
                        }
                        mean /= static_cast<double>(pos + 1 - first);
                        const float got = p.out[(i * s.hq + h) * s.d + c];
                        worst = std::max(worst, std::fabs(got - mean));
                    }
                }
            }
            EXPECT_LT(worst, 1e-6) << cpu_isa_name(isa) << " window=" << s.window;
        }
    }
}

TEST(PrefillAttention, ThreadCountAndSplitIntoCallsChangeNoBit) {
    const Shape shapes[] = {{8, 2, 300, 64, 0, 0, 0.125f}, {4, 4, 200, 48, 20, 90, 0.15f}};
    for (const Shape& s : shapes) {
        for (CpuIsa isa : levels()) {
            ForceIsa force(isa);
            Problem one(s, 11), two(s, 11), split(s, 11);
            prefill_attention(one.args(0, s.t, 1));
            prefill_attention(two.args(0, s.t, 2));
            // 77 and 150 are not multiples of any block: the calls' rows group differently.
            prefill_attention(split.args(0, 77, 2));
            prefill_attention(split.args(77, 150, 1));
            prefill_attention(split.args(150, s.t, 2));
            EXPECT_EQ(0, std::memcmp(one.out.data(), two.out.data(), one.out.size() * 4))
                << cpu_isa_name(isa);
            EXPECT_EQ(0, std::memcmp(one.out.data(), split.out.data(), one.out.size() * 4))
                << cpu_isa_name(isa);
        }
    }
}

}  // namespace
}  // namespace hace::kernels
