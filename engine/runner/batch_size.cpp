#include "engine/runner/batch_size.h"

#include <algorithm>
#include <stdexcept>

#include "engine/runner/sweep_spec.h"

namespace hace::runner {

std::int64_t largest_peak_at(const std::vector<CellShape>& shapes, std::int32_t b,
                             const CostModel& cost) {
    std::int64_t most = 0;
    for (CellShape s : shapes) {
        s.batch = b;
        most = std::max(most, estimate_cell(s, cost).peak_bytes);
    }
    return most;
}

AutoBatch resolve_auto_batch(const std::vector<CellShape>& shapes, std::int64_t available_bytes,
                             const CostModel& cost) {
    if (shapes.empty()) throw std::logic_error("resolve_auto_batch: no cells");
    AutoBatch a;
    a.available_bytes = available_bytes;
    a.budget_bytes = static_cast<std::int64_t>(double(available_bytes) * (1.0 - kAutoBatchMargin));
    std::int64_t work = 1;
    for (const CellShape& s : shapes) work = std::max(work, s.samples);
    const auto cap = static_cast<std::int32_t>(std::min<std::int64_t>(kMaxBatchSize, work));
    // The peak grows with B: the largest fitting B by bisection over [1, cap].
    std::int32_t lo = 1, hi = cap;
    a.fits = largest_peak_at(shapes, 1, cost) <= a.budget_bytes;
    if (!a.fits) hi = 1;
    while (lo < hi) {
        const std::int32_t mid = lo + (hi - lo + 1) / 2;
        if (largest_peak_at(shapes, mid, cost) <= a.budget_bytes)
            lo = mid;
        else
            hi = mid - 1;
    }
    a.batch = lo;
    a.peak_bytes = largest_peak_at(shapes, lo, cost);
    return a;
}

void estimate_plan_at_batch(SweepPlan& plan, std::int32_t b) {
    plan.batch_size = b;
    for (RunCell& c : plan.cells) {
        if (!c.shape) continue;
        c.shape->batch = b;
        c.estimate = estimate_cell(*c.shape, plan.cost);
    }
}

}  // namespace hace::runner
