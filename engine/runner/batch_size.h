// The batch size a sweep runs at (sweep spec "batch_size", `hace run --batch-size`), and
// "auto": the largest B in 1..kMaxBatchSize whose estimated peak memory (cost_model.h at B:
// weights + B caches + one prompt's full K/V of one layer during the cascading prefill +
// activations) fits the memory available when the run starts, keeping kAutoBatchMargin of it
// free for what the estimate does not see (allocator slack, the tokenizer, SQLite, the GUI).
// The peak is taken over every cell of the plan, so the chosen B is safe for the largest one
// (longest context, largest retention or full cache, most new tokens). B is also capped by the
// most samples any cell runs: the executor batches a chunk of B samples of a group, so a larger
// B than the work adds nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/runner/cost_model.h"
#include "engine/runner/sweep_plan.h"

namespace hace::runner {

// Fraction of the available memory "auto" leaves free.
inline constexpr double kAutoBatchMargin = 0.2;

struct AutoBatch {
    std::int32_t batch = 1;
    std::int64_t available_bytes = 0;  // what the device or host reported
    std::int64_t budget_bytes = 0;     // (1 - margin) * available
    std::int64_t peak_bytes = 0;       // the largest cell's estimated peak at `batch`
    bool fits = true;                  // false: not even B = 1 fits the budget (B is then 1)
};

// The largest peak_bytes of estimate_cell over `shapes` at batch size b.
std::int64_t largest_peak_at(const std::vector<CellShape>& shapes, std::int32_t b,
                             const CostModel& cost);

// The rule above over the cells' shapes (their `batch` ignored); shapes must not be empty.
AutoBatch resolve_auto_batch(const std::vector<CellShape>& shapes, std::int64_t available_bytes,
                             const CostModel& cost);

// Sets plan.batch_size and re-estimates every cell that has a shape (RunCell::shape) at b.
void estimate_plan_at_batch(SweepPlan& plan, std::int32_t b);

}  // namespace hace::runner
