// What each figure shows, as plain values: built from a results database (views/data/
// figure_builders.h) or from live run events, drawn by the renderers in this folder. Captions
// carry data (model and task names, numbers), never text to translate; labels are looked up at
// paint time so a language switch redraws them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QString>

#include "engine/eval/stats/cell_statistics.h"

namespace hace::views {

// A layer x head grid of one statistic (kept entries, budget, importance, ...).
struct HeatmapData {
    std::int64_t layers = 0, heads = 0;
    std::vector<double> values;  // [layer * heads + head]; NaN: no value
    std::string stat = "kept";   // head statistic id (Labels::headStat)
    QString caption;             // e.g. "stories260K, HACE, 4096 tokens, 5%"
    double at(std::int64_t layer, std::int64_t head) const {
        return values[static_cast<std::size_t>(layer * heads + head)];
    }
};

struct CurvePoint {
    double retention = 0.0;  // kept fraction, (0, 1]; tokens per head on the budget axis
    double score = 0.0;
    std::int64_t samples = 0;
    // The score's 95% interval (engine/eval/stats) when built from stored samples.
    std::optional<double> ciLow, ciHigh;
    // The samples' values by sample id, for paired tests between methods (ablation table).
    std::vector<stats::Observation> observations;
};

// Where a method's curve leaves the tolerance band below the full-cache score
// (hace::metrics::find_cliff).
enum class CliffKind {
    None,        // no full-cache score to compare with
    Found,       // within at `cliff`, fails at `failingBelow`
    BelowRange,  // within at every measured ratio: the cliff lies below the smallest
    AboveRange,  // fails already at the largest measured ratio
};

struct CurveSeries {
    std::string method, mode;        // engine ids (Labels::method)
    std::vector<CurvePoint> points;  // ascending retention
    CliffKind cliffKind = CliffKind::None;
    double cliff = 0.0;  // Found / BelowRange: the lowest retention within tolerance
    std::optional<double> failingBelow;
};

struct CurveData {
    std::vector<CurveSeries> series;
    std::optional<double> fullScore;  // mean of the full-cache cell
    double tolerancePercent = 10.0;
    std::string metric = "score";
    QString caption;  // model, task, context length
    // The x axis: false the kept fraction (retentions), true the cache size C per head in
    // tokens (budgets); CurvePoint::retention holds the x value either way.
    bool budgetAxis = false;
};

// Needle in a haystack: context length x needle depth, coloured by score.
struct NeedleData {
    std::vector<std::int64_t> lengths;  // ascending (columns)
    std::vector<double> depths;         // percent, ascending (rows, 0 at the top)
    std::vector<double> scores;         // [depth * lengths + length], NaN: not run
    double scoreMax = 100.0;            // the colour scale's top (score is 0..100)
    std::string metric = "score";
    QString caption;  // model, method, retention
    double at(std::size_t depth, std::size_t length) const {
        return scores[depth * lengths.size() + length];
    }
};

// The kept-token view of one sample: the prompt's tokens, each shaded by the fraction of the
// (layer, head) segments in scope that kept it, for one method or two side by side.
struct TokenSide {
    std::string method, mode;  // engine ids (Labels::method)
    QString caption;           // cell description
    // Kept positions per segment [layer * heads + head], ascending.
    std::int64_t layers = 0, heads = 0;
    std::vector<std::vector<std::int64_t>> segments;
    std::vector<double> fraction;  // per token, over the segments in scope; 1 past queryStart
};

struct TokenViewData {
    std::vector<QString> tokens;             // display text of each prompt token
    std::optional<std::int64_t> queryStart;  // query-agnostic: the appended question starts here
    std::optional<std::pair<std::int64_t, std::int64_t>> needle;  // [begin, end) token span
    std::optional<std::int64_t> layer, head;                      // scope: every segment unless set
    std::vector<TokenSide> sides;                                 // one or two methods
    QString caption;                                              // model, task, sample
    // A token counts as kept by a method when at least this fraction of its segments kept it
    // (binary for one layer and head).
    static constexpr double kKeptFraction = 0.5;
    bool keptBy(std::size_t side, std::size_t token) const {
        return sides[side].fraction[token] >= kKeptFraction;
    }
};

// HIV results: the layer x head grids of the head-importance scores (mean over accepted
// trials) and of their variance across trials.
struct HivData {
    HeatmapData importance;  // stat "importance"
    HeatmapData variance;    // stat "variance"
    QString caption;         // model, trials, acceptance
};

}  // namespace hace::views
