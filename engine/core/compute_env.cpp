#include "engine/core/compute_env.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

namespace hace {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool one_of(const std::string& s, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return s == n; });
}

}  // namespace

std::vector<EnvSetting> compute_env_settings(const EnvLookup& env, const CpuFacts& cpu) {
    std::vector<EnvSetting> out;
    if (!env("OPENBLAS_CORETYPE") && !cpu.blas_core.empty()) {
        const std::string core = lower(cpu.blas_core);
        const bool avx512_core = one_of(core, {"skylakex", "cooperlake", "sapphirerapids"});
        const bool avx2_core = avx512_core || one_of(core, {"haswell", "zen", "excavator"});
        if (cpu.avx512 && !avx512_core) {
            out.push_back({"OPENBLAS_CORETYPE", "SkylakeX"});
        } else if (cpu.avx2_fma && !avx2_core) {
            out.push_back({"OPENBLAS_CORETYPE", "Haswell"});
        }
    }
    const auto threads = env("OMP_NUM_THREADS");
    const bool one_thread = threads && std::atoi(threads->c_str()) == 1;
    if (!one_thread && !env("OMP_WAIT_POLICY") && !env("GOMP_SPINCOUNT")) {
        out.push_back({"OMP_WAIT_POLICY", "PASSIVE"});
    }
    return out;
}

CpuFacts current_cpu_facts() {
    CpuFacts f;
#if defined(__x86_64__)
    __builtin_cpu_init();
    f.avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512cd");
    f.avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    // Looked up, not linked: the engine reaches OpenBLAS only through LibTorch's libblas.so.3.
    using CoreName = char* (*)();
    if (auto fn = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"))) {
        if (const char* name = fn()) f.blas_core = name;
    }
    return f;
}

void keep_freed_memory() {
    // A prompt's forward allocates and frees tens of MB per layer (a 1024-token MLP activation
    // of a small model is 16 MB). With glibc's defaults those blocks go back to the kernel
    // (mmap, or trimming the heap top) and every layer page-faults and zeroes them anew: 13 %
    // of a 1024-token prefill of llama-134m's shape (docs/performance.md). Blocks up to 32 MiB
    // (glibc's largest mmap threshold) now stay on the heap, and up to 128 MiB of freed heap top
    // is kept, which bounds what a sample's peak RSS can inherit from the one before.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

void ensure_compute_env(char** argv) {
    keep_freed_memory();
    if (std::getenv("HACE_COMPUTE_ENV")) return;
    const auto settings = compute_env_settings(
        [](const std::string& name) -> std::optional<std::string> {
            const char* v = std::getenv(name.c_str());
            return v ? std::optional<std::string>(v) : std::nullopt;
        },
        current_cpu_facts());
    if (settings.empty()) return;
    for (const auto& s : settings) setenv(s.name.c_str(), s.value.c_str(), 0);
    setenv("HACE_COMPUTE_ENV", "1", 1);
    execv("/proc/self/exe", argv);
    // exec failed (no /proc): go on with the libraries' own defaults.
}

}  // namespace hace
