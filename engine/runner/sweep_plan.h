// Expansion of a validated sweep into cells (DESIGN.md section 3: RunCell): model x context x
// method x retention x task, in that nesting and in the spec's order, so the plan is the same
// on every run. A method that does not compress (full cache) gets one cell per context, not one
// per retention. Each cell carries its key: the SHA-256 of the canonical JSON of everything that
// changes its results (canonical_json.h), and nothing that does not (folders, device, labels,
// sample count), so moving a model folder, running on another machine or asking for more
// samples reuses the stored results.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runner/cost_model.h"
#include "engine/runner/sweep_spec.h"
#include "engine/runner/validation_context.h"

namespace hace::runner {

// Cell key content, "format": "hace-cell/1":
//   {format, model{name, max_positions, layers, q_heads, kv_heads, head_dim, hidden, vocab,
//    params}, context_length, retention (null: full), method, mode (null: full), params (every
//    hyperparameter: defaults merged with the spec), head_scores_sha256 (file content; null
//    unless the method reads head scores), task{id, options}, max_new_tokens, decoding{greedy,
//    seed[, temperature, top_p, top_k]}, dtype[, capacity][, query]}
// A cell of a token budget has retention null and "capacity": C; a query-agnostic task's
// cells (full cache included: its prompts are split the same way) carry "query": "agnostic".
// Both keys are absent otherwise, so the keys of query-aware ratio cells did not change.
inline constexpr const char* kCellFormat = "hace-cell/1";

struct RunCell {
    std::string hash;             // config_hash(config)
    nlohmann::json config;        // the key's content (above)
    std::size_t model_index = 0;  // into SweepSpec::models
    std::filesystem::path model_dir;
    ModelInfo model;
    std::optional<std::filesystem::path> head_scores;  // set when the method reads them
    std::int64_t context_length = 0;
    std::optional<double> retention;       // nullopt: full cache or a token budget
    std::optional<std::int64_t> capacity;  // token budget C per head (sweep "budgets")
    std::string query = "aware";           // "aware" | "agnostic" (the task entry's protocol)
    std::string method;                    // id
    std::string method_name;               // label
    std::string mode;                      // "" for a full-cache method
    nlohmann::json method_params;
    TaskEntry task;
    std::optional<std::filesystem::path> data_dir;  // the task's data folder, if any
    std::int64_t samples = 0;                       // sample indices 0 .. samples-1
    std::int64_t max_new_tokens = 0;
    CellEstimate estimate;
    // What the estimate was computed from (batch_size.h re-estimates at the run's B); none for
    // a cell whose estimate is not the cost model's (the folded HIV cell).
    std::optional<CellShape> shape;
};

struct SweepPlan {
    std::string name;
    std::string device;
    std::vector<RunCell> cells;
    CostModel cost;                         // the estimates' throughputs
    std::int32_t batch_size = 1;            // the estimates' B (batch_size.h)
    bool batch_size_auto = false;           // B was resolved from "auto"
    std::int64_t auto_available_bytes = 0;  // the memory "auto" read (0 unless auto)

    std::int64_t total_samples() const;
    double total_seconds() const;
    std::int64_t max_peak_bytes() const;
};

// Validates first (InputError listing every problem), then expands. cost: the throughputs of
// the estimate; default_cost_model(spec.device) when absent. Reads each head-score file once
// for its content hash (InputError when unreadable).
SweepPlan make_plan(const SweepSpec& spec, const ValidationContext& ctx,
                    std::optional<CostModel> cost = std::nullopt);

}  // namespace hace::runner
