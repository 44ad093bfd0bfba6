// KiviSegment (ALGORITHMS.md section 6.3): parameter checks, the residual rules after every call,
// exact byte accounting, hand-computed packed codes, the quantisation error bound, and attention
// against dense references.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "engine/kv/quant/kivi_segment.h"
#include "tests/support/expect_input_error.h"

namespace hace::kv::quant {
namespace {

using test::expect_input_error;

std::vector<float> random_rows(std::int64_t rows, int d, std::uint32_t seed, float spread = 1.0f,
                               bool outliers = true) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, spread);
    std::vector<float> x(static_cast<std::size_t>(rows * d));
    for (auto& value : x) value = normal(rng);
    // A few outlier channels, as real keys have: per-channel quantisation must cope with them.
    for (std::int64_t t = 0; outliers && t < rows; ++t) {
        x[t * d] *= 12.0f;
        x[t * d + d / 2] += 5.0f;
    }
    return x;
}

// Prefill the first `prompt` rows, then append the rest one by one.
KiviSegment build(const KiviParams& params, int d, const std::vector<float>& k,
                  const std::vector<float>& v, std::int64_t prompt) {
    KiviSegment segment(params, d);
    segment.append_prompt(k.data(), v.data(), prompt);
    const std::int64_t total = static_cast<std::int64_t>(k.size()) / d;
    for (std::int64_t t = prompt; t < total; ++t) segment.append(&k[t * d], &v[t * d]);
    return segment;
}

// softmax(scale * q K^T) V in double, K and V as [n, d].
void dense_attention(const std::vector<float>& q, int g, int d, const std::vector<float>& k,
                     const std::vector<float>& v, float scale, std::vector<double>& out,
                     std::vector<double>& probs) {
    const std::int64_t n = static_cast<std::int64_t>(k.size()) / d;
    out.assign(static_cast<std::size_t>(g) * d, 0.0);
    probs.assign(static_cast<std::size_t>(g * n), 0.0);
    for (int h = 0; h < g; ++h) {
        double peak = -std::numeric_limits<double>::infinity();
        for (std::int64_t j = 0; j < n; ++j) {
            double logit = 0.0;
            for (int c = 0; c < d; ++c) logit += double(q[h * d + c]) * k[j * d + c];
            probs[h * n + j] = scale * logit;
            peak = std::max(peak, probs[h * n + j]);
        }
        double total = 0.0;
        for (std::int64_t j = 0; j < n; ++j)
            total += probs[h * n + j] = std::exp(probs[h * n + j] - peak);
        for (std::int64_t j = 0; j < n; ++j) {
            probs[h * n + j] /= total;
            for (int c = 0; c < d; ++c) out[h * d + c] += probs[h * n + j] * v[j * d + c];
        }
    }
}

TEST(KiviSegment, BadParametersAreInputErrors) {
    expect_input_error([] { KiviSegment({3, 32, 128}, 128); }, {"KIVI", "bits", "2 or 4", "3"});
    expect_input_error([] { KiviSegment({8, 32, 128}, 128); }, {"bits"});
    expect_input_error([] { KiviSegment({2, 0, 128}, 128); }, {"group"});
    expect_input_error([] { KiviSegment({2, 32, 100}, 128); }, {"residual", "32", "100"});
    expect_input_error([] { KiviSegment({2, 32, 0}, 128); }, {"residual"});
    expect_input_error([] { KiviSegment({4, 32, 128}, 48); }, {"head_dim", "48"});
    expect_input_error([] { kivi_bytes(10, 48, {4, 32, 128}); }, {"head_dim"});
    expect_input_error([] { kivi_bytes(-1, 64, {4, 32, 128}); }, {"tokens"});
    EXPECT_NO_THROW(KiviSegment({4, 32, 128}, 64));
    EXPECT_NO_THROW(KiviSegment({2, 4, 12}, 8));
}

TEST(KiviSegment, BadCallsAreInputErrorsAndLeaveTheSegmentUnchanged) {
    const int d = 8;
    KiviSegment segment({2, 4, 8}, d);
    std::vector<float> q(d, 1.0f), out(d);
    expect_input_error([&] { segment.attend(q.data(), 1, 1.0f, out.data()); }, {"empty"});
    const auto k = random_rows(10, d, 1);
    const auto v = random_rows(10, d, 2);
    segment.append_prompt(k.data(), v.data(), 7);
    expect_input_error([&] { segment.append_prompt(k.data(), v.data(), 3); }, {"already", "7"});
    expect_input_error([&] { segment.attend(q.data(), 0, 1.0f, out.data()); }, {"query heads"});

    const std::int64_t bytes = segment.bytes();
    std::vector<float> bad(k.begin(), k.begin() + d);
    bad[3] = std::numeric_limits<float>::quiet_NaN();
    expect_input_error([&] { segment.append(bad.data(), v.data()); }, {"decode key", "channel 3"});
    bad[3] = 1e5f;  // beyond fp16: no fp16 minimum/scale could describe its group
    expect_input_error([&] { segment.append(v.data(), bad.data()); }, {"decode value", "fp16"});
    EXPECT_EQ(segment.length(), 7);
    EXPECT_EQ(segment.bytes(), bytes);
    segment.append(&k[7 * d], &v[7 * d]);  // completes the first key block
    EXPECT_EQ(segment.quantized_key_rows(), 8);
}

struct Counts {
    std::int64_t quantized_keys, residual_keys, quantized_values, residual_values;
};

void expect_counts(const KiviSegment& s, const Counts& c, const char* where) {
    EXPECT_EQ(s.quantized_key_rows(), c.quantized_keys) << where;
    EXPECT_EQ(s.residual_key_rows(), c.residual_keys) << where;
    EXPECT_EQ(s.quantized_value_rows(), c.quantized_values) << where;
    EXPECT_EQ(s.residual_value_rows(), c.residual_values) << where;
    EXPECT_EQ(s.length(), c.quantized_keys + c.residual_keys) << where;
    EXPECT_EQ(s.length(), c.quantized_values + c.residual_values) << where;
}

TEST(KiviSegment, ResidualRulesAfterEveryCall) {
    const int d = 8;
    const KiviParams params{2, 4, 8};  // G = 4, R = 8
    const auto k = random_rows(20, d, 3);
    const auto v = random_rows(20, d, 4);

    // Prefill 13: keys quantise one whole R-block (8), 13 mod 8 = 5 stay; values all but the
    // last 8.
    KiviSegment a(params, d);
    a.append_prompt(k.data(), v.data(), 13);
    expect_counts(a, {8, 5, 5, 8}, "prefill 13");
    a.append(&k[13 * d], &v[13 * d]);
    expect_counts(a, {8, 6, 6, 8}, "14");
    a.append(&k[14 * d], &v[14 * d]);
    expect_counts(a, {8, 7, 7, 8}, "15");
    a.append(&k[15 * d], &v[15 * d]);  // key residual reaches R: quantised as one block
    expect_counts(a, {16, 0, 8, 8}, "16");
    a.append(&k[16 * d], &v[16 * d]);
    expect_counts(a, {16, 1, 9, 8}, "17");

    // Prefill exactly R: all keys quantised, all values still residual.
    KiviSegment b(params, d);
    b.append_prompt(k.data(), v.data(), 8);
    expect_counts(b, {8, 0, 0, 8}, "prefill 8");
    b.append(&k[8 * d], &v[8 * d]);
    expect_counts(b, {8, 1, 1, 8}, "9");

    // Prefill shorter than R: nothing quantised until the residuals fill.
    KiviSegment c(params, d);
    c.append_prompt(k.data(), v.data(), 3);
    expect_counts(c, {0, 3, 0, 3}, "prefill 3");
    for (std::int64_t t = 3; t < 7; ++t) c.append(&k[t * d], &v[t * d]);
    expect_counts(c, {0, 7, 0, 7}, "7");
    c.append(&k[7 * d], &v[7 * d]);
    expect_counts(c, {8, 0, 0, 8}, "8");
    c.append(&k[8 * d], &v[8 * d]);
    expect_counts(c, {8, 1, 1, 8}, "9");

    // Empty prefill, decode only.
    KiviSegment e(params, d);
    e.append_prompt(k.data(), v.data(), 0);
    expect_counts(e, {0, 0, 0, 0}, "prefill 0");
    for (std::int64_t t = 0; t < 17; ++t) e.append(&k[t * d], &v[t * d]);
    expect_counts(e, {16, 1, 9, 8}, "decode 17");
}

TEST(KiviSegment, StorageIndependentOfPrefillDecodeSplitAndResidualRowsExact) {
    const int d = 16;
    const KiviParams params{2, 8, 16};
    const std::int64_t n = 77;
    const auto k = random_rows(n, d, 5);
    const auto v = random_rows(n, d, 6);
    const KiviSegment all_prefill = build(params, d, k, v, n);
    std::vector<float> k_ref(k.size()), v_ref(v.size());
    all_prefill.dequantize_keys(k_ref.data());
    all_prefill.dequantize_values(v_ref.data());
    for (std::int64_t prompt : {0, 1, 15, 16, 30, 64, 76}) {
        const KiviSegment s = build(params, d, k, v, prompt);
        std::vector<float> ks(k.size()), vs(v.size());
        s.dequantize_keys(ks.data());
        s.dequantize_values(vs.data());
        EXPECT_EQ(ks, k_ref) << "prompt " << prompt;
        EXPECT_EQ(vs, v_ref) << "prompt " << prompt;
        EXPECT_EQ(s.key_codes(), all_prefill.key_codes());
        EXPECT_EQ(s.value_codes(), all_prefill.value_codes());
        EXPECT_EQ(s.bytes(), all_prefill.bytes());
    }
    // 77 = 4*16 + 13: keys 0..63 quantised, 64..76 exact; values 0..60 quantised, 61..76 exact.
    std::vector<float> row(d);
    for (std::int64_t t = 0; t < n; ++t) {
        all_prefill.key_row(t, row.data());
        const bool key_exact = std::equal(row.begin(), row.end(), k.begin() + t * d);
        EXPECT_EQ(key_exact, t >= 64) << "key " << t;
        EXPECT_TRUE(std::equal(row.begin(), row.end(), k_ref.begin() + t * d));
        all_prefill.value_row(t, row.data());
        const bool value_exact = std::equal(row.begin(), row.end(), v.begin() + t * d);
        EXPECT_EQ(value_exact, t >= 61) << "value " << t;
    }
}

TEST(KiviSegment, HandComputedPackedCodes) {
    // Keys, 2 bits, G = R = 16, d = 16: channel c holds ((t + c) mod 4) * 0.5 + c over tokens t,
    // so min = c, scale = 0.5 (both exact fp16) and codes cycle (t + c) mod 4.
    const int d = 16;
    std::vector<float> k(16 * d), v(16 * d, 0.0f);
    for (int t = 0; t < 16; ++t) {
        for (int c = 0; c < d; ++c) k[t * d + c] = static_cast<float>((t + c) % 4) * 0.5f + c;
    }
    KiviSegment keys({2, 16, 16}, d);
    keys.append_prompt(k.data(), v.data(), 16);
    const std::uint32_t expected_words[4] = {0xE4E4E4E4u, 0x39393939u, 0x4E4E4E4Eu, 0x93939393u};
    ASSERT_EQ(keys.key_codes().size(), 16u);  // 1 group x 16 channels x 1 word
    for (int c = 0; c < d; ++c) EXPECT_EQ(keys.key_codes()[c], expected_words[c % 4]) << c;
    EXPECT_EQ(keys.key_group(3, 5)->min, 5.0f);
    EXPECT_EQ(keys.key_group(3, 5)->scale, 0.5f);
    std::vector<float> row(d);
    keys.key_row(6, row.data());
    EXPECT_TRUE(std::equal(row.begin(), row.end(), k.begin() + 6 * d));  // exact levels

    // Values, 4 bits, G = R = 8, d = 16, prefill 9: token 0 is quantised. Its two channel groups
    // hold {0,15,1,14,2,13,3,12} and the same + 100: min 0 / 100, scale 1, codes = the pattern.
    const float pattern[8] = {0, 15, 1, 14, 2, 13, 3, 12};
    std::vector<float> k2(9 * d, 1.0f), v2(9 * d, 2.0f);
    for (int c = 0; c < d; ++c) v2[c] = pattern[c % 8] + (c < 8 ? 0.0f : 100.0f);
    KiviSegment values({4, 8, 8}, d);
    values.append_prompt(k2.data(), v2.data(), 9);
    ASSERT_EQ(values.quantized_value_rows(), 1);
    ASSERT_EQ(values.value_codes().size(), 2u);
    EXPECT_EQ(values.value_codes()[0], 0xC3D2E1F0u);
    EXPECT_EQ(values.value_codes()[1], 0xC3D2E1F0u);
    EXPECT_EQ(values.value_group(0, 9)->min, 100.0f);
    EXPECT_EQ(values.value_group(0, 9)->scale, 1.0f);
    values.value_row(0, row.data());
    EXPECT_TRUE(std::equal(row.begin(), row.end(), v2.begin()));
    // Keys of that segment: one G-group of a constant 1.0 (exact fp16): scale 0, all codes 0.
    EXPECT_EQ(values.key_group(0, 0)->scale, 0.0f);
    EXPECT_EQ(values.key_codes(), std::vector<std::uint32_t>(d * 1, 0u));
}

TEST(KiviSegment, DequantisationErrorWithinHalfAScale) {
    const int d = 64;
    const std::int64_t n = 300;
    const auto k = random_rows(n, d, 8, 2.0f);
    const auto v = random_rows(n, d, 9);
    double mean_error[2] = {0.0, 0.0};
    for (int bits : {2, 4}) {
        const KiviParams params{bits, 32, 64};
        const double qmax = (1 << bits) - 1;
        const KiviSegment s = build(params, d, k, v, 200);
        std::vector<float> kh(k.size()), vh(v.size());
        s.dequantize_keys(kh.data());
        s.dequantize_values(vh.data());
        std::int64_t quantised = 0;
        double error_sum = 0.0;
        for (int which = 0; which < 2; ++which) {
            const std::vector<float>& x = which == 0 ? k : v;
            const std::vector<float>& xh = which == 0 ? kh : vh;
            for (std::int64_t t = 0; t < n; ++t) {
                for (int c = 0; c < d; ++c) {
                    const std::size_t i = static_cast<std::size_t>(t * d + c);
                    const auto group = which == 0 ? s.key_group(t, c) : s.value_group(t, c);
                    if (!group) {
                        ASSERT_EQ(xh[i], x[i]) << "residual element must be exact";
                        continue;
                    }
                    // The group's true range: keys over G tokens of channel c, values over G
                    // channels of token t.
                    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
                    for (int m = 0; m < 32; ++m) {
                        const double e =
                            which == 0 ? x[(t / 32 * 32 + m) * d + c] : x[t * d + c / 32 * 32 + m];
                        lo = std::min(lo, e);
                        hi = std::max(hi, e);
                    }
                    const double gmin = group->min, gscale = group->scale;
                    // fp16 rounding accounted exactly: the stored min is at most one fp16 step
                    // below the true min, the stored range covers the true max, and the scale is
                    // at most one fp16 step above (max - stored min) / (2^b - 1).
                    ASSERT_LE(gmin, lo);
                    ASSERT_GT(gmin,
                              lo - std::fabs(lo) * std::ldexp(1.0, -10) - std::ldexp(1.0, -24));
                    ASSERT_GE(gmin + qmax * gscale, hi);
                    ASSERT_LE(gscale, (hi - gmin) / qmax * (1 + std::ldexp(1.0, -10)) +
                                          std::ldexp(1.0, -24));
                    const double error = std::fabs(double(xh[i]) - x[i]);
                    const double arithmetic =
                        std::ldexp(std::fabs(x[i]) + std::fabs(gmin) + qmax * gscale, -20);
                    ASSERT_LE(error, gscale / 2 + arithmetic) << "bits " << bits;
                    ++quantised;
                    error_sum += error;
                }
            }
        }
        // 300 tokens, prefill 200 + 100 decode, R = 64: keys 256 quantised, values 236.
        EXPECT_EQ(quantised, (256 + 236) * d);
        mean_error[bits / 2 - 1] = error_sum / quantised;
    }
    EXPECT_LT(mean_error[1], mean_error[0] / 3);  // 4 bits: scale 5x finer than 2 bits
}

TEST(KiviSegment, BytesEqualFormulaAfterEveryCall) {
    for (const KiviParams& params :
         {KiviParams{2, 8, 16}, KiviParams{4, 8, 16}, KiviParams{2, 4, 12}, KiviParams{4, 4, 12},
          KiviParams{2, 32, 128}}) {
        const int d = params.group == 32 ? 64 : 12 * (params.group / 4);
        const std::int64_t r = params.residual;
        for (std::int64_t prompt :
             std::vector<std::int64_t>{0, 1, r - 1, r, r + 1, 2 * r, 3 * r + 5}) {
            const std::int64_t total = prompt + 2 * r + 3;
            const auto k = random_rows(total, d, 10);
            const auto v = random_rows(total, d, 11);
            KiviSegment s(params, d);
            s.append_prompt(k.data(), v.data(), prompt);
            for (std::int64_t t = prompt;; ++t) {
                const KiviBytes got = s.byte_breakdown();
                const KiviBytes want = kivi_bytes(s.length(), d, params);
                ASSERT_EQ(got.key_codes, want.key_codes) << "n " << t;
                ASSERT_EQ(got.key_params, want.key_params);
                ASSERT_EQ(got.value_codes, want.value_codes);
                ASSERT_EQ(got.value_params, want.value_params);
                ASSERT_EQ(got.residual, want.residual);
                ASSERT_EQ(s.bytes(), want.total());
                if (t == total) break;
                s.append(&k[t * d], &v[t * d]);
            }
        }
    }
}

TEST(KiviSegment, BytesHandComputed) {
    // d = 128, G = 32, R = 128, 2 bits, 1000 tokens: keys 896 quantised (28 groups, 2 words per
    // channel) + 104 residual; values 872 quantised (8 words, 4 groups per token) + 128 residual.
    const KiviBytes b = kivi_bytes(1000, 128, KiviParams{});
    EXPECT_EQ(b.key_codes, 28 * 128 * 2 * 4);
    EXPECT_EQ(b.key_params, 28 * 128 * 2 * 2);
    EXPECT_EQ(b.value_codes, 872 * 8 * 4);
    EXPECT_EQ(b.value_params, 872 * 4 * 2 * 2);
    EXPECT_EQ(b.residual, (104 + 128) * 128 * 4);
    EXPECT_EQ(b.total(), 203648);
    // 4 bits with padded rows: G = 4 codes fill half a word; d = 12 codes need two words.
    const KiviBytes p = kivi_bytes(30, 12, KiviParams{4, 4, 12});
    EXPECT_EQ(p.key_codes, 6 * 12 * 1 * 4);     // 24 keys quantised = 6 groups
    EXPECT_EQ(p.value_codes, 18 * 2 * 4);       // 30 - 12 values quantised
    EXPECT_EQ(p.value_params, 18 * 3 * 2 * 2);  // 3 channel groups per token
    EXPECT_EQ(p.residual, (6 + 12) * 12 * 4);
}

TEST(KiviSegment, AttentionMatchesDenseReferenceOnDequantisedRows) {
    const int d = 32, g = 3;
    const KiviParams params{2, 8, 32};
    // Unit-scale rows (no outlier channels), so that the absolute tolerance means what it says.
    const auto k = random_rows(200, d, 12, 1.0f, false);
    const auto v = random_rows(200, d, 13, 1.0f, false);
    const auto q = random_rows(g, d, 14, 1.0f, false);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    // Pure residual, right after a key block closed, mid-block, long decode.
    for (std::int64_t prompt : {std::int64_t{20}, std::int64_t{150}}) {
        KiviSegment s(params, d);
        s.append_prompt(k.data(), v.data(), prompt);
        for (std::int64_t n = prompt; n <= 200; ++n) {
            if (n > prompt) s.append(&k[(n - 1) * d], &v[(n - 1) * d]);
            if (n != prompt && n != 32 && n != 33 && n != 160 && n != 200) continue;
            std::vector<float> kh(static_cast<std::size_t>(n * d)), vh(kh.size());
            s.dequantize_keys(kh.data());
            s.dequantize_values(vh.data());
            std::vector<double> want_out, want_probs;
            dense_attention(q, g, d, kh, vh, scale, want_out, want_probs);
            std::vector<float> out(g * d), probs(static_cast<std::size_t>(g * n));
            s.attend(q.data(), g, scale, out.data(), probs.data());
            for (std::size_t i = 0; i < out.size(); ++i)
                ASSERT_NEAR(out[i], want_out[i], 1e-5) << n;
            for (std::size_t i = 0; i < probs.size(); ++i) {
                ASSERT_NEAR(probs[i], want_probs[i], 1e-6) << n;
            }
            std::vector<float> out_only(g * d);
            s.attend(q.data(), g, scale, out_only.data());
            EXPECT_EQ(out_only, out);
        }
    }
}

TEST(KiviSegment, FourBitsAttendCloserToFullPrecisionThanTwoBits) {
    const int d = 64, g = 4;
    const std::int64_t n = 512;
    const auto k = random_rows(n, d, 15);
    const auto v = random_rows(n, d, 16);
    const auto q = random_rows(g, d, 17, 0.5f);
    const float scale = 1.0f / std::sqrt(static_cast<float>(d));
    std::vector<double> exact_out, exact_probs;
    dense_attention(q, g, d, k, v, scale, exact_out, exact_probs);
    double worst[2] = {0.0, 0.0};
    for (int bits : {2, 4}) {
        const KiviSegment s = build(KiviParams{bits, 32, 128}, d, k, v, 400);
        std::vector<float> out(g * d);
        s.attend(q.data(), g, scale, out.data());
        for (std::size_t i = 0; i < out.size(); ++i) {
            worst[bits / 2 - 1] = std::max(worst[bits / 2 - 1], std::fabs(out[i] - exact_out[i]));
        }
    }
    EXPECT_GT(worst[0], 1e-3);  // 2 bits really perturbs the output
    EXPECT_LT(worst[1], worst[0] / 2);
}

}  // namespace
}  // namespace hace::kv::quant
