// The dry-run view of a plan (`hace run --dry-run`): JSON for --json, an aligned table for
// people. Both list every cell with its samples and its time and peak-memory estimate.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/runner/sweep_plan.h"

namespace hace::runner {

// {"name", "device", "batch_size", "batch_size_auto"[, "available_bytes" (auto)], "cells":
// [{"index", "hash", "model", "context_length", "retention",
//  "method", "method_name", "mode", "task", "samples", "max_new_tokens", "config",
//  "estimate": {...}}], "totals": {"cells", "samples", "seconds", "max_peak_bytes"}}
nlohmann::json plan_json(const SweepPlan& plan);

// One line per cell and a total line (after a batch-size line when B > 1 or auto); sizes in
// MiB/GiB, times in s/min/h.
std::string plan_text(const SweepPlan& plan);

std::string human_bytes(std::int64_t bytes);
std::string human_seconds(double seconds);

}  // namespace hace::runner
