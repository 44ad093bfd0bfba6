// What the sweep validator and planner need to know about the rest of the engine, handed in by
// the caller (CLI, GUI, tests) so that this library stays free of torch and of the model code:
// the method table, the task table, a way to describe a model folder and a file-exists check.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

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
    DescribeModel describe_model;
    std::function<bool(const std::filesystem::path&)> path_exists =
        [](const std::filesystem::path& p) {
            std::error_code ec;
            return std::filesystem::exists(p, ec);
        };

    const MethodInfo* method(std::string_view id) const;
    const TaskInfo* task(std::string_view id) const;
    std::string method_ids() const;  // "full, snapkv, ..." for messages
    std::string task_ids() const;
};

}  // namespace hace::runner
