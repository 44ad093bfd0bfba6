// From a sweep spec to the cells one `hace run` executes: every check before anything runs (the
// spec's structure, the engine's tables, the data files each task reads, every method's config
// on every model), the plan of sweep_plan.h, the HIV cells folded to one per model, and an
// optional group of cells for a Slurm array task.
//
// The HIV test (task "hiv") measures the model, not a cache method: it has no method, retention
// or context axis. Its cell key is the planner's with context_length, retention, method, mode,
// params and head_scores_sha256 set to null; one cell per model, at the place of the model's
// first HIV cell. The cell stores one sample row of summary metrics.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/eval/hiv/hiv_task.h"
#include "engine/runner/exec/run_batch_size.h"
#include "engine/runner/sweep_plan.h"
#include "engine/runner/sweep_spec.h"
#include "engine/runner/sweep_validate.h"
#include "engine/runner/validation_context.h"

namespace hace::runner {

// Group `index` of `count` (0-based): the contiguous cells [index*C/count, (index+1)*C/count) of
// a plan of C cells, so an array task keeps a model's cells together.
struct CellGroup {
    std::int64_t index = 0;
    std::int64_t count = 1;
    std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};
// "i/N" with 0 <= i < N; InputError otherwise.
CellGroup parse_cell_group(const std::string& text);
// How many groups of at most `cells_per_group` cells cover `cells` cells (at least 1).
std::int64_t group_count(std::int64_t cells, std::int64_t cells_per_group);

// The checks of this library on top of validate(): greedy decoding, each task's data files, the
// compression config of every (model, method) pair. Problems carry the spec path they concern.
std::vector<Problem> engine_checks(const SweepSpec& spec, const ValidationContext& ctx,
                                   const ValidationResult& checked);

// Validates (InputError "<spec>: N problems: ..." listing all of them), plans, folds the HIV
// cells, keeps the group's cells and estimates them at the batch size (run_batch_size.h:
// `batch`, or the spec's; "auto" reads the device's memory here).
SweepPlan plan_sweep(const SweepSpec& spec, const ValidationContext& ctx,
                     std::optional<CellGroup> group = std::nullopt,
                     const std::optional<BatchRequest>& batch = std::nullopt);

// The sweep task is the HIV test.
bool is_hiv_cell(const RunCell& cell);

// needle_task.json of a data.needle_task / data.hiv_needles entry (a file, or a folder holding it).
std::filesystem::path needle_task_file(const std::filesystem::path& data);

// The HIV options of a cell's task entry, data paths from the spec's data map.
eval::HivTaskOptions hiv_task_options(const TaskEntry& task,
                                      const std::map<std::string, std::filesystem::path>& data);

}  // namespace hace::runner
