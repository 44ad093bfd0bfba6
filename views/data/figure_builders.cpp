#include "views/data/figure_builders.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "engine/core/error.h"
#include "engine/eval/metrics/performance_cliff.h"

namespace hace::views {
namespace {

using nlohmann::json;

bool matches(const CellSummary& c, const FigureSelection& s) {
    if (s.model && c.model != *s.model) return false;
    if (s.task && c.task != *s.task) return false;
    if (s.contextLength && c.contextLength != *s.contextLength) return false;
    return true;
}

bool sameRetention(const std::optional<double>& a, double b) {
    return a && std::abs(*a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

std::string percentText(double fraction) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g%%", fraction * 100.0);
    return buf;
}

[[noreturn]] void nothing(const std::string& source, const std::string& what) {
    throw InputError(source + ": " + what);
}

// The selection with unset model/task/context filled from the first matching cell of `pool`.
FigureSelection resolve(const std::vector<CellSummary>& cells, FigureSelection sel,
                        const std::function<bool(const CellSummary&)>& pool) {
    for (const auto& c : cells) {
        if (!pool(c) || !matches(c, sel)) continue;
        if (!sel.model) sel.model = c.model;
        if (!sel.task) sel.task = c.task;
        if (!sel.contextLength) sel.contextLength = c.contextLength;
        break;
    }
    return sel;
}

}  // namespace

std::string describeCell(const CellSummary& c) {
    std::string out = c.model + ", " + c.method;
    if (c.mode == "faithful") out += " (faithful)";
    out += ", " + c.task + ", " + std::to_string(c.contextLength) + " tokens";
    if (c.retention)
        out += ", " + percentText(*c.retention);
    else if (c.capacity)
        out += ", C=" + std::to_string(*c.capacity);
    else
        out += ", full cache";
    if (c.query == "agnostic") out += ", query-agnostic";
    return out;
}

CurveData buildCurves(const std::vector<CellSummary>& cells, const FigureSelection& selIn,
                      const std::string& source) {
    const auto hasMetric = [&](const CellSummary& c) {
        return c.samplesDone > 0 && c.metric(selIn.metric).has_value();
    };
    // The x value of a cell on the chosen axis: its retention, or its budget C per head.
    const auto xOf = [&](const CellSummary& c) -> std::optional<double> {
        if (selIn.budgetAxis) {
            return c.capacity ? std::optional<double>(double(*c.capacity)) : std::nullopt;
        }
        return c.retention;
    };
    const auto sameQuery = [&](const CellSummary& c) {
        return !selIn.query || c.query == *selIn.query;
    };
    const FigureSelection sel = resolve(cells, selIn, [&](const CellSummary& c) {
        return hasMetric(c) && xOf(c).has_value() && sameQuery(c);
    });
    if (!sel.model || !sel.task || !sel.contextLength) {
        nothing(source, "no cell with metric \"" + sel.metric + "\" and " +
                            (sel.budgetAxis ? "a token budget" : "a retention ratio") +
                            " matches the selection");
    }

    CurveData data;
    data.metric = sel.metric;
    data.tolerancePercent = sel.tolerancePercent;
    data.budgetAxis = sel.budgetAxis;
    // The protocol of the first cell shown (selected, or query-aware unless only agnostic).
    std::string query = sel.query.value_or("aware");
    if (!sel.query) {
        bool aware = false;
        for (const auto& c : cells) aware |= matches(c, sel) && hasMetric(c) && c.query == "aware";
        if (!aware) query = "agnostic";
    }
    data.caption = q(*sel.model + ", " + *sel.task + ", " + std::to_string(*sel.contextLength) +
                     " tokens" + (query == "agnostic" ? ", query-agnostic" : ""));
    // Series keyed by (method, mode) in first-seen order; several parameter sets of one method
    // are averaged per retention (the designer's labels are not part of the results).
    std::vector<std::pair<std::string, std::string>> order;
    struct Acc {
        double sum = 0.0;
        std::int64_t n = 0;
        stats::CellObservations observations;  // every merged cell's samples
    };
    std::map<std::pair<std::string, std::string>, std::map<double, Acc>> acc;
    double fullSum = 0.0;
    std::int64_t fullN = 0;
    for (const auto& c : cells) {
        if (!hasMetric(c) || !matches(c, sel) || c.query != query) continue;
        if (sel.method && c.method != *sel.method) continue;
        const double v = *c.metric(sel.metric);
        if (!c.retention && !c.capacity) {
            fullSum += v * static_cast<double>(c.samplesDone);
            fullN += c.samplesDone;
            continue;
        }
        const auto x = xOf(c);
        if (!x) continue;  // a cell of the other axis
        const auto key = std::make_pair(c.method, c.mode);
        if (!acc.count(key)) order.push_back(key);
        auto& slot = acc[key][*x];
        slot.sum += v * static_cast<double>(c.samplesDone);
        slot.n += c.samplesDone;
        for (const auto& [name, obs] : c.observations) {
            auto& into = slot.observations[name];
            into.insert(into.end(), obs.begin(), obs.end());
        }
    }
    if (fullN > 0) data.fullScore = fullSum / static_cast<double>(fullN);
    for (const auto& key : order) {
        CurveSeries series;
        series.method = key.first;
        series.mode = key.second;
        for (auto& [r, a] : acc[key]) {
            CurvePoint point{r, a.sum / static_cast<double>(a.n), a.n, {}, {}, {}};
            // The interval comes from the engine's statistics over the merged samples.
            if (const auto ci = stats::metric_interval(sel.metric, a.observations)) {
                point.ciLow = ci->ci.low;
                point.ciHigh = ci->ci.high;
            }
            const auto obs = a.observations.find(sel.metric);
            if (obs != a.observations.end()) point.observations = std::move(obs->second);
            series.points.push_back(std::move(point));
        }
        if (data.fullScore) {
            std::vector<metrics::RetentionPoint> pts;
            for (const auto& p : series.points) pts.push_back({p.retention, p.score});
            const auto cliff = metrics::find_cliff(pts, *data.fullScore, data.tolerancePercent);
            if (!cliff) {
                series.cliffKind = CliffKind::AboveRange;
            } else {
                series.cliff = cliff->retention;
                series.failingBelow = cliff->failing_below;
                series.cliffKind = cliff->failing_below ? CliffKind::Found : CliffKind::BelowRange;
            }
        }
        data.series.push_back(std::move(series));
    }
    return data;
}

HeatmapData buildHeatmap(const ResultsDb& db, const std::vector<CellSummary>& cells,
                         const FigureSelection& sel) {
    const std::string source = db.path().string();
    for (const auto& c : cells) {
        if (sel.cell) {
            if (c.hash.rfind(*sel.cell, 0) != 0) continue;  // a hash prefix selects
        } else {
            if (!matches(c, sel) || (!c.retention && !c.capacity) || c.samplesDone == 0) continue;
            if (sel.method && c.method != *sel.method) continue;
            if (sel.mode && c.mode != *sel.mode) continue;
            if (sel.retention && !sameRetention(c.retention, *sel.retention)) continue;
            if (sel.capacity && c.capacity != sel.capacity) continue;
            if (sel.query && c.query != *sel.query) continue;
        }
        const HeadGrid grid = db.headGrid(c.hash, sel.stat);
        if (grid.layers == 0) {
            if (sel.cell)
                nothing(source,
                        "cell " + *sel.cell + " has no head statistic \"" + sel.stat + "\"");
            continue;
        }
        HeatmapData data;
        data.layers = grid.layers;
        data.heads = grid.heads;
        data.values = grid.values;
        data.stat = sel.stat;
        data.caption = q(describeCell(c));
        return data;
    }
    if (sel.cell) nothing(source, "no cell whose hash starts with " + *sel.cell);
    nothing(source, "no cell with head statistic \"" + sel.stat + "\" matches the selection");
}

std::unique_ptr<Figure> buildFigure(const ResultsDb& db, FigureKind kind,
                                    const FigureSelection& sel) {
    const auto cells = db.cells();
    switch (kind) {
        case FigureKind::Heatmap:
            return std::make_unique<HeatmapFigure>(buildHeatmap(db, cells, sel));
        case FigureKind::Curve:
            return std::make_unique<CurveFigure>(buildCurves(cells, sel, db.path().string()));
        case FigureKind::Cliff:
            return std::make_unique<CliffFigure>(buildCurves(cells, sel, db.path().string()));
        case FigureKind::Niah:
            return std::make_unique<NeedleFigure>(buildNeedle(db, cells, sel));
        case FigureKind::Tokens:
            return std::make_unique<TokensFigure>(buildTokens(db, cells, sel));
        case FigureKind::Hiv:
            return std::make_unique<HivFigure>(buildHiv(db, cells, sel));
    }
    return nullptr;
}

std::vector<double> keptFractions(const runner::KeptPositions& kept, std::int64_t tokens,
                                  std::optional<std::int64_t> queryStart,
                                  std::optional<std::int64_t> layer,
                                  std::optional<std::int64_t> head) {
    std::vector<double> count(static_cast<std::size_t>(std::max<std::int64_t>(0, tokens)), 0.0);
    std::int64_t segments = 0;
    for (std::int64_t l = 0; l < kept.layers; ++l) {
        if (layer && l != *layer) continue;
        for (std::int64_t h = 0; h < kept.heads; ++h) {
            if (head && h != *head) continue;
            ++segments;
            for (const std::int64_t pos : kept.at(l, h)) {
                if (pos >= 0 && pos < tokens) count[static_cast<std::size_t>(pos)] += 1.0;
            }
        }
    }
    for (std::size_t i = 0; i < count.size(); ++i) {
        if (queryStart && std::int64_t(i) >= *queryStart)
            count[i] = 1.0;
        else
            count[i] = segments > 0 ? count[i] / static_cast<double>(segments) : 0.0;
    }
    return count;
}

namespace {

bool sameBudget(const CellSummary& a, const CellSummary& b) {
    const bool r = a.retention.has_value() == b.retention.has_value() &&
                   (!a.retention || sameRetention(b.retention, *a.retention));
    return r && a.capacity == b.capacity;
}

// The stored sample of a cell named by index or dataset id (the first with kept positions
// when unset).
std::optional<std::int64_t> pickSample(const ResultsDb& db, const CellSummary& c,
                                       const std::optional<std::string>& want) {
    const auto stored = db.keptSampleIndices(c.hash);
    if (stored.empty()) return std::nullopt;
    if (!want) return stored.front();
    for (const auto& s : db.samples(c.hash)) {
        if (s.sampleId == *want || std::to_string(s.index) == *want) {
            if (std::find(stored.begin(), stored.end(), s.index) != stored.end()) return s.index;
        }
    }
    return std::nullopt;
}

}  // namespace

TokenViewData buildTokens(const ResultsDb& db, const std::vector<CellSummary>& cells,
                          const FigureSelection& sel) {
    const std::string source = db.path().string();
    const auto candidate = [&](const CellSummary& c, const std::optional<std::string>& method) {
        if (sel.cell) return c.hash.rfind(*sel.cell, 0) == 0;  // a hash prefix selects A
        if (!matches(c, sel) || c.samplesDone == 0 || (!c.retention && !c.capacity)) return false;
        if (method && c.method != *method) return false;
        if (sel.mode && c.mode != *sel.mode) return false;
        if (sel.retention && !sameRetention(c.retention, *sel.retention)) return false;
        if (sel.capacity && c.capacity != sel.capacity) return false;
        if (sel.query && c.query != *sel.query) return false;
        return true;
    };
    const CellSummary* a = nullptr;
    std::int64_t index = 0;
    for (const auto& c : cells) {
        if (!candidate(c, sel.method)) continue;
        if (const auto i = pickSample(db, c, sel.sample)) {
            a = &c;
            index = *i;
            break;
        }
    }
    if (!a) {
        nothing(source, "no cell with kept positions matches the selection" +
                            std::string(sel.sample ? " (sample " + *sel.sample + ")" : "") +
                            "; run the sweep with \"store_kept\": true");
    }
    std::vector<const CellSummary*> chosen = {a};
    if (sel.methodB) {
        const CellSummary* b = nullptr;
        for (const auto& c : cells) {
            if (c.model == a->model && c.task == a->task && c.contextLength == a->contextLength &&
                c.method == *sel.methodB && c.query == a->query && sameBudget(c, *a) &&
                (!sel.mode || c.mode == *sel.mode) && db.keptTokens(c.hash, index)) {
                b = &c;
                break;
            }
        }
        if (!b) {
            nothing(source, "method " + *sel.methodB + " has no kept positions for sample " +
                                std::to_string(index) + " of " + describeCell(*a));
        }
        chosen.push_back(b);
    }
    TokenViewData data;
    data.layer = sel.layer;
    data.head = sel.head;
    for (const CellSummary* c : chosen) {
        const auto kept = db.keptTokens(c->hash, index);
        if (!kept) nothing(source, "no kept positions for sample " + std::to_string(index));
        const auto& k = kept->positions;
        if (sel.layer && (*sel.layer < 0 || *sel.layer >= k.layers)) {
            nothing(source, "--layer " + std::to_string(*sel.layer) + " is outside 0.." +
                                std::to_string(k.layers - 1));
        }
        if (sel.head && (*sel.head < 0 || *sel.head >= k.heads)) {
            nothing(source, "--head " + std::to_string(*sel.head) + " is outside 0.." +
                                std::to_string(k.heads - 1));
        }
        if (data.tokens.empty()) {
            for (const auto& t : kept->tokenText) data.tokens.push_back(QString::fromStdString(t));
            data.queryStart = kept->queryStart;
        } else if (data.tokens.size() != kept->tokenText.size()) {
            nothing(source, "the two methods' prompts of sample " + std::to_string(index) +
                                " differ in length");
        }
        TokenSide side;
        side.method = c->method;
        side.mode = c->mode;
        side.caption = q(c->retention ? percentText(*c->retention)
                                      : "C=" + std::to_string(c->capacity.value_or(0)));
        side.layers = k.layers;
        side.heads = k.heads;
        side.segments = k.segments;
        side.fraction = keptFractions(k, static_cast<std::int64_t>(data.tokens.size()),
                                      kept->queryStart, sel.layer, sel.head);
        data.sides.push_back(std::move(side));
    }
    std::string sampleId = std::to_string(index);
    for (const auto& s : db.samples(a->hash)) {
        if (s.index != index) continue;
        sampleId = s.sampleId;
        const json* meta = s.extra.contains("meta") ? &s.extra["meta"] : nullptr;
        if (meta && meta->contains("needle_span")) {
            const auto& span = (*meta)["needle_span"];
            if (span.is_array() && span.size() == 2 && span[0].is_number_integer() &&
                span[1].is_number_integer()) {
                data.needle =
                    std::make_pair(span[0].get<std::int64_t>(), span[1].get<std::int64_t>());
            }
        }
    }
    data.caption =
        q(a->model + ", " + a->task + ", " + std::to_string(a->contextLength) + " tokens, sample " +
          sampleId + (a->query == "agnostic" ? ", query-agnostic" : ""));
    return data;
}

HivData buildHiv(const ResultsDb& db, const std::vector<CellSummary>& cells,
                 const FigureSelection& sel) {
    const std::string source = db.path().string();
    for (const auto& c : cells) {
        if (c.task != "hiv" || c.samplesDone == 0) continue;
        if (sel.model && c.model != *sel.model) continue;
        HivData data;
        const HeadGrid mean = db.headGrid(c.hash, "importance");
        HeadGrid var = db.headGrid(c.hash, "importance_variance");
        if (var.layers == 0) {
            const HeadGrid cv = db.headGrid(c.hash, "cv");
            var = cv;
            for (std::size_t i = 0; i < var.values.size() && i < mean.values.size(); ++i) {
                const double sd = cv.values[i] * mean.values[i];
                var.values[i] = sd * sd;
            }
        }
        const auto grid = [](const HeadGrid& g, const char* stat) {
            HeatmapData h;
            h.layers = g.layers;
            h.heads = g.heads;
            h.values = g.values;
            h.stat = stat;
            return h;
        };
        data.importance = grid(mean, "importance");
        data.variance = grid(var, "importance_variance");
        const auto trials = c.metric("trials");
        const auto rate = c.metric("acceptance_rate");
        std::string caption = c.model;
        if (trials) caption += ", " + std::to_string(std::llround(*trials)) + " trials";
        if (rate) caption += ", " + percentText(*rate) + " accepted";
        data.caption = q(caption);
        return data;
    }
    nothing(source, "no HIV result" + (sel.model ? " for model " + *sel.model : std::string()));
}

std::optional<double> sampleDepthPercent(const SampleSummary& s) {
    for (const auto* holder : {&s.extra, s.extra.contains("meta") ? &s.extra["meta"] : nullptr}) {
        if (!holder || !holder->is_object()) continue;
        const auto it = holder->find("depth");
        if (it != holder->end() && it->is_number()) return it->get<double>();
    }
    // Ids of the NIAH grid: "L4096/d50".
    const auto slash = s.sampleId.rfind("/d");
    if (slash != std::string::npos && !s.sampleId.empty() && s.sampleId[0] == 'L') {
        try {
            std::size_t used = 0;
            const double d = std::stod(s.sampleId.substr(slash + 2), &used);
            if (used == s.sampleId.size() - slash - 2) return d;
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

NeedleData buildNeedle(const ResultsDb& db, const std::vector<CellSummary>& cells,
                       const FigureSelection& selIn) {
    const std::string source = db.path().string();
    FigureSelection sel = selIn;
    if (!sel.task) {
        // NIAH, or else the needle model's own task.
        const bool niah = std::any_of(cells.begin(), cells.end(),
                                      [](const CellSummary& c) { return c.task == "niah"; });
        sel.task = niah ? "niah" : "needle";
    }
    sel.contextLength.reset();  // the lengths are the map's columns
    // Default method and retention: the first compressing needle cell with samples.
    bool found = false;
    for (const auto& c : cells) {
        if (!matches(c, sel) || c.samplesDone == 0) continue;
        if (sel.method && c.method != *sel.method) continue;
        if (sel.retention && !sameRetention(c.retention, *sel.retention)) continue;
        if (!sel.method && !c.retention) continue;
        if (!sel.model) sel.model = c.model;
        if (!sel.method) sel.method = c.method;
        if (!sel.mode) sel.mode = c.mode;
        if (!sel.retention && c.retention) sel.retention = c.retention;
        found = true;
        break;
    }
    if (!found) {
        nothing(source, "no cell of task \"" + *sel.task + "\" with samples matches the selection");
    }

    std::map<std::int64_t, std::map<double, std::pair<double, int>>> grid;
    std::set<double> depths;
    for (const auto& c : cells) {
        if (!matches(c, sel) || c.method != *sel.method || c.samplesDone == 0) continue;
        if (sel.mode && c.mode != *sel.mode) continue;
        if (sel.retention ? !sameRetention(c.retention, *sel.retention) : c.retention.has_value())
            continue;
        for (const auto& s : db.samples(c.hash)) {
            const auto depth = sampleDepthPercent(s);
            const auto score = s.metrics.find(sel.metric);
            if (!depth || score == s.metrics.end() || !std::isfinite(score->second)) continue;
            auto& slot = grid[c.contextLength][*depth];
            slot.first += score->second;
            slot.second += 1;
            depths.insert(*depth);
        }
    }
    if (grid.empty()) {
        nothing(source, "no needle sample with a depth and metric \"" + sel.metric + "\" for " +
                            *sel.method +
                            (sel.retention ? " at " + percentText(*sel.retention) : ""));
    }
    NeedleData data;
    data.metric = sel.metric;
    for (const auto& [len, _] : grid) data.lengths.push_back(len);
    data.depths.assign(depths.begin(), depths.end());
    data.scores.assign(data.lengths.size() * data.depths.size(), std::nan(""));
    for (std::size_t l = 0; l < data.lengths.size(); ++l) {
        for (std::size_t d = 0; d < data.depths.size(); ++d) {
            const auto& row = grid[data.lengths[l]];
            const auto it = row.find(data.depths[d]);
            if (it != row.end()) {
                data.scores[d * data.lengths.size() + l] = it->second.first / it->second.second;
            }
        }
    }
    // "score" is the primary metric x 100 (sample_eval.h); other metrics are fractions unless a
    // value says otherwise.
    double top = 0.0;
    for (const double v : data.scores) {
        if (std::isfinite(v)) top = std::max(top, v);
    }
    data.scoreMax = sel.metric == "score" || top > 1.0 + 1e-9 ? 100.0 : 1.0;
    std::string caption = *sel.model + ", " + *sel.method;
    if (sel.mode && *sel.mode == "faithful") caption += " (faithful)";
    caption += sel.retention ? ", " + percentText(*sel.retention) : std::string(", full cache");
    data.caption = q(caption);
    return data;
}

}  // namespace hace::views
