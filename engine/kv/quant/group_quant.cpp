#include "engine/kv/quant/group_quant.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/core/error.h"

namespace hace::kv::quant {

namespace {

[[noreturn]] void throw_out_of_range(float lo, float hi) {
    std::ostringstream message;
    message << "cannot quantise a group spanning [" << lo << ", " << hi
            << "]: values must be finite and within the fp16 range (|x| <= 65504)";
    throw_input("KIVI", message.str());
}

}  // namespace

GroupParams choose_group_params(float lo, float hi, int bits) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi) throw_out_of_range(lo, hi);
    const int qmax = (1 << bits) - 1;
    GroupParams params;
    params.min = half_floor(lo);
    params.scale = half_ceil((static_cast<double>(hi) - half_to_double(params.min)) / qmax);
    if (!half_is_finite(params.min) || !half_is_finite(params.scale)) throw_out_of_range(lo, hi);
    return params;
}

std::uint8_t quantize_value(float x, float min, float scale, int bits) {
    if (scale == 0.0f) return 0;
    const float qmax = static_cast<float>((1 << bits) - 1);
    const float level = std::clamp((x - min) / scale, 0.0f, qmax);
    return static_cast<std::uint8_t>(std::nearbyint(level));
}

GroupParams quantize_group(const float* x, std::int64_t count, std::int64_t stride, int bits,
                           std::uint8_t* codes) {
    float lo = x[0];
    float hi = x[0];
    for (std::int64_t i = 0; i < count; ++i) {
        const float value = x[i * stride];
        if (!std::isfinite(value)) throw_out_of_range(value, value);
        lo = std::min(lo, value);
        hi = std::max(hi, value);
    }
    const GroupParams params = choose_group_params(lo, hi, bits);
    const float min = half_to_float(params.min);
    const float scale = half_to_float(params.scale);
    for (std::int64_t i = 0; i < count; ++i)
        codes[i] = quantize_value(x[i * stride], min, scale, bits);
    return params;
}

}  // namespace hace::kv::quant
