// A model folder as the sweep validator and planner see it (runner::ModelInfo): described from
// its config.json alone (no weights read), as `hace info` does. Needs only the config parsers of
// engine/model, not the forwards, so the sweep fuzzer (tests/fuzz) compiles it without LibTorch.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

#include "engine/model/model_config.h"
#include "engine/runner/validation_context.h"

namespace hace::runner {

// ModelInfo of a model folder (name: the folder's name), or the one-line reason it is unusable.
std::variant<ModelInfo, std::string> describe_model_dir(const std::filesystem::path& dir);
ModelInfo model_info_of(const model::ModelConfig& cfg, const std::string& name);

// The name a model folder has in cell keys and file names: its last path component.
std::string model_name_of(const std::filesystem::path& dir);

}  // namespace hace::runner
