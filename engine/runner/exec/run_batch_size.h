// The batch size of one run, fixed once when it is planned: the spec's "batch_size" or what
// `hace run --batch-size` asks instead, with "auto" resolved against the memory the device
// (cuda: free memory reported by the CUDA runtime) or the host (cpu: MemAvailable of
// /proc/meminfo) has at that moment (rule and margin: runner/batch_size.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/runner/sweep_plan.h"
#include "engine/runner/sweep_spec.h"

namespace hace::runner {

struct BatchRequest {
    std::int32_t size = 1;   // used unless automatic
    bool automatic = false;  // "auto"
};

// The spec's request, or the override (a --batch-size) when given.
BatchRequest batch_request(const SweepSpec& spec, const std::optional<BatchRequest>& override);

// MemAvailable of a /proc/meminfo text in bytes; nullopt when absent or unreadable.
std::optional<std::int64_t> meminfo_available_bytes(const std::string& meminfo);

// Bytes available to a run on `device`: "cpu" reads /proc/meminfo; "cuda" / "cuda:N" asks the
// CUDA runtime for device N's free memory (builds with HACE_WITH_CUDA). InputError when it
// cannot be read.
std::int64_t available_memory_bytes(const std::string& device);

using MemoryProbe = std::function<std::int64_t(const std::string& device)>;

// Sets the plan's batch size and re-estimates its cells at it; "auto" reads probe(plan.device)
// once and records what it read (plan.batch_size_auto, plan.auto_available_bytes). A plan
// without estimated cells (only the HIV test) keeps B = 1 under "auto".
void apply_batch_request(SweepPlan& plan, const BatchRequest& request,
                         const MemoryProbe& probe = available_memory_bytes);

}  // namespace hace::runner
