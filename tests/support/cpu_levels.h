// The dispatch levels of the hand-written CPU kernels (engine/kernels/cpu_isa.h) that this CPU
// can run, and a scope that forces one, for tests that check every level against a reference.
#pragma once

#include <optional>
#include <vector>

#include "engine/kernels/cpu_isa.h"

namespace hace::test {

inline std::vector<kernels::CpuIsa> cpu_levels() {
    using kernels::CpuIsa;
    std::vector<CpuIsa> v{CpuIsa::Scalar};
    if (kernels::detected_cpu_isa() >= CpuIsa::Avx2) v.push_back(CpuIsa::Avx2);
    if (kernels::detected_cpu_isa() >= CpuIsa::Avx512) v.push_back(CpuIsa::Avx512);
    return v;
}

struct ForceIsa {
    explicit ForceIsa(kernels::CpuIsa isa) { kernels::force_cpu_isa(isa); }
    ~ForceIsa() { kernels::force_cpu_isa(std::nullopt); }
    ForceIsa(const ForceIsa&) = delete;
    ForceIsa& operator=(const ForceIsa&) = delete;
};

}  // namespace hace::test
