// fp16 conversions: hand-checked bit patterns, and every finite fp16 and every mid-point between
// neighbours for the rounding directions.
#include <cmath>

#include <gtest/gtest.h>

#include "engine/kv/quant/fp16.h"

namespace hace::kv::quant {
namespace {

TEST(KiviFp16, KnownBitPatterns) {
    EXPECT_EQ(half_nearest(1.0), 0x3C00);
    EXPECT_EQ(half_nearest(-2.0), 0xC000);
    EXPECT_EQ(half_nearest(65504.0), 0x7BFF);
    EXPECT_EQ(half_nearest(65519.0), 0x7BFF);
    EXPECT_EQ(half_nearest(65520.0), 0x7C00);               // ties to even overflow
    EXPECT_EQ(half_nearest(std::ldexp(1.0, -14)), 0x0400);  // smallest normal
    EXPECT_EQ(half_nearest(std::ldexp(1.0, -24)), 0x0001);  // smallest subnormal
    EXPECT_EQ(half_nearest(std::ldexp(1.0, -25)), 0x0000);  // tie between 0 and 1 unit -> even
    EXPECT_EQ(half_nearest(3 * std::ldexp(1.0, -25)), 0x0002);
    EXPECT_EQ(half_nearest(1.0 + std::ldexp(1.0, -11)), 0x3C00);      // tie -> even mantissa 0
    EXPECT_EQ(half_nearest(1.0 + 3 * std::ldexp(1.0, -11)), 0x3C02);  // tie -> even mantissa 2
    // 0.1 = 1638.4 / 16384: nearest and floor 1638/16384, ceil 1639/16384.
    EXPECT_EQ(half_nearest(0.1), 0x2E66);
    EXPECT_EQ(half_floor(0.1), 0x2E66);
    EXPECT_EQ(half_ceil(0.1), 0x2E67);
    EXPECT_DOUBLE_EQ(half_to_double(0x2E66), 1638.0 / 16384.0);
    EXPECT_DOUBLE_EQ(half_to_double(0x2E67), 1639.0 / 16384.0);
    EXPECT_EQ(half_floor(-0.1), 0xAE67);
    EXPECT_EQ(half_ceil(-0.1), 0xAE66);
    EXPECT_EQ(half_floor(1e-9), 0x0000);
    EXPECT_EQ(half_ceil(1e-9), 0x0001);
    EXPECT_EQ(half_floor(-1e-9), 0x8001);
    EXPECT_EQ(half_floor(70000.0), 0x7BFF);
    EXPECT_EQ(half_floor(-70000.0), 0xFC00);  // -inf: no finite fp16 lies below
    EXPECT_EQ(half_ceil(-70000.0), 0xFBFF);
    EXPECT_FALSE(half_is_finite(0x7C00));
    EXPECT_TRUE(half_is_finite(0x7BFF));
    EXPECT_TRUE(std::isnan(half_to_double(half_nearest(std::nan("")))));
}

TEST(KiviFp16, EveryFiniteHalfRoundTrips) {
    for (int bits = 0; bits < 0x10000; ++bits) {
        const Half h = static_cast<Half>(bits);
        if (!half_is_finite(h)) continue;
        const double x = half_to_double(h);
        ASSERT_EQ(half_nearest(x), h) << std::hex << bits;
        ASSERT_EQ(half_floor(x), h) << std::hex << bits;
        ASSERT_EQ(half_ceil(x), h) << std::hex << bits;
        ASSERT_EQ(half_to_float(h), static_cast<float>(x));
    }
}

TEST(KiviFp16, MidPointsRoundByDirectionAndToEven) {
    for (int bits = 0; bits < 0x7BFF; ++bits) {  // positive finite neighbours (h, h + 1)
        const Half lower = static_cast<Half>(bits);
        const Half upper = static_cast<Half>(bits + 1);
        const double mid = 0.5 * (half_to_double(lower) + half_to_double(upper));
        ASSERT_EQ(half_floor(mid), lower);
        ASSERT_EQ(half_ceil(mid), upper);
        ASSERT_EQ(half_nearest(mid), (bits % 2 == 0) ? lower : upper);
        ASSERT_EQ(half_floor(-mid), upper | 0x8000);
        ASSERT_EQ(half_ceil(-mid), lower | 0x8000);
    }
}

}  // namespace
}  // namespace hace::kv::quant
