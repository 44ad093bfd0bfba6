#include "engine/kv/quant/fp16.h"

#include <cmath>
#include <limits>

namespace hace::kv::quant {

namespace {

constexpr Half kSignBit = 0x8000;
constexpr Half kPositiveInfinity = 0x7C00;
constexpr Half kQuietNan = 0x7E00;
constexpr Half kSmallestSubnormal = 0x0001;

// The neighbouring fp16 towards +inf / -inf (for finite h; -0 and +0 are treated alike).
Half half_step_up(Half h) {
    if ((h & 0x7FFF) == 0) return kSmallestSubnormal;
    return (h & kSignBit) ? static_cast<Half>(h - 1) : static_cast<Half>(h + 1);
}

Half half_step_down(Half h) {
    if ((h & 0x7FFF) == 0) return kSignBit | kSmallestSubnormal;
    return (h & kSignBit) ? static_cast<Half>(h + 1) : static_cast<Half>(h - 1);
}

}  // namespace

double half_to_double(Half h) {
    const bool negative = (h & kSignBit) != 0;
    const int exponent = (h >> 10) & 0x1F;
    const int mantissa = h & 0x3FF;
    double magnitude = 0.0;
    if (exponent == 0) {
        magnitude = std::ldexp(static_cast<double>(mantissa), -24);
    } else if (exponent == 31) {
        magnitude = mantissa == 0 ? std::numeric_limits<double>::infinity()
                                  : std::numeric_limits<double>::quiet_NaN();
    } else {
        magnitude = std::ldexp(static_cast<double>(1024 + mantissa), exponent - 25);
    }
    return negative ? -magnitude : magnitude;
}

Half half_nearest(double x) {
    if (std::isnan(x)) return kQuietNan;
    const Half sign = std::signbit(x) ? kSignBit : 0;
    const double magnitude = std::fabs(x);
    // 65520 is half-way between 65504 (odd mantissa) and 65536, so ties-to-even overflows there.
    if (magnitude >= 65520.0) return sign | kPositiveInfinity;
    if (magnitude < std::ldexp(1.0, -14)) {
        // Subnormal range: the code is the value in units of 2^-24; 1024 becomes the smallest
        // normal, which the same bit pattern encodes.
        const double units = std::nearbyint(std::ldexp(magnitude, 24));
        return static_cast<Half>(sign | static_cast<Half>(units));
    }
    int binary_exponent = 0;
    std::frexp(magnitude, &binary_exponent);  // magnitude = m * 2^binary_exponent, m in [0.5, 1)
    int unbiased = binary_exponent - 1;
    double significand = std::nearbyint(std::ldexp(magnitude, 10 - unbiased));  // [1024, 2048]
    if (significand == 2048.0) {
        significand = 1024.0;
        ++unbiased;
    }
    const int biased = unbiased + 15;
    if (biased >= 31) return sign | kPositiveInfinity;
    return static_cast<Half>(sign | (biased << 10) | (static_cast<int>(significand) - 1024));
}

Half half_floor(double x) {
    const Half h = half_nearest(x);
    return half_to_double(h) > x ? half_step_down(h) : h;
}

Half half_ceil(double x) {
    const Half h = half_nearest(x);
    return half_to_double(h) < x ? half_step_up(h) : h;
}

bool half_is_finite(Half h) {
    return ((h >> 10) & 0x1F) != 31;
}

}  // namespace hace::kv::quant
