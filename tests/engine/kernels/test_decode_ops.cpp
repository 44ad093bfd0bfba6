// Tests for the decode-step CPU kernels (engine/kernels/decode_ops.h): every dispatch level this
// CPU offers (scalar, AVX2, AVX-512, forced through force_cpu_isa) against the plain
// double-accumulating references, on shapes with vector tails, B > 1 rows, bias and accumulate;
// the small ops against hand-computed values; decode attention over ragged segments against a
// softmax written here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/kernels/cpu_isa.h"
#include "engine/kernels/decode_attention.h"
#include "engine/kernels/decode_ops.h"
#include "tests/support/cpu_levels.h"

namespace hace::kernels {
namespace {

using test::ForceIsa;
std::vector<CpuIsa> levels() {
    return test::cpu_levels();
}

std::vector<float> random_floats(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
}

std::vector<std::uint16_t> to_bf16(const std::vector<float>& v) {
    std::vector<std::uint16_t> b(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) b[i] = f32_to_bf16(v[i]);
    return b;
}

TEST(CpuIsa, ForcingCapsButNeverRaisesTheLevel) {
    {
        ForceIsa f(CpuIsa::Scalar);
        EXPECT_EQ(active_cpu_isa(), CpuIsa::Scalar);
    }
    {
        ForceIsa f(CpuIsa::Avx512);
        EXPECT_LE(active_cpu_isa(), detected_cpu_isa());
    }
    EXPECT_EQ(cpu_isa_name(CpuIsa::Avx2), "avx2");
}

TEST(Bf16, RoundsToNearestEven) {
    EXPECT_EQ(f32_to_bf16(1.0f), 0x3F80);
    EXPECT_FLOAT_EQ(bf16_to_f32(0x3F80), 1.0f);
    EXPECT_FLOAT_EQ(bf16_to_f32(0xC040), -3.0f);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1.0).
    EXPECT_EQ(f32_to_bf16(1.0f + 1.0f / 256.0f), 0x3F80);
    // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: to 1 + 2^-6 (even).
    EXPECT_EQ(f32_to_bf16(1.0f + 3.0f / 256.0f), 0x3F82);
    EXPECT_EQ(f32_to_bf16(1.0f + 1.5f / 256.0f), 0x3F81);  // above half: rounds up
}

// Every level against the reference: k with and without a vector tail, n not a multiple of
// the 4-row unroll, several rows, strided x and y, bias and accumulate.
TEST(Gemv, EveryLevelMatchesTheReference) {
    for (CpuIsa isa : levels()) {
        ForceIsa f(isa);
        for (WeightType wt : {WeightType::F32, WeightType::BF16}) {
            for (std::int64_t k : {1, 7, 16, 33, 100, 768}) {
                for (std::int64_t n : {1, 5, 37, 130}) {
                    for (std::int64_t rows : {1, 3, 6}) {
                        const std::int64_t xs = k + 2, ys = n + 1;
                        auto x = random_floats(static_cast<std::size_t>(rows * xs), 1);
                        auto wf = random_floats(static_cast<std::size_t>(n * k), 2);
                        auto wb = to_bf16(wf);
                        auto bias = random_floats(static_cast<std::size_t>(n), 3);
                        auto y0 = random_floats(static_cast<std::size_t>(rows * ys), 4);
                        for (bool acc : {false, true}) {
                            GemvArgs a;
                            a.x = x.data();
                            a.rows = rows;
                            a.k = k;
                            a.x_stride = xs;
                            a.w = wt == WeightType::F32 ? static_cast<const void*>(wf.data())
                                                        : static_cast<const void*>(wb.data());
                            a.wtype = wt;
                            a.n = n;
                            a.bias = bias.data();
                            a.y_stride = ys;
                            a.accumulate = acc;
                            std::vector<float> got = y0, want = y0;
                            a.y = got.data();
                            gemv_rows(a);
                            a.y = want.data();
                            gemv_rows_reference(a);
                            for (std::size_t i = 0; i < got.size(); ++i) {
                                ASSERT_NEAR(got[i], want[i], 2e-6 * static_cast<double>(k) + 1e-6)
                                    << cpu_isa_name(isa) << " k=" << k << " n=" << n
                                    << " rows=" << rows << " i=" << i;
                            }
                        }
                    }
                }
            }
        }
    }
}

// Batched = unbatched, bit for bit: each row of a B-row product equals that row computed alone
// (the kernels block rows together for speed; a row's sums must not change with B).
TEST(Gemv, EachRowIsTheSameBitsWhateverTheRowCount) {
    for (CpuIsa isa : levels()) {
        ForceIsa f(isa);
        for (WeightType wt : {WeightType::F32, WeightType::BF16}) {
            for (std::int64_t k : {7, 33, 768}) {
                const std::int64_t n = 37, rows = 7;
                auto x = random_floats(static_cast<std::size_t>(rows * k), 5);
                auto wf = random_floats(static_cast<std::size_t>(n * k), 6);
                auto wb = to_bf16(wf);
                GemvArgs a;
                a.k = k;
                a.w = wt == WeightType::F32 ? static_cast<const void*>(wf.data())
                                            : static_cast<const void*>(wb.data());
                a.wtype = wt;
                a.n = n;
                std::vector<float> all(static_cast<std::size_t>(rows * n));
                a.x = x.data();
                a.rows = rows;
                a.y = all.data();
                gemv_rows(a);
                for (std::int64_t r = 0; r < rows; ++r) {
                    std::vector<float> one(static_cast<std::size_t>(n));
                    a.x = x.data() + r * k;
                    a.rows = 1;
                    a.y = one.data();
                    gemv_rows(a);
                    for (std::int64_t j = 0; j < n; ++j) {
                        ASSERT_EQ(all[static_cast<std::size_t>(r * n + j)],
                                  one[static_cast<std::size_t>(j)])
                            << cpu_isa_name(isa) << " k=" << k << " row " << r << " j=" << j;
                    }
                }
            }
        }
    }
}

// The AVX-512 level's summation order, written out: lane l sums terms c = l, l + 16, ... with one
// fused multiply-add each, then the lanes are added in a fixed tree. Pins the bits (decode-time
// eviction compares scores, so a reordering is a behaviour change, not noise).
TEST(Gemv, Avx512GivesTheBitsOfItsDocumentedSummationTree) {
    if (detected_cpu_isa() < CpuIsa::Avx512) GTEST_SKIP() << "no AVX-512 on this CPU";
    ForceIsa f(CpuIsa::Avx512);
    for (WeightType wt : {WeightType::F32, WeightType::BF16}) {
        for (std::int64_t k : {16, 64, 77, 768}) {
            for (std::int64_t rows : {1, 4, 5}) {
                const std::int64_t n = 37;
                auto x = random_floats(static_cast<std::size_t>(rows * k), 21);
                auto wf = random_floats(static_cast<std::size_t>(n * k), 22);
                auto wb = to_bf16(wf);
                GemvArgs a;
                a.x = x.data();
                a.rows = rows;
                a.k = k;
                a.w = wt == WeightType::F32 ? static_cast<const void*>(wf.data())
                                            : static_cast<const void*>(wb.data());
                a.wtype = wt;
                a.n = n;
                std::vector<float> got(static_cast<std::size_t>(rows * n));
                a.y = got.data();
                gemv_rows(a);
                for (std::int64_t r = 0; r < rows; ++r) {
                    for (std::int64_t j = 0; j < n; ++j) {
                        float lane[16] = {};
                        for (std::int64_t c = 0; c < k; ++c) {
                            const auto i = static_cast<std::size_t>(j * k + c);
                            const float w = wt == WeightType::F32 ? wf[i] : bf16_to_f32(wb[i]);
                            lane[c % 16] =
                                std::fma(w, x[static_cast<std::size_t>(r * k + c)], lane[c % 16]);
                        }
                        float s[8];
                        for (int i = 0; i < 8; ++i) s[i] = lane[i] + lane[i + 8];
                        const float want =
                            ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
                        ASSERT_EQ(got[static_cast<std::size_t>(r * n + j)], want)
                            << "k=" << k << " rows=" << rows << " row " << r << " out " << j;
                    }
                }
            }
        }
    }
}

TEST(Gemv, LargeParallelProductMatchesTheReference) {
    // Big enough to be split over the OpenMP threads.
    const std::int64_t n = 515, k = 300, rows = 2;
    auto x = random_floats(static_cast<std::size_t>(rows * k), 5);
    auto w = random_floats(static_cast<std::size_t>(n * k), 6);
    std::vector<float> got(static_cast<std::size_t>(rows * n)), want(got.size());
    GemvArgs a;
    a.x = x.data();
    a.rows = rows;
    a.k = k;
    a.w = w.data();
    a.n = n;
    a.y = got.data();
    gemv_rows(a);
    a.y = want.data();
    gemv_rows_reference(a);
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4);
}

// y[r] (+)= x[r] W for the transposed product, W [n, k] as f32 or as its bf16 copy.
GemvArgs transposed_args(const std::vector<float>& x, std::int64_t rows, std::int64_t n,
                         std::int64_t k, WeightType wt, const std::vector<float>& wf,
                         const std::vector<std::uint16_t>& wb, bool accumulate) {
    GemvArgs a;
    a.x = x.data();
    a.rows = rows;
    a.n = n;
    a.k = k;
    a.w = wt == WeightType::F32 ? static_cast<const void*>(wf.data())
                                : static_cast<const void*>(wb.data());
    a.wtype = wt;
    a.accumulate = accumulate;
    return a;
}

TEST(GemvTransposed, EveryLevelMatchesTheReference) {
    for (CpuIsa isa : levels()) {
        ForceIsa f(isa);
        for (WeightType wt : {WeightType::F32, WeightType::BF16}) {
            for (std::int64_t k : {3, 16, 64, 77}) {
                for (std::int64_t n : {1, 9, 200}) {
                    const std::int64_t rows = 2;
                    auto x = random_floats(static_cast<std::size_t>(rows * n), 7);
                    auto wf = random_floats(static_cast<std::size_t>(n * k), 8);
                    auto wb = to_bf16(wf);
                    auto y0 = random_floats(static_cast<std::size_t>(rows * k), 9);
                    for (bool acc : {false, true}) {
                        GemvArgs a = transposed_args(x, rows, n, k, wt, wf, wb, acc);
                        std::vector<float> got = y0, want = y0;
                        a.y = got.data();
                        gemv_t_rows(a);
                        a.y = want.data();
                        gemv_t_rows_reference(a);
                        for (std::size_t i = 0; i < got.size(); ++i) {
                            ASSERT_NEAR(got[i], want[i], 2e-6 * static_cast<double>(n) + 1e-6)
                                << cpu_isa_name(isa) << " k=" << k << " n=" << n;
                        }
                    }
                }
            }
        }
    }
}

// The vector levels sum each y[c] over j in order with one fused multiply-add per term, whether
// the row is held in registers (k <= 128) or goes through memory: the bits of a plain std::fma
// loop, for every width.
TEST(GemvTransposed, VectorLevelsGiveTheBitsOfAnInOrderFmaLoop) {
    for (CpuIsa isa : levels()) {
        if (isa == CpuIsa::Scalar) continue;
        ForceIsa f(isa);
        for (WeightType wt : {WeightType::F32, WeightType::BF16}) {
            for (std::int64_t k : {8, 16, 40, 48, 64, 77, 128, 136, 200}) {
                const std::int64_t n = 300, rows = 3;
                auto x = random_floats(static_cast<std::size_t>(rows * n), 17);
                auto wf = random_floats(static_cast<std::size_t>(n * k), 18);
                auto wb = to_bf16(wf);
                auto y0 = random_floats(static_cast<std::size_t>(rows * k), 19);
                for (bool acc : {false, true}) {
                    GemvArgs a = transposed_args(x, rows, n, k, wt, wf, wb, acc);
                    std::vector<float> got = y0;
                    a.y = got.data();
                    gemv_t_rows(a);
                    for (std::int64_t r = 0; r < rows; ++r) {
                        for (std::int64_t c = 0; c < k; ++c) {
                            float want = acc ? y0[static_cast<std::size_t>(r * k + c)] : 0.0f;
                            for (std::int64_t j = 0; j < n; ++j) {
                                const auto i = static_cast<std::size_t>(j * k + c);
                                const float w = wt == WeightType::F32 ? wf[i] : bf16_to_f32(wb[i]);
                                want = std::fma(x[static_cast<std::size_t>(r * n + j)], w, want);
                            }
                            ASSERT_EQ(got[static_cast<std::size_t>(r * k + c)], want)
                                << cpu_isa_name(isa) << " k=" << k << " row " << r << " col " << c
                                << (acc ? " accumulate" : "");
                        }
                    }
                }
            }
        }
    }
}

// Every level against a double softmax. Short rows pin the exp itself (the AVX-512 level's
// polynomial: a few ulp, over the whole range down to underflow); long rows add the sum's
// rounding.
TEST(Softmax, EveryLevelMatchesTheDoubleReference) {
    for (CpuIsa isa : levels()) {
        ForceIsa f(isa);
        for (std::int64_t n : {1, 2, 5, 16, 17, 31, 1000, 4099}) {
            for (float spread : {0.5f, 30.0f, 900.0f}) {
                std::mt19937 rng(static_cast<std::uint32_t>(n * 7 + static_cast<int>(spread)));
                std::uniform_real_distribution<float> dist(-spread, spread);
                std::vector<float> x(static_cast<std::size_t>(n));
                for (auto& v : x) v = dist(rng);
                std::vector<float> got = x, want = x;
                softmax_scaled(got.data(), n, 0.125f);
                softmax_scaled_reference(want.data(), n, 0.125f);
                const double rel = n <= 32 ? 6e-7 : 2e-5;
                double total = 0.0;
                for (std::size_t i = 0; i < got.size(); ++i) {
                    total += got[i];
                    // Below ~1e-38 float has only denormals (and a level may flush them to 0).
                    ASSERT_NEAR(got[i], want[i], rel * want[i] + 1e-38)
                        << cpu_isa_name(isa) << " n=" << n << " spread " << spread << " at " << i
                        << " x " << x[i];
                }
                EXPECT_NEAR(total, 1.0, 1e-5) << cpu_isa_name(isa) << " n=" << n;
            }
        }
    }
}

TEST(SmallOps, RmsNormSiluRopeByHand) {
    const float x[] = {3.0f, 4.0f}, w[] = {1.0f, 2.0f};
    float out[2];
    rms_norm_rows(x, 1, 2, w, 0.0, out);  // rms = sqrt((9 + 16) / 2) = sqrt(12.5)
    EXPECT_NEAR(out[0], 3.0 / std::sqrt(12.5), 1e-6);
    EXPECT_NEAR(out[1], 8.0 / std::sqrt(12.5), 1e-6);

    const float gate[] = {0.0f, 2.0f}, up[] = {5.0f, 3.0f};
    silu_mul(gate, up, 2, out);
    EXPECT_FLOAT_EQ(out[0], 0.0f);
    EXPECT_NEAR(out[1], 2.0 / (1.0 + std::exp(-2.0)) * 3.0, 1e-6);

    // d = 4, two pairs (0, 2) and (1, 3): pair 0 rotated by 90 degrees, pair 1 not at all.
    float q[] = {1.0f, 2.0f, 3.0f, 4.0f};
    const float cs[] = {0.0f, 1.0f, 0.0f, 1.0f}, sn[] = {1.0f, 0.0f, 1.0f, 0.0f};
    rope_rotate_half(q, 1, 4, cs, sn);
    EXPECT_FLOAT_EQ(q[0], -3.0f);  // x0 cos - x2 sin
    EXPECT_FLOAT_EQ(q[2], 1.0f);   // x2 cos + x0 sin
    EXPECT_FLOAT_EQ(q[1], 2.0f);
    EXPECT_FLOAT_EQ(q[3], 4.0f);
}

TEST(SmallOps, SiluMulEveryLevelMatchesTheDoubleReference) {
    // 67 values: vector bodies and tails at every level; gates from -120 (exp underflows) to 30.
    std::vector<float> gate = random_floats(67, 21), up = random_floats(67, 22);
    for (std::size_t i = 0; i < gate.size(); ++i) gate[i] *= i % 5 == 0 ? 120.0f : 30.0f;
    std::vector<float> want(gate.size()), got(gate.size());
    silu_mul_reference(gate.data(), up.data(), static_cast<std::int64_t>(gate.size()), want.data());
    for (CpuIsa isa : levels()) {
        ForceIsa force(isa);
        silu_mul(gate.data(), up.data(), static_cast<std::int64_t>(gate.size()), got.data());
        for (std::size_t i = 0; i < gate.size(); ++i) {
            EXPECT_NEAR(got[i], want[i], 1e-6 * std::max(1.0f, std::fabs(want[i])))
                << cpu_isa_name(isa) << " gate " << gate[i];
        }
    }
}

// Softmax attention written out in double, for one query head over entries [first, end).
std::vector<double> attention_ref(const float* q, const std::vector<float>& k,
                                  const std::vector<float>& v, std::int64_t base, std::int64_t d,
                                  std::int64_t first, std::int64_t end, double scale) {
    std::vector<double> s;
    double mx = -1e300;
    for (std::int64_t j = first; j < end; ++j) {
        double dot = 0;
        for (std::int64_t c = 0; c < d; ++c)
            dot += q[c] * static_cast<double>(k[(base + j) * d + c]);
        s.push_back(dot * scale);
        mx = std::max(mx, s.back());
    }
    double sum = 0;
    for (double& e : s) sum += (e = std::exp(e - mx));
    std::vector<double> out(static_cast<std::size_t>(d), 0.0);
    for (std::int64_t j = first; j < end; ++j) {
        for (std::int64_t c = 0; c < d; ++c) {
            out[static_cast<std::size_t>(c)] +=
                s[static_cast<std::size_t>(j - first)] / sum * v[(base + j) * d + c];
        }
    }
    return out;
}

// A batch of ragged segments as a batched decode step gives the kernel: three sequences with
// different lengths and group sizes, one segment of a single row, one with a vector tail, one
// long enough (with the others) to cross the parallel threshold.
struct SegmentCase {
    std::int64_t rows, group;
    bool probs;
};

struct SegmentData {
    std::vector<float> q, k, v, kr, vr, out, probs;
    std::vector<std::uint16_t> kb, vb;
};

std::vector<AttentionSegment> make_segments(const std::vector<SegmentCase>& cases,
                                            std::vector<SegmentData>& data, std::int64_t d,
                                            WeightType wt) {
    std::vector<AttentionSegment> segs;
    data.resize(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const SegmentCase& c = cases[i];
        SegmentData& x = data[i];
        const auto seed = static_cast<std::uint32_t>(100 + 3 * i);
        x.q = random_floats(static_cast<std::size_t>(c.group * d), seed);
        x.k = random_floats(static_cast<std::size_t>(c.rows * d), seed + 1);
        x.v = random_floats(static_cast<std::size_t>(c.rows * d), seed + 2);
        x.kb = to_bf16(x.k);
        x.vb = to_bf16(x.v);
        x.kr = x.k;
        x.vr = x.v;
        if (wt == WeightType::BF16) {  // the reference reads the values the kernel reads
            for (std::size_t e = 0; e < x.kr.size(); ++e) x.kr[e] = bf16_to_f32(x.kb[e]);
            for (std::size_t e = 0; e < x.vr.size(); ++e) x.vr[e] = bf16_to_f32(x.vb[e]);
        }
        x.out.assign(x.q.size(), -7.0f);
        x.probs.assign(static_cast<std::size_t>(c.group * (c.rows + 3)), -7.0f);
        AttentionSegment a;
        a.q = x.q.data();
        a.k = wt == WeightType::F32 ? static_cast<const void*>(x.k.data()) : x.kb.data();
        a.v = wt == WeightType::F32 ? static_cast<const void*>(x.v.data()) : x.vb.data();
        a.kv_type = wt;
        a.rows = c.rows;
        a.head_dim = d;
        a.group = c.group;
        a.scale = 0.3f;
        a.out = x.out.data();
        if (c.probs) {
            a.probs = x.probs.data();
            a.probs_stride = c.rows + 3;
        }
        segs.push_back(a);
    }
    return segs;
}

const std::vector<SegmentCase> kRagged = {
    {1, 2, true}, {37, 1, false}, {130, 4, true}, {9, 2, false}, {2100, 1, true}};

TEST(DecodeAttentionSegments, EveryLevelMatchesSoftmaxAttentionOnRaggedSegments) {
    const std::int64_t d = 20;  // not a multiple of the vector width
    for (CpuIsa isa : levels()) {
        ForceIsa f(isa);
        for (WeightType wt : {WeightType::F32, WeightType::BF16}) {
            std::vector<SegmentData> data;
            const auto segs = make_segments(kRagged, data, d, wt);
            decode_attention_segments(segs);
            for (std::size_t s = 0; s < segs.size(); ++s) {
                const SegmentData& x = data[s];
                for (std::int64_t i = 0; i < segs[s].group; ++i) {
                    const auto want =
                        attention_ref(x.q.data() + i * d, x.kr, x.vr, 0, d, 0, segs[s].rows, 0.3);
                    for (std::int64_t c = 0; c < d; ++c) {
                        ASSERT_NEAR(x.out[static_cast<std::size_t>(i * d + c)],
                                    want[static_cast<std::size_t>(c)], 1e-5)
                            << cpu_isa_name(isa) << " segment " << s << " query " << i;
                    }
                    if (!segs[s].probs) continue;
                    double sum = 0.0;
                    for (std::int64_t j = 0; j < segs[s].rows; ++j) {
                        sum += x.probs[static_cast<std::size_t>(i * segs[s].probs_stride + j)];
                    }
                    EXPECT_NEAR(sum, 1.0, 1e-5);
                    // Past the segment's rows the caller's buffer is untouched.
                    EXPECT_EQ(
                        x.probs[static_cast<std::size_t>(i * segs[s].probs_stride + segs[s].rows)],
                        -7.0f);
                }
            }
        }
    }
}

TEST(DecodeAttentionSegments, TheReferenceMatchesSoftmaxAttentionAndTheKernelsProbabilities) {
    const std::int64_t d = 16;
    std::vector<SegmentData> fast, ref;
    const auto a = make_segments(kRagged, fast, d, WeightType::F32);
    const auto b = make_segments(kRagged, ref, d, WeightType::F32);
    decode_attention_segments(a);
    decode_attention_segments_reference(b);
    for (std::size_t s = 0; s < a.size(); ++s) {
        for (std::size_t e = 0; e < fast[s].out.size(); ++e) {
            ASSERT_NEAR(fast[s].out[e], ref[s].out[e], 1e-5) << "segment " << s;
        }
        for (std::size_t e = 0; e < fast[s].probs.size(); ++e) {
            ASSERT_NEAR(fast[s].probs[e], ref[s].probs[e], 1e-6) << "segment " << s;
        }
    }
}

// A segment's output is bit for bit the same alone and in a list with others (the batched step
// equals the unbatched one), also when the list crosses the threshold that splits it over the
// OpenMP team.
TEST(DecodeAttentionSegments, ASegmentsResultDoesNotDependOnTheOtherSegments) {
    const std::int64_t d = 64;
    for (WeightType wt : {WeightType::F32, WeightType::BF16}) {
        std::vector<SegmentData> together, alone;
        const auto all = make_segments(kRagged, together, d, wt);
        const auto each = make_segments(kRagged, alone, d, wt);
        decode_attention_segments(all);
        for (const AttentionSegment& s : each) {
            decode_attention_segments(std::span<const AttentionSegment>(&s, 1));
        }
        for (std::size_t s = 0; s < all.size(); ++s) {
            EXPECT_EQ(together[s].out, alone[s].out) << "segment " << s;
            EXPECT_EQ(together[s].probs, alone[s].probs) << "segment " << s;
        }
    }
}

}  // namespace
}  // namespace hace::kernels
