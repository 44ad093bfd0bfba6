// The ValidationContext of the real engine (validation_context.h): the method table
// (kv::method_rows), the task table (eval::task_table) with each task's options, and model
// folders described from their config.json alone (no weights read), as `hace info` does.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

#include "engine/model/model_config.h"
#include "engine/runner/validation_context.h"

namespace hace::runner {

ValidationContext engine_validation_context();

// ModelInfo of a model folder (name: the folder's name), or the one-line reason it is unusable.
std::variant<ModelInfo, std::string> describe_model_dir(const std::filesystem::path& dir);
ModelInfo model_info_of(const model::ModelConfig& cfg, const std::string& name);

// The name a model folder has in cell keys and file names: its last path component.
std::string model_name_of(const std::filesystem::path& dir);

}  // namespace hace::runner
