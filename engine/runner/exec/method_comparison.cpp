#include "engine/runner/exec/method_comparison.h"

#include <algorithm>
#include <set>

#include "engine/core/error.h"

namespace hace::runner {
namespace {

bool is_method(const CellSummary& c, const std::string& m) {
    if (m == "full") return c.method == "full";
    return c.method == m || c.method_name == m;
}

bool passes(const CellSummary& c, const CompareRequest& r) {
    if (r.task && c.task != *r.task) return false;
    if (r.context && c.context_length != r.context) return false;
    // A retention filter selects compressed cells; the full cache stays as the reference.
    if (r.retention && c.retention && *c.retention != *r.retention) return false;
    return true;
}

bool same_setting(const CellSummary& x, const CellSummary& y) {
    if (x.model != y.model || x.task != y.task || x.context_length != y.context_length) {
        return false;
    }
    return !x.retention || !y.retention || *x.retention == *y.retention;
}

std::string methods_in(const std::vector<CellSummary>& cells) {
    std::set<std::string> names;
    for (const auto& c : cells) {
        if (!c.method.empty()) names.insert(c.method);
    }
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none" : out;
}

}  // namespace

ComparisonReport compare_methods(const std::vector<CellSummary>& cells, const CompareRequest& r,
                                 const std::string& source) {
    for (const auto* m : {&r.a, &r.b}) {
        const bool known = std::any_of(cells.begin(), cells.end(),
                                       [&](const CellSummary& c) { return is_method(c, *m); });
        if (!known) {
            throw InputError(source + ": no cell of method \"" + *m +
                             "\" (methods: " + methods_in(cells) + ")");
        }
    }
    ComparisonReport report;
    bool matched = false;
    for (const auto& ca : cells) {
        if (!is_method(ca, r.a) || !passes(ca, r)) continue;
        const auto oa = ca.observations.find(r.metric);
        if (oa == ca.observations.end()) continue;
        for (const auto& cb : cells) {
            if (&cb == &ca || !is_method(cb, r.b) || !passes(cb, r) || !same_setting(ca, cb)) {
                continue;
            }
            const auto ob = cb.observations.find(r.metric);
            if (ob == cb.observations.end()) continue;
            matched = true;
            const auto result = stats::compare_paired(oa->second, ob->second, r.options);
            if (!result) {
                ++report.pairs_without_common_samples;
                continue;
            }
            CellComparison c;
            c.model = ca.model;
            c.task = ca.task;
            c.cell_a = ca.hash;
            c.cell_b = cb.hash;
            c.mode_a = ca.mode;
            c.mode_b = cb.mode;
            c.context_length = ca.context_length;
            c.retention = ca.retention ? ca.retention : cb.retention;
            c.result = *result;
            report.cells.push_back(std::move(c));
        }
    }
    if (!matched) {
        throw InputError(source + ": no cells of \"" + r.a + "\" and \"" + r.b +
                         "\" with metric \"" + r.metric +
                         "\" share a model, task, context and retention under these filters");
    }
    if (report.cells.empty()) {
        throw InputError(source + ": \"" + r.a + "\" and \"" + r.b +
                         "\" have no common samples (paired by sample id)");
    }
    std::vector<double> p;
    for (const auto& c : report.cells) p.push_back(c.result.permutation.p);
    const auto adjusted = stats::holm_adjust(p);
    for (std::size_t i = 0; i < adjusted.size(); ++i) report.cells[i].p_holm = adjusted[i];
    return report;
}

nlohmann::json comparison_json(const ComparisonReport& report, const CompareRequest& r) {
    using nlohmann::json;
    json cells = json::array();
    for (const auto& c : report.cells) {
        const auto& x = c.result;
        cells.push_back({{"model", c.model},
                         {"task", c.task},
                         {"context_length", c.context_length ? json(*c.context_length) : json()},
                         {"retention", c.retention ? json(*c.retention) : json()},
                         {"cell_a", c.cell_a},
                         {"cell_b", c.cell_b},
                         {"mode_a", c.mode_a.empty() ? json() : json(c.mode_a)},
                         {"mode_b", c.mode_b.empty() ? json() : json(c.mode_b)},
                         {"n", x.n},
                         {"mean_a", x.mean_a},
                         {"mean_b", x.mean_b},
                         {"mean_difference", x.mean_difference},
                         {"sd_difference", x.sd_difference},
                         {"ci_low", x.ci.low},
                         {"ci_high", x.ci.high},
                         {"p", x.permutation.p},
                         {"p_method", x.permutation.exact ? "exact" : "random"},
                         {"flips", x.permutation.flips},
                         {"seed", x.permutation.exact ? json() : json(x.permutation.seed)},
                         {"p_holm", c.p_holm},
                         {"significant", c.p_holm < r.options.alpha},
                         {"samples_needed", x.samples_needed ? json(*x.samples_needed) : json()}});
    }
    return {
        {"a", r.a},
        {"b", r.b},
        {"metric", r.metric},
        {"alpha", r.options.alpha},
        {"effect", r.options.effect ? json(*r.options.effect) : json()},
        {"power", 0.8},
        {"samples_needed_formula", "ceil(((z_{1-alpha/2} + z_{0.8}) * sd_difference / effect)^2)"},
        {"statistics", stats::statistics_description(r.options.seed)},
        {"pairs_without_common_samples", report.pairs_without_common_samples},
        {"cells", cells}};
}

}  // namespace hace::runner
