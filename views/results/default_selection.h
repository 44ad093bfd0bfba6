// What the curve-like results tabs (curves, cliff bars, ablation table) open on: a model, task
// and context length that has something to draw, instead of the first of each in alphabetical
// order (which on the quickstart database is the HIV test: no retention ratio, nothing to draw).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "views/data/results_query.h"

namespace hace::views {

struct CurveSelection {
    std::string model, task;
    std::int64_t contextLength = 0;
};

// The (model, task, context) with the most compressing cells (a retention ratio) that hold
// samples; ties go to the one met first in `cells` (the results source sorts them by model, task,
// context). Nullopt when no compressing cell has samples yet.
std::optional<CurveSelection> richestCurveSelection(const std::vector<CellSummary>& cells);

}  // namespace hace::views
