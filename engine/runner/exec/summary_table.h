// `hace export --format summary`: the stored results as a plain-text table a person reads at a
// glance (the quickstart ends with it). One block per (model, context length); a row per method
// (its label, its mode when faithful) and retention; a column per task; each entry the mean of a
// metric over the cell's stored samples with the sample count in brackets, "failed" for a failed
// cell and "-" for one with no sample holding the metric. Rows and columns keep the plan order.
#pragma once

#include <string>
#include <vector>

#include "engine/runner/exec/result_tables.h"

namespace hace::runner {

// `source` (the database's name) heads the text; `metric` is a metric name ("score": the task's
// primary metric on a 0-100 scale). Lines end with "\n".
std::string summary_text(const std::vector<CellSummary>& cells, const std::string& metric,
                         const std::string& source);

}  // namespace hace::runner
