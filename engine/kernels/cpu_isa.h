// Runtime CPU-feature dispatch for the hand-written CPU kernels. The build targets the x86-64
// baseline; a kernel's AVX2/AVX-512 variants are compiled with function-level target attributes
// and chosen here at run time, so one binary serves an AVX2-only workstation and an AVX-512
// server. HACE_CPU_ISA=scalar|avx2|avx512 (or force_cpu_isa, for tests) caps the choice at a
// lower level; it never selects instructions the CPU lacks.
#pragma once

#include <optional>
#include <string_view>

namespace hace::kernels {

enum class CpuIsa { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// What this CPU supports (AVX2 = AVX2 + FMA; AVX512 = F + BW + VL + DQ).
CpuIsa detected_cpu_isa();
// The level the kernels use: detected, capped by HACE_CPU_ISA and force_cpu_isa.
CpuIsa active_cpu_isa();
// Caps the level for this process (nullopt: back to HACE_CPU_ISA / detected). For tests.
void force_cpu_isa(std::optional<CpuIsa> isa);
std::string_view cpu_isa_name(CpuIsa isa);

}  // namespace hace::kernels
