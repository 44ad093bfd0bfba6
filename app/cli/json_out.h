// Output and option helpers shared by the subcommands.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "engine/model/model.h"

namespace hace::cli {

void print_json(const nlohmann::json& j);

// Flags every model-running command accepts: --device, --dtype, --threads.
std::vector<FlagSpec> run_flags();
// Applies --threads and returns LoadOptions from --device/--dtype (InputError on bad values).
model::LoadOptions load_options(const Args& args);

}  // namespace hace::cli
