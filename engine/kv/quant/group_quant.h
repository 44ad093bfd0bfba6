// Asymmetric min-max quantisation of one group (ALGORITHMS.md section 6.3):
// scale = (max - min) / (2^b - 1), q = clamp(round((x - min) / scale), 0, 2^b - 1), x^ = q*scale +
// min. The minimum and the scale are stored as fp16, as in the KIVI reference.
#pragma once

#include <cstdint>

#include "engine/kv/quant/fp16.h"

namespace hace::kv::quant {

// The two stored fp16 numbers of one group.
struct GroupParams {
    Half min = 0;
    Half scale = 0;
};

// [HACE choice] Our inputs are fp32, so the group minimum is generally not an fp16 number (in the
// fp16 reference it always is). The stored minimum is rounded DOWN to fp16 and the scale,
// (max - stored min) / (2^b - 1), rounded UP, so the stored range [min, min + (2^b - 1)*scale]
// still covers every element and the dequantisation error of each element is at most scale/2
// (plus fp32 rounding of the arithmetic). scale is 0 only when all elements equal an fp16 number.
// Throws InputError when lo or hi is not finite or lies beyond the fp16 range.
GroupParams choose_group_params(float lo, float hi, int bits);

// clamp(round-half-even((x - min) / scale), 0, 2^b - 1); 0 when scale is 0.
std::uint8_t quantize_value(float x, float min, float scale, int bits);

inline float dequantize_code(std::uint32_t code, float min, float scale) {
    return static_cast<float>(code) * scale + min;
}

// Quantises x[0], x[stride], ..., x[(count-1)*stride] as one group: codes[0..count) and returns the
// group's parameters. Throws InputError on a non-finite element.
GroupParams quantize_group(const float* x, std::int64_t count, std::int64_t stride, int bits,
                           std::uint8_t* codes);

}  // namespace hace::kv::quant
