// Process environment the compute libraries read once, when they are loaded: OpenBLAS picks its
// kernels (OPENBLAS_CORETYPE) and libgomp its waiting policy (OMP_WAIT_POLICY) in their load-time
// constructors, before main() runs. So the front ends call ensure_compute_env() first thing:
// when a setting is missing it sets it and re-executes the program once (/proc/self/exe).
//  - OPENBLAS_CORETYPE: Debian's OpenBLAS 0.3.21 does not recognise some current CPUs and falls
//    back to SSE3 kernels (5x slower sgemm, docs/performance.md). Set only when the detected
//    core is weaker than what the CPU supports: SkylakeX on AVX-512, Haswell on AVX2 + FMA.
//  - OMP_WAIT_POLICY=PASSIVE: idle OpenMP workers sleep instead of spinning (libgomp spins
//    300000 rounds by default), so a run does not collapse when another process holds the
//    cores. Only with more than one thread, and only when neither OMP_WAIT_POLICY nor
//    GOMP_SPINCOUNT is set.
// A value the user set is never overridden. ensure_compute_env also sets glibc's malloc to keep
// freed blocks of up to 32 MiB (keep_freed_memory): a prompt's forward frees and reallocates its
// per-layer activations, which otherwise page-fault anew each layer.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hace {

struct CpuFacts {
    bool avx512 = false;  // F, BW, VL, DQ, CD: what OpenBLAS's SkylakeX kernels use
    bool avx2_fma = false;
    std::string blas_core;  // OpenBLAS's detected core ("Prescott", "Zen", ...); "" = unknown
};

struct EnvSetting {
    std::string name, value;
    bool operator==(const EnvSetting&) const = default;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The settings to add (pure; the policy above).
std::vector<EnvSetting> compute_env_settings(const EnvLookup& env, const CpuFacts& cpu);

// This process's facts: CPU features, and OpenBLAS's core name when OpenBLAS is loaded.
CpuFacts current_cpu_facts();

// Applies compute_env_settings to this process by re-executing it (at most once; the
// HACE_COMPUTE_ENV marker stops a second round). Returns when nothing was needed or the exec
// failed (then the run goes on with the libraries' defaults).
void ensure_compute_env(char** argv);

// The malloc settings above (mallopt), for this process; ensure_compute_env calls it.
void keep_freed_memory();

}  // namespace hace
