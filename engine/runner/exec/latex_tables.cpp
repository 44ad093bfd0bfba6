#include "engine/runner/exec/latex_tables.h"

#include <algorithm>
#include <cmath>
#include <compare>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>

#include "engine/eval/metrics/performance_cliff.h"

namespace hace::runner {
namespace {

using stats::Interval;

std::optional<double> value_of(const CellSummary& c, const std::string& metric) {
    const auto it = c.metric_means.find(metric);
    if (it == c.metric_means.end()) return std::nullopt;
    return it->second;
}

std::string fixed1(std::optional<double> v) {
    if (!v) return "--";
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.1f", *v);
    return buf;
}

// The metric's mean with its interval in the chosen style; "--" when the cell lacks it.
std::string with_ci(const CellSummary& c, const LatexOptions& o) {
    const auto v = value_of(c, o.metric);
    if (!v) return "--";
    const auto it = c.intervals.find(o.metric);
    if (o.ci == CiStyle::None || it == c.intervals.end()) return fixed1(v);
    const Interval& ci = it->second.ci;
    if (o.ci == CiStyle::Interval)
        return fixed1(v) + " [" + fixed1(ci.low) + ", " + fixed1(ci.high) + "]";
    return fixed1(v) + " $\\pm$ " + fixed1((ci.high - ci.low) / 2.0);
}

std::string retention_short(double r) {
    std::ostringstream s;
    s << r;
    return s.str();
}

// A cell's x axis: its retention ratio, or its token budget C per head (sweep "budgets").
struct Axis {
    bool budget = false;
    double value = 0.0;
    auto operator<=>(const Axis&) const = default;
};

std::optional<Axis> axis_of(const CellSummary& c) {
    if (c.retention) return Axis{false, *c.retention};
    if (c.budget) return Axis{true, static_cast<double>(*c.budget)};
    return std::nullopt;
}

std::string axis_text(const Axis& a) {
    return a.budget ? "$C$=" + retention_short(a.value) : retention_short(a.value);
}

// The task with its protocol: a query-agnostic cell never shares a row with a query-aware one.
std::string task_text(const CellSummary& c) {
    return latex_escape(c.task) + (c.query == "agnostic" ? " (query-agnostic)" : "");
}

bool any_budget(const std::vector<const CellSummary*>& cells) {
    return std::any_of(cells.begin(), cells.end(),
                       [](const CellSummary* c) { return !c->retention && c->budget; });
}

// The full-cache cell of (model, context, task, protocol); a query-agnostic row falls back to the
// query-aware full cache (nothing is evicted, so the protocol changes only how the prompt is
// chunked).
using Where = std::tuple<std::string, std::int64_t, std::string, std::string>;

Where where_of(const CellSummary& c) {
    return {c.model, c.context_length.value_or(-1), c.task, c.query};
}

const CellSummary* full_for(const std::map<Where, const CellSummary*>& full, const CellSummary& c) {
    auto it = full.find(where_of(c));
    if (it == full.end())
        it = full.find(Where{c.model, c.context_length.value_or(-1), c.task, "aware"});
    return it == full.end() ? nullptr : it->second;
}

std::string context_text(const std::optional<std::int64_t>& n) {
    return n ? std::to_string(*n) : "--";
}

// Position of each distinct value in order of first appearance.
template <class T>
class Order {
public:
    std::size_t of(const T& v) {
        const auto it = std::find(seen_.begin(), seen_.end(), v);
        if (it != seen_.end()) return static_cast<std::size_t>(it - seen_.begin());
        seen_.push_back(v);
        return seen_.size() - 1;
    }
    std::size_t size() const { return seen_.size(); }

private:
    std::vector<T> seen_;
};

std::string begin_table(const LatexOptions& o, const std::string& columns) {
    std::string s = "\\begin{table}[t]\n\\centering\n";
    if (!o.caption.empty()) s += "\\caption{" + latex_escape(o.caption) + "}\n";
    return s + "\\begin{tabular}{" + columns + "}\n\\toprule\n";
}

std::string end_table() {
    return "\\bottomrule\n\\end{tabular}\n\\end{table}\n";
}

std::string row_text(const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t i = 0; i < cells.size(); ++i) s += (i ? " & " : "") + cells[i];
    return s + " \\\\\n";
}

// Model and context columns only when the cells span more than one of them.
struct Scope {
    bool models = false, contexts = false;
    explicit Scope(const std::vector<const CellSummary*>& cells) {
        Order<std::string> m;
        Order<std::int64_t> n;
        for (const auto* c : cells) {
            m.of(c->model);
            n.of(c->context_length.value_or(-1));
        }
        models = m.size() > 1;
        contexts = n.size() > 1;
    }
    std::vector<std::string> head() const {
        std::vector<std::string> h;
        if (models) h.push_back("Model");
        if (contexts) h.push_back("Context");
        return h;
    }
    std::vector<std::string> cells(const CellSummary& c) const {
        std::vector<std::string> v;
        if (models) v.push_back(latex_escape(c.model));
        if (contexts) v.push_back(context_text(c.context_length));
        return v;
    }
};

}  // namespace

std::string latex_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '\\':
                out += "\\textbackslash{}";
                break;
            case '&':
            case '%':
            case '$':
            case '#':
            case '_':
            case '{':
            case '}':
                out += '\\';
                out += c;
                break;
            case '~':
                out += "\\textasciitilde{}";
                break;
            case '^':
                out += "\\textasciicircum{}";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string latex_cells(const std::vector<CellSummary>& cells, const LatexOptions& o) {
    std::vector<const CellSummary*> all;
    for (const auto& c : cells) all.push_back(&c);
    std::string s = begin_table(o, "lllllrr");
    s += row_text({"Model", "Task", "Context", "Method", any_budget(all) ? "$R$ / $C$" : "$R$",
                   "$n$", latex_escape(o.metric)});
    s += "\\midrule\n";
    for (const auto& c : cells) {
        const auto axis = axis_of(c);
        s += row_text({latex_escape(c.model), task_text(c), context_text(c.context_length),
                       latex_escape(c.method_name), axis ? axis_text(*axis) : "--",
                       std::to_string(c.samples), with_ci(c, o)});
    }
    return s + end_table();
}

std::string latex_ablation(const std::vector<CellSummary>& cells, const LatexOptions& o) {
    static const std::vector<std::pair<std::string, std::string>> kColumns = {
        {"hace", "HACE"}, {"hace-layer", "HACE-LayerOnly"}, {"hace-head", "HACE-HeadOnly"}};
    std::vector<const CellSummary*> used;
    for (const auto& c : cells) {
        if (c.method == "full" || c.method == "hace" || c.method == "hace-layer" ||
            c.method == "hace-head") {
            used.push_back(&c);
        }
    }
    const Scope scope(used);
    std::map<Where, const CellSummary*> full;
    struct Row {
        const CellSummary* first;
        Axis axis;
        std::map<std::string, const CellSummary*> by_method;
    };
    Order<std::string> models, tasks;
    std::map<std::tuple<std::size_t, std::int64_t, std::size_t, std::string, Axis>, Row> rows;
    for (const auto* c : used) {
        if (c->method == "full") {
            full.try_emplace(where_of(*c), c);
            continue;
        }
        const auto axis = axis_of(*c);
        if (!axis) continue;
        const auto key = std::make_tuple(models.of(c->model), c->context_length.value_or(-1),
                                         tasks.of(c->task), c->query, *axis);
        auto [it, fresh] = rows.try_emplace(key, Row{c, *axis, {}});
        auto& slot = it->second.by_method[c->method];
        // Several entries of one method: the one labelled as the method itself wins.
        if (!slot || (slot->method_name != c->method && c->method_name == c->method)) slot = c;
    }
    std::vector<std::string> head = scope.head();
    head.insert(head.end(), {"Task", any_budget(used) ? "$R$ / $C$" : "$R$", "Full"});
    for (const auto& [id, label] : kColumns) head.push_back(label);
    head.push_back("$n$");
    // Which value of each row is a significant win.
    std::vector<std::vector<const std::vector<stats::Observation>*>> candidates;
    for (const auto& [key, row] : rows) {
        std::vector<const std::vector<stats::Observation>*> line;
        for (const auto& [id, label] : kColumns) {
            const auto m = row.by_method.find(id);
            const std::vector<stats::Observation>* values = nullptr;
            if (m != row.by_method.end()) {
                const auto obs = m->second->observations.find(o.metric);
                if (obs != m->second->observations.end()) values = &obs->second;
            }
            line.push_back(values);
        }
        candidates.push_back(std::move(line));
    }
    const stats::TableWins wins = stats::significant_wins(candidates, o.alpha, o.seed);
    std::string s = begin_table(o, std::string(head.size() - 7, 'l') + "lrrrrrr");
    s += row_text(head);
    s += "\\midrule\n";
    std::size_t index = 0;
    for (const auto& [key, row] : rows) {
        const CellSummary& c = *row.first;
        std::vector<std::string> out = scope.cells(c);
        out.push_back(task_text(c));
        out.push_back(axis_text(row.axis));
        const CellSummary* f = full_for(full, c);
        out.push_back(f ? with_ci(*f, o) : "--");
        std::vector<std::string> counts;
        for (std::size_t k = 0; k < kColumns.size(); ++k) {
            const auto m = row.by_method.find(kColumns[k].first);
            if (m == row.by_method.end()) {
                out.push_back("--");
                counts.push_back("0");
                continue;
            }
            const std::string text = with_ci(*m->second, o);
            out.push_back(wins.winner[index] == k ? "\\textbf{" + text + "}" : text);
            const auto obs = m->second->observations.find(o.metric);
            counts.push_back(
                std::to_string(obs == m->second->observations.end() ? 0 : obs->second.size()));
        }
        const bool same = std::all_of(counts.begin(), counts.end(),
                                      [&](const std::string& n) { return n == counts[0]; });
        std::string n_text = counts[0];
        for (std::size_t k = 1; !same && k < counts.size(); ++k) n_text += "/" + counts[k];
        out.push_back(n_text);
        s += row_text(out);
        ++index;
    }
    return s + end_table();
}

std::string latex_cliff(const std::vector<CellSummary>& cells, const LatexOptions& o) {
    std::vector<const CellSummary*> used;
    for (const auto& c : cells) {
        if (c.method == "full" || axis_of(c)) used.push_back(&c);
    }
    const Scope scope(used);
    std::map<Where, const CellSummary*> full;
    // One curve per protocol and axis: a method's budget cells form their own curve (find_cliff
    // only needs the x values ordered), never mixed with its retention cells.
    struct Curve {
        const CellSummary* first;
        bool budget;
        std::vector<metrics::RetentionPoint> points;
    };
    Order<std::string> models, tasks, methods;
    std::map<std::tuple<std::size_t, std::int64_t, std::size_t, std::string, bool, std::size_t>,
             Curve>
        curves;
    for (const auto* c : used) {
        if (c->method == "full") {
            full.try_emplace(where_of(*c), c);
            continue;
        }
        const auto v = value_of(*c, o.metric);
        if (!v) continue;
        const Axis axis = *axis_of(*c);
        const auto key =
            std::make_tuple(models.of(c->model), c->context_length.value_or(-1), tasks.of(c->task),
                            c->query, axis.budget, methods.of(c->method_name));
        auto [it, fresh] = curves.try_emplace(key, Curve{c, axis.budget, {}});
        it->second.points.push_back({axis.value, *v});
    }
    std::vector<std::string> head = scope.head();
    head.insert(head.end(),
                {"Task", "Method", "Full", "Cliff $R$", "Fails at $R$", "Largest drop"});
    std::string s = begin_table(o, std::string(head.size() - 6, 'l') + "llrrrl");
    s += row_text(head);
    s += "\\midrule\n";
    for (const auto& [key, curve] : curves) {
        const CellSummary& c = *curve.first;
        const CellSummary* f = full_for(full, c);
        const std::optional<double> full_value = f ? value_of(*f, o.metric) : std::nullopt;
        // find_cliff works on ratios in (0, 1]: budgets go in as fractions of the largest budget
        // of the curve and come out as tokens again.
        double scale = 1.0;
        std::vector<metrics::RetentionPoint> points = curve.points;
        if (curve.budget) {
            for (const auto& p : points) scale = std::max(scale, p.retention);
            for (auto& p : points) p.retention /= scale;
        }
        const auto at = [&curve, scale](double v) {
            return axis_text(Axis{curve.budget, curve.budget ? std::round(v * scale) : v});
        };
        std::vector<std::string> out = scope.cells(c);
        out.push_back(task_text(c));
        out.push_back(latex_escape(c.method_name));
        out.push_back(fixed1(full_value));
        std::string cliff = "--", fails = "--", drop = "--";
        if (full_value) {
            if (const auto found = metrics::find_cliff(points, *full_value, o.tolerance)) {
                cliff = at(found->retention);
                if (found->failing_below) fails = at(*found->failing_below);
            }
        }
        if (const auto d = metrics::largest_drop(points)) {
            drop = at(d->high_retention) + "$\\to$" + at(d->low_retention) + ": " + fixed1(d->drop);
        }
        out.insert(out.end(), {cliff, fails, drop});
        s += row_text(out);
    }
    return s + end_table();
}

}  // namespace hace::runner
