// What each figure shows, as plain values: built from a results database (views/data/
// figure_builders.h) or from live run events, drawn by the renderers in this folder. Captions
// carry data (model and task names, numbers), never text to translate; labels are looked up at
// paint time so a language switch redraws them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
    double retention = 0.0;  // kept fraction, (0, 1]
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

}  // namespace hace::views
