// Tests for the compute-environment policy (engine/core/compute_env.h): which OPENBLAS_CORETYPE
// and OpenMP waiting settings a process gets for given CPU facts and environment, and that a
// user's own setting is never overridden.
#include <gtest/gtest.h>

#include <map>

#include "engine/core/compute_env.h"

namespace hace {
namespace {

std::vector<EnvSetting> settings(std::map<std::string, std::string> env, CpuFacts cpu) {
    return compute_env_settings(
        [&](const std::string& n) -> std::optional<std::string> {
            auto it = env.find(n);
            return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
        },
        cpu);
}

const EnvSetting kPassive{"OMP_WAIT_POLICY", "PASSIVE"};

TEST(ComputeEnv, MisdetectedAvx512CpuGetsSkylakeXKernels) {
    EXPECT_EQ(settings({}, {true, true, "Prescott"}),
              (std::vector<EnvSetting>{{"OPENBLAS_CORETYPE", "SkylakeX"}, kPassive}));
}

TEST(ComputeEnv, MisdetectedAvx2CpuGetsHaswellKernels) {
    EXPECT_EQ(settings({{"OMP_NUM_THREADS", "1"}}, {false, true, "Nehalem"}),
              (std::vector<EnvSetting>{{"OPENBLAS_CORETYPE", "Haswell"}}));
}

TEST(ComputeEnv, CorrectDetectionIsLeftAlone) {
    EXPECT_EQ(settings({{"OMP_NUM_THREADS", "1"}}, {false, true, "Zen"}),
              std::vector<EnvSetting>{});
    EXPECT_EQ(settings({{"OMP_NUM_THREADS", "1"}}, {true, true, "SkylakeX"}),
              std::vector<EnvSetting>{});
    EXPECT_EQ(settings({{"OMP_NUM_THREADS", "1"}}, {false, false, "Prescott"}),
              std::vector<EnvSetting>{});  // an old CPU: SSE3 kernels are right
    // An AVX-512 CPU that OpenBLAS calls Zen (Zen 4) still gets the AVX-512 kernels.
    EXPECT_EQ(settings({{"OMP_NUM_THREADS", "1"}}, {true, true, "Zen"}),
              (std::vector<EnvSetting>{{"OPENBLAS_CORETYPE", "SkylakeX"}}));
}

TEST(ComputeEnv, UserSettingsWin) {
    EXPECT_EQ(settings({{"OPENBLAS_CORETYPE", "Haswell"}, {"OMP_WAIT_POLICY", "ACTIVE"}},
                       {true, true, "Prescott"}),
              std::vector<EnvSetting>{});
    EXPECT_EQ(settings({{"GOMP_SPINCOUNT", "10000"}}, {false, true, "Zen"}),
              std::vector<EnvSetting>{});
    EXPECT_EQ(settings({{"OMP_NUM_THREADS", "2"}}, {false, true, "Zen"}),
              std::vector<EnvSetting>{kPassive});
}

TEST(ComputeEnv, UnknownBlasCoreIsNotTouched) {
    EXPECT_EQ(settings({{"OMP_NUM_THREADS", "1"}}, {true, true, ""}), std::vector<EnvSetting>{});
}

}  // namespace
}  // namespace hace
