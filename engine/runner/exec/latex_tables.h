// LaTeX (booktabs) tables of stored results for the paper (`hace export --format latex`). Every
// value is the mean over a cell's samples of one metric ("score" by default: the task's primary
// metric x 100). Task and method names are escaped for LaTeX.
//
// cells:    one row per cell: model, task, context, method label, R, samples, metric.
// ablation: HACE against its ablations (ALGORITHMS.md section 13.2): rows task x retention
//           (with model and context columns when the database holds more than one), columns
//           Full, HACE, HACE-LayerOnly, HACE-HeadOnly (methods hace, hace-layer, hace-head); the
//           best of the three compressed values of a row in bold; "--" where no cell was run.
// cliff:    per (model, context, task, method): the full-cache value and the performance cliff
//           of metrics::find_cliff over the method's retentions (the lowest retention staying
//           within `tolerance` percent of the full cache from there upwards), the next lower
//           retention, which fails, and the largest drop between neighbouring retentions;
//           "--" where the largest retention already fails or no retention fails.
#pragma once

#include <string>
#include <vector>

#include "engine/runner/exec/result_tables.h"

namespace hace::runner {

struct LatexOptions {
    std::string metric = "score";
    double tolerance = 10.0;  // percent, cliff only
    std::string caption;      // empty: none
};

std::string latex_cells(const std::vector<CellSummary>& cells, const LatexOptions& options = {});
std::string latex_ablation(const std::vector<CellSummary>& cells, const LatexOptions& options = {});
std::string latex_cliff(const std::vector<CellSummary>& cells, const LatexOptions& options = {});

// Escapes \ & % $ # _ { } ~ ^ for LaTeX text.
std::string latex_escape(const std::string& text);

}  // namespace hace::runner
