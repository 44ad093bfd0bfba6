// The part of a run manifest this library can know without torch or a device: engine version
// and git hash, library versions, compiler, OS, CPU and host. The executor adds the rest (torch
// version, GPU, dtype, seeds, chat template, hyperparameters) before ResultStore::start_run.
#pragma once

#include <nlohmann/json.hpp>

namespace hace::runner {

// Keys: engine_version, engine_git_hash ("unknown" outside a git checkout; taken when CMake
// configured the build), sqlite_version, nlohmann_json_version, compiler, os, cpu,
// cpu_threads, hostname.
nlohmann::json base_manifest();

}  // namespace hace::runner
