// The total order of selector scores used by every top-k kernel (ALGORITHMS.md section 16.5):
// higher score first, ties to the smaller position. A score maps to an unsigned key whose
// integer order is the float order, so that a radix select on the GPU and a comparison sort on
// the CPU rank identically. -0.0 and +0.0 map to one key (they compare equal as floats, so they
// tie); NaN maps to key 0, below every number including -inf.
// Plain C++ usable from host code and, compiled by nvcc, from device code.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define HACE_HOST_DEVICE __host__ __device__
#else
#define HACE_HOST_DEVICE
#endif

namespace hace::kernels {

HACE_HOST_DEVICE inline std::uint32_t score_order_key(float x) {
    if (x != x) return 0u;    // NaN
    if (x == 0.0f) x = 0.0f;  // -0.0 -> +0.0
    std::uint32_t bits = 0;
#if defined(__CUDA_ARCH__)
    bits = __float_as_uint(x);
#else
    std::memcpy(&bits, &x, sizeof bits);
#endif
    // Negative floats: flip all bits (larger magnitude -> smaller key); positive: set the sign
    // bit so they sit above every negative.
    return (bits & 0x80000000u) != 0u ? ~bits : (bits | 0x80000000u);
}

}  // namespace hace::kernels
