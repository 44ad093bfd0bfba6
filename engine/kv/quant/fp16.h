// IEEE 754 binary16 ("fp16") conversions written out by hand, so the quantised store keeps its
// per-group minima and scales in exactly two bytes without relying on a compiler half type.
#pragma once

#include <cstdint>

namespace hace::kv::quant {

using Half = std::uint16_t;  // the raw binary16 bit pattern

double half_to_double(Half h);
inline float half_to_float(Half h) {
    return static_cast<float>(half_to_double(h));
}

// Round to nearest, ties to even (what a float -> fp16 cast does). NaN -> quiet NaN, values at or
// beyond 65520 in magnitude -> infinity.
Half half_nearest(double x);
// Directed rounding: the largest fp16 <= x and the smallest fp16 >= x. May give -inf / +inf when
// x lies beyond the largest finite fp16 (65504); x must not be NaN.
Half half_floor(double x);
Half half_ceil(double x);

bool half_is_finite(Half h);

}  // namespace hace::kv::quant
