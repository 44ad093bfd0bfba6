#include "engine/kernels/cpu_isa.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>

namespace hace::kernels {
namespace {

CpuIsa from_env() {
    const char* v = std::getenv("HACE_CPU_ISA");
    const CpuIsa best = detected_cpu_isa();
    if (!v) return best;
    const std::string s(v);
    if (s == "scalar") return CpuIsa::Scalar;
    if (s == "avx2") return std::min(best, CpuIsa::Avx2);
    return best;  // "avx512" or anything else: no cap
}

// -1: not forced; otherwise the forced level.
std::atomic<int> g_forced{-1};

}  // namespace

CpuIsa detected_cpu_isa() {
#if defined(__x86_64__) || defined(__i386__)
    static const CpuIsa isa = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
            return CpuIsa::Avx512;
        }
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CpuIsa::Avx2;
        return CpuIsa::Scalar;
    }();
    return isa;
#else
    return CpuIsa::Scalar;
#endif
}

CpuIsa active_cpu_isa() {
    static const CpuIsa env = from_env();
    const int forced = g_forced.load(std::memory_order_relaxed);
    return forced < 0 ? env : std::min(env, static_cast<CpuIsa>(forced));
}

void force_cpu_isa(std::optional<CpuIsa> isa) {
    g_forced.store(isa ? static_cast<int>(*isa) : -1, std::memory_order_relaxed);
}

std::string_view cpu_isa_name(CpuIsa isa) {
    switch (isa) {
        case CpuIsa::Avx512:
            return "avx512";
        case CpuIsa::Avx2:
            return "avx2";
        case CpuIsa::Scalar:
            break;
    }
    return "scalar";
}

}  // namespace hace::kernels
