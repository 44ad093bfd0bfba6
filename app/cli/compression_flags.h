// Flags that choose and configure a KV-cache method (generate, compress, bench).
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "engine/kv/methods.h"
#include "engine/model/compression_report.h"

namespace hace::cli {

std::vector<FlagSpec> compression_flags();
// Reads the flags into a config and validates it against the model (InputError on bad input).
kv::CompressionConfig compression_config(const Args& args, const model::ModelConfig& model);
// The DESIGN.md section 10 dump of a compression report.
nlohmann::json report_json(const model::CompressionReport& r, const kv::CompressionConfig& cfg,
                           const model::ModelConfig& model, const std::string& model_dir);

}  // namespace hace::cli
