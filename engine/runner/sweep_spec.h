// The sweep spec (DESIGN.md section 6): models x context lengths x retentions x methods x tasks
// x samples, as JSON. Parsing never stops at the first problem: every structural problem (type,
// range, spelling, duplicate, unknown key) is collected with the JSON path it concerns; the
// checks that need the engine (known methods and tasks, model shapes, files) are in
// sweep_validate.h.
//
// Format (only "models", "context_lengths", "methods" and "tasks" are required):
// { "name": "...", "description": "...",
//   "models": ["DIR", {"dir": "DIR", "head_scores": "FILE"}, ...],
//   "context_lengths": [4096, ...],
//   "retentions": [0.01, 0.05, ...],            // each in (0, 1]; unused by "full"
//   "budgets": [64, 128, 256, ...],             // cache size C per head (positive integers);
//                                               // beside or instead of "retentions"
//   "methods": ["hace", {"id": "hace", "name": "hace-b105", "mode": "faithful",
//                         "params": {"beta": 1.05}}, ...],
//   "tasks": ["narrativeqa", {"id": "niah", "samples": 20, "max_new_tokens": 32,
//                             "query": "agnostic", "options": {...}}, ...],
//   "query": "aware" | "agnostic",                // a task entry's "query" wins
//   "store_kept": false,                          // store kept positions per sample
//   "batch_size": 1,                              // samples decoded together (1..256 or
//                                                 // "auto": batch_size.h)
//   "samples_per_task": 100,
//   "data": {"longbench": "DIR", "haystack": "DIR"},
//   "decoding": {"greedy": true, "seed": 42, "max_new_tokens": 64,
//                "temperature": 1.0, "top_p": 1.0, "top_k": 0},
//   "device": "cpu" | "cuda" | "cuda:N", "dtype": "f32" | "f16" | "bf16",
//   "mode": "equal" | "faithful",
//   "method_params": {"hace": {"beta": 1.01}},   // per method id; an entry's "params" win
//   "head_scores": {"DIR or folder name of a model": "FILE"} }
// Defaults: samples_per_task 100, greedy decoding with seed 42, device cpu, dtype f32, mode
// equal, query aware, store_kept false, batch_size 1; name: the spec file's stem.
// batch_size B > 1 runs up to B samples of a group's cells through one batched decode step
// (eval::evaluate_samples_batched): the same output ids and metrics as B = 1, so B is not part
// of a cell's key; stored timings are then each sample's share ("batched": B in its row).
// query "agnostic" compresses the context part of each prompt before the question is seen and
// appends the question and the chat suffix uncompressed (eval::EvalSample::query_start).
// Relative paths are resolved against the spec file's folder. max_new_tokens: a task entry's
// value wins over decoding.max_new_tokens, which wins over the task's protocol default.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hace::runner {

// One problem of a spec: the JSON path it concerns ("methods[3]", "data.longbench") and what
// is wrong, e.g. {"methods[3]", "unknown method \"snapkvv\" (known: full, snapkv)"}.
struct Problem {
    std::string path;
    std::string message;
    std::string text() const { return path + ": " + message; }
};

struct ModelEntry {
    std::string where;                                 // "models[2]": its place in the spec
    std::string dir;                                   // as written
    std::filesystem::path path;                        // resolved
    std::optional<std::filesystem::path> head_scores;  // resolved, from the entry or the map
    std::string head_scores_key;                       // JSON path it came from, for messages
};

struct MethodEntry {
    std::string where;  // "methods[1]"
    std::string id;
    std::string name;                                  // label in tables; defaults to id
    std::optional<std::string> mode;                   // overrides the sweep's mode
    nlohmann::json params = nlohmann::json::object();  // this entry's own params
};

struct TaskEntry {
    std::string where;  // "tasks[0]"
    std::string id;
    nlohmann::json options = nlohmann::json::object();
    std::optional<std::int64_t> samples;         // overrides samples_per_task
    std::optional<std::int64_t> max_new_tokens;  // overrides decoding / protocol default
    std::optional<std::string> query;            // "aware" | "agnostic"; overrides the sweep's
};

struct Decoding {
    bool greedy = true;
    std::int64_t seed = 42;
    std::optional<std::int64_t> max_new_tokens;
    double temperature = 1.0;  // sampling only (greedy false)
    double top_p = 1.0;
    std::int64_t top_k = 0;
    nlohmann::json identity() const;  // the part that changes results
};

struct SweepSpec {
    std::string source = "<sweep>";  // file name used in messages
    nlohmann::json json;             // the spec as given
    std::string name;
    std::string description;
    std::vector<ModelEntry> models;
    std::vector<std::int64_t> context_lengths;
    std::vector<double> retentions;
    std::vector<std::int64_t> budgets;  // cache size C per head
    std::vector<MethodEntry> methods;
    std::vector<TaskEntry> tasks;
    std::int64_t samples_per_task = 100;
    std::map<std::string, std::filesystem::path> data;  // resolved folders
    Decoding decoding;
    std::string device = "cpu";
    std::string dtype = "f32";
    std::string mode = "equal";
    std::string query = "aware";
    bool store_kept = false;
    std::int32_t batch_size = 1;                          // see the format above
    bool batch_size_auto = false;                         // "auto": resolved when planned
    std::map<std::string, nlohmann::json> method_params;  // method id -> params object
    std::vector<Problem> problems;                        // structural problems, field by field

    // Effective settings of a method entry / task entry.
    std::string mode_of(const MethodEntry& m) const { return m.mode.value_or(mode); }
    std::string query_of(const TaskEntry& t) const { return t.query.value_or(query); }
    std::int64_t samples_of(const TaskEntry& t) const {
        return t.samples.value_or(samples_per_task);
    }
};

inline constexpr std::int64_t kMaxBatchSize = 256;

// Parses what it can and records every structural problem in spec.problems.
SweepSpec parse_sweep_spec(const nlohmann::json& j, const std::filesystem::path& base_dir,
                           std::string source = "<sweep>");
// Reads the file (InputError naming it when missing or not JSON) and parses it, relative paths
// against its folder.
SweepSpec load_sweep_spec(const std::filesystem::path& file);

}  // namespace hace::runner
