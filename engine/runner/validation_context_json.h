// The data of a ValidationContext as JSON, and back: the method table, the parameter schemas and
// the task table, the facts about the engine that a spec is checked against. A saved context
// lets torch-free code (the sweep fuzzer, tests/fuzz) validate and plan against the real
// engine's tables without linking the engine; a unit test of the engine keeps the saved copy
// equal to engine_validation_context().
//
// The context's functions are not data and are not written: describe_model, path_exists and
// each task's check_options. A context read back has no describe_model (the reader sets one),
// the default path_exists and no check_options (task options unchecked).
//
// {"format": "hace-validation-context/1",
//  "methods": [{"id", "compresses", "needs_head_scores", "default_params"}],
//  "method_params": {"<method id>": [{"key", "type", "min", "max", "default",
//                    "default_meaning", "choices", "help", "mode", "defaulted"}]},
//  "tasks": [{"id", "data_key", "data_file", "max_new_tokens"}]}
// ("min"/"max" null when unbounded.)
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/runner/validation_context.h"

namespace hace::runner {

inline constexpr const char* kValidationContextFormat = "hace-validation-context/1";

nlohmann::json validation_context_json(const ValidationContext& ctx);

// InputError "<source>: <where>: <problem>" on anything but what validation_context_json writes.
ValidationContext validation_context_from_json(const nlohmann::json& j, const std::string& source);

}  // namespace hace::runner
