// What the sweep validator and planner need to know about the rest of the engine, handed in by
// the caller (CLI, GUI, tests) so that this library stays free of torch and of the model code:
// the method table, the task table, a way to describe a model folder and a file-exists check.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/param_rule.h"

namespace hace::runner {

// The shape of a model, as far as validation, cell keys and the cost model need it.
struct ModelInfo {
    std::string name;  // identifies the weights in cell keys (e.g. the folder name)
    std::int64_t max_positions = 0;
    std::int64_t layers = 0;
    std::int64_t q_heads = 0;
    std::int64_t kv_heads = 0;
    std::int64_t head_dim = 0;
    std::int64_t hidden = 0;
    std::int64_t vocab = 0;
    std::int64_t params = 0;  // parameter count; 0: estimated as 12 L D^2 + 2 V D
};

// One hyperparameter of a method, from the engine's parameter schema (engine/kv/method_params.h):
// what the sweep validator checks and the designer's parameter editor shows.
struct ParamInfo {
    std::string key;                   // sweep params key ("pyramid_beta")
    ParamRule rule;                    // type and inclusive range
    nlohmann::json default_value;      // the default written into cell keys
    std::string default_meaning;       // what the default stands for ("the selector's w"), or ""
    std::vector<std::string> choices;  // allowed strings besides the default (empty: any)
    std::string help;                  // one line, English source text (context hace::kv::Params)
    std::string mode;                  // "both", "equal" or "faithful"
    // false: accepted but not part of the defaults (a scorer's parameter under a method whose own
    // scorer does not read it), so adding it to the schema changes no existing cell key.
    bool defaulted = true;
};

struct MethodInfo {
    std::string id;          // "full", "snapkv", "hace", ...
    bool compresses = true;  // false: full cache, one cell per context (no retentions)
    bool needs_head_scores = false;
    // Every hyperparameter with its default value. The spec may set only these keys, with the
    // same JSON type; the merged object goes into the cell key, so a changed default is a new
    // cell.
    nlohmann::json default_params = nlohmann::json::object();
};

struct TaskInfo {
    std::string id;         // "narrativeqa", "niah", ...
    std::string data_key;   // the spec's data.<key> folder it reads ("" = none)
    std::string data_file;  // file inside that folder that must exist ("" = folder only)
    std::int64_t max_new_tokens = 128;  // protocol default, used unless the spec overrides it
    // Optional: problems with the task's "options" object (each one sentence, no path prefix).
    std::function<std::vector<std::string>(const nlohmann::json& options)> check_options;
};

// model folder -> its description, or a one-line reason why it cannot be used.
using DescribeModel =
    std::function<std::variant<ModelInfo, std::string>(const std::filesystem::path& dir)>;

struct ValidationContext {
    std::vector<MethodInfo> methods;
    std::vector<TaskInfo> tasks;
    // Each method's parameter schema (null in a spec: the default). A method without one is
    // checked against its default_params' keys and JSON kinds.
    std::map<std::string, std::vector<ParamInfo>> method_params;
    DescribeModel describe_model;
    std::function<bool(const std::filesystem::path&)> path_exists =
        [](const std::filesystem::path& p) {
            std::error_code ec;
            return std::filesystem::exists(p, ec);
        };

    const MethodInfo* method(std::string_view id) const;
    // nullptr when the method has no schema here.
    const std::vector<ParamInfo>* params_of(std::string_view method) const;
    const TaskInfo* task(std::string_view id) const;
    std::string method_ids() const;  // "full, snapkv, ..." for messages
    std::string task_ids() const;
};

}  // namespace hace::runner
