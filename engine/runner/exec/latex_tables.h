// LaTeX (booktabs) tables of stored results for the paper (`hace export --format latex`). Every
// value is the mean over a cell's samples of one metric ("score" by default: the task's primary
// metric x 100) with its 95% interval (CellSummary::intervals, engine/eval/stats) printed as
// "mean $\pm$ half-width" (half the interval's width), "mean [low, high]" or not at all
// (LatexOptions::ci). Task and method names are escaped for LaTeX. A query-agnostic cell's task
// reads "task (query-agnostic)" and never shares a row or curve with the query-aware one; a cell
// of the sweep's "budgets" axis shows "$C$=128" where a ratio cell shows its retention (and the
// column is headed "$R$ / $C$").
//
// cells:    one row per cell: model, task, context, method label, R, samples, metric.
// ablation: HACE against its ablations (ALGORITHMS.md section 13.2): rows task x retention
//           (with model and context columns when the database holds more than one), columns
//           Full, HACE, HACE-LayerOnly, HACE-HeadOnly (methods hace, hace-layer, hace-head) and
//           $n$, the samples of each cell ("5" when all agree, else "5/5/4" in column order); the
//           best of the three compressed values of a row in bold only when it beats each of the
//           others significantly (stats::significant_wins: paired sign-flip test on the common
//           samples, Holm over all comparisons of the table, level `alpha`); "--" where no cell
//           was run.
// cliff:    per (model, context, task, method): the full-cache value and the performance cliff
//           of metrics::find_cliff over the method's retentions (the lowest retention staying
//           within `tolerance` percent of the full cache from there upwards), the next lower
//           retention, which fails, and the largest drop between neighbouring retentions;
//           "--" where the largest retention already fails or no retention fails.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/runner/exec/result_tables.h"

namespace hace::runner {

enum class CiStyle { PlusMinus, Interval, None };

struct LatexOptions {
    std::string metric = "score";
    double tolerance = 10.0;  // percent, cliff only
    std::string caption;      // empty: none
    CiStyle ci = CiStyle::PlusMinus;
    double alpha = 0.05;  // ablation: level of a significant win (Holm-adjusted)
    std::uint64_t seed = stats::kDefaultSeed;
};

std::string latex_cells(const std::vector<CellSummary>& cells, const LatexOptions& options = {});
std::string latex_ablation(const std::vector<CellSummary>& cells, const LatexOptions& options = {});
std::string latex_cliff(const std::vector<CellSummary>& cells, const LatexOptions& options = {});

// Escapes \ & % $ # _ { } ~ ^ for LaTeX text.
std::string latex_escape(const std::string& text);

}  // namespace hace::runner
