// From stored results to figure data: which cells a figure shows (FigureSelection, unset
// fields chosen deterministically from what the file holds) and how they are aggregated (mean
// over samples; cliffs through hace::metrics::find_cliff). Shared by the GUI and `hace plot`.
// Throws InputError naming the database when nothing matches.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "views/data/results_query.h"
#include "views/plot/figure.h"
#include "views/plot/figure_data.h"

namespace hace::views {

struct FigureSelection {
    std::optional<std::string> model, task, method, mode, cell;
    std::optional<std::int64_t> contextLength;
    std::optional<double> retention;
    std::optional<std::int64_t> capacity;     // token budget C per head (budget cells)
    std::optional<std::string> query;         // "aware" | "agnostic"
    std::optional<std::string> sample;        // tokens: sample index or dataset id
    std::optional<std::string> methodB;       // tokens: the second method
    std::optional<std::int64_t> layer, head;  // tokens: scope (every segment by default)
    bool budgetAxis = false;                  // curves over budgets instead of retentions
    std::string metric = "score";
    std::string stat = "kept";  // heatmap head statistic
    double tolerancePercent = 10.0;
};

// Curves of every method over retention for one model, task and context length (the first in
// the file's order unless selected), with the full-cache score and the cliffs.
CurveData buildCurves(const std::vector<CellSummary>& cells, const FigureSelection& sel,
                      const std::string& source);
// The layer x head grid of one cell (selected by hash, or the first compressing cell matching
// the selection that has head statistics), averaged over its samples.
HeatmapData buildHeatmap(const ResultsDb& db, const std::vector<CellSummary>& cells,
                         const FigureSelection& sel);
// Context length x depth for one model, method and retention of a needle task (unless
// selected: "niah" when the file has it, else "needle"): the depth of a sample is read from its
// extra JSON ("depth" or "meta.depth", in percent) or from an id of the form "L<length>/d<depth>".
NeedleData buildNeedle(const ResultsDb& db, const std::vector<CellSummary>& cells,
                       const FigureSelection& sel);

// The kept-token view of one sample (FigureSelection::sample, default the first with kept
// positions) for method A (sel.cell, else sel.method, default the first compressing cell with
// kept positions)
// and optionally method B (sel.methodB) at the same model, task, context, budget and protocol.
// Fractions count the segments in scope (sel.layer / sel.head); the needle span comes from the
// sample's meta ("needle_span"). InputError when nothing is stored (a sweep without store_kept).
TokenViewData buildTokens(const ResultsDb& db, const std::vector<CellSummary>& cells,
                          const FigureSelection& sel);
// The HIV cell of a model (sel.model, default the first): importance and its variance across
// trials per head (older files without "importance_variance": (cv x importance)^2).
HivData buildHiv(const ResultsDb& db, const std::vector<CellSummary>& cells,
                 const FigureSelection& sel);
// The fraction of the segments in scope that kept each of `tokens` positions (1 from
// queryStart on: appended, never evicted at prefill).
std::vector<double> keptFractions(const runner::KeptPositions& kept, std::int64_t tokens,
                                  std::optional<std::int64_t> queryStart,
                                  std::optional<std::int64_t> layer,
                                  std::optional<std::int64_t> head);

// The figure of `kind` for the selection (the cliff figure uses the curve data).
std::unique_ptr<Figure> buildFigure(const ResultsDb& db, FigureKind kind,
                                    const FigureSelection& sel);

// A one-line description of a cell for captions and lists: model, method, context, retention.
std::string describeCell(const CellSummary& cell);
std::optional<double> sampleDepthPercent(const SampleSummary& sample);

}  // namespace hace::views
