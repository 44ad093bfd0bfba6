#include "engine/eval/stats/cell_statistics.h"

#include <cmath>
#include <set>
#include <unordered_map>

namespace hace::stats {
namespace {

std::vector<double> values_of(const std::vector<Observation>& obs) {
    std::vector<double> v;
    v.reserve(obs.size());
    for (const auto& o : obs) v.push_back(o.value);
    return v;
}

bool all_zero_one(const std::vector<Observation>& obs) {
    for (const auto& o : obs) {
        if (o.value != 0.0 && o.value != 1.0) return false;
    }
    return !obs.empty();
}

// score == 100 x the sample's `base` metric for every sample holding a score.
bool score_follows(const CellObservations& cell, const std::vector<Observation>& score,
                   const char* base) {
    const auto it = cell.find(base);
    if (it == cell.end() || !all_zero_one(it->second)) return false;
    std::unordered_map<std::string, double> by_id;
    for (const auto& o : it->second) by_id.emplace(o.id, o.value);
    for (const auto& o : score) {
        const auto b = by_id.find(o.id);
        if (b == by_id.end() || o.value != 100.0 * b->second) return false;
    }
    return !score.empty();
}

}  // namespace

std::optional<double> binary_scale(const std::string& metric, const CellObservations& cell) {
    const auto it = cell.find(metric);
    if (it == cell.end() || it->second.empty()) return std::nullopt;
    if (metric == "em" || metric == "needle_exact") {
        return all_zero_one(it->second) ? std::optional<double>(1.0) : std::nullopt;
    }
    if (metric == "score" && (score_follows(cell, it->second, "needle_exact") ||
                              score_follows(cell, it->second, "em"))) {
        return 100.0;
    }
    return std::nullopt;
}

std::optional<MetricInterval> metric_interval(const std::string& metric,
                                              const CellObservations& cell, std::uint64_t seed) {
    const auto it = cell.find(metric);
    if (it == cell.end()) return std::nullopt;
    std::vector<double> v;
    for (const auto& o : it->second) {
        if (std::isfinite(o.value)) v.push_back(o.value);
    }
    if (v.empty()) return std::nullopt;
    MetricInterval r;
    r.n = static_cast<std::int64_t>(v.size());
    double sum = 0.0;
    for (const double x : v) sum += x;
    r.mean = sum / static_cast<double>(v.size());
    if (const auto scale = binary_scale(metric, cell)) {
        std::int64_t successes = 0;
        for (const double x : v) successes += x != 0.0 ? 1 : 0;
        const Interval w = wilson_interval(successes, r.n);
        r.ci = {w.low * *scale, w.high * *scale};
        r.kind = IntervalKind::Wilson;
    } else {
        r.ci = bootstrap_mean_ci(v, kConfidenceLevel, kBootstrapResamples, seed);
        r.kind = IntervalKind::Bootstrap;
    }
    return r;
}

const char* interval_kind_name(IntervalKind kind) {
    return kind == IntervalKind::Wilson ? "wilson" : "bootstrap";
}

nlohmann::json statistics_description(std::uint64_t seed) {
    return {{"level", kConfidenceLevel},
            {"interval", "percentile bootstrap of the mean; Wilson score interval for 0/1 metrics"},
            {"bootstrap_resamples", kBootstrapResamples},
            {"seed", seed},
            {"binary_metrics", {"em", "needle_exact", "score when it is 100 x em or needle_exact"}},
            {"permutation",
             {{"test", "two-sided paired sign flip"},
              {"exact_up_to", kExactFlipLimit},
              {"random_flips", kRandomFlips}}},
            {"multiple_comparisons", "Holm"}};
}

std::optional<PairedComparison> compare_paired(const std::vector<Observation>& a,
                                               const std::vector<Observation>& b,
                                               const CompareOptions& o) {
    std::unordered_map<std::string, double> by_id;
    for (const auto& x : b) {
        if (std::isfinite(x.value)) by_id.emplace(x.id, x.value);
    }
    std::vector<double> va, vb, d;
    std::set<std::string> seen;
    for (const auto& x : a) {
        if (!std::isfinite(x.value) || !seen.insert(x.id).second) continue;
        const auto it = by_id.find(x.id);
        if (it == by_id.end()) continue;
        va.push_back(x.value);
        vb.push_back(it->second);
        d.push_back(x.value - it->second);
    }
    if (d.empty()) return std::nullopt;
    PairedComparison r;
    r.n = static_cast<std::int64_t>(d.size());
    double sa = 0.0, sb = 0.0, sd = 0.0;
    for (std::size_t i = 0; i < d.size(); ++i) {
        sa += va[i];
        sb += vb[i];
        sd += d[i];
    }
    const double n = static_cast<double>(d.size());
    r.mean_a = sa / n;
    r.mean_b = sb / n;
    r.mean_difference = sd / n;
    r.sd_difference = sample_sd(d);
    r.ci = paired_bootstrap_ci(va, vb, kConfidenceLevel, kBootstrapResamples, o.seed);
    r.permutation = sign_flip_test(d, o.seed);
    if (o.effect && d.size() >= 2) {
        r.samples_needed = samples_for_power(r.sd_difference, *o.effect, o.alpha);
    }
    return r;
}

TableWins significant_wins(const std::vector<std::vector<const std::vector<Observation>*>>& rows,
                           double alpha, std::uint64_t seed) {
    TableWins out;
    out.winner.assign(rows.size(), std::nullopt);
    struct Test {
        std::size_t row;
        double p;
    };
    std::vector<Test> tests;
    std::vector<std::optional<std::size_t>> best(rows.size());
    std::vector<bool> possible(rows.size(), false);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::vector<std::optional<double>> means(rows[r].size());
        for (std::size_t k = 0; k < rows[r].size(); ++k) {
            if (!rows[r][k]) continue;
            const auto v = values_of(*rows[r][k]);
            double sum = 0.0;
            std::size_t n = 0;
            for (const double x : v) {
                if (std::isfinite(x)) {
                    sum += x;
                    ++n;
                }
            }
            if (n) means[k] = sum / static_cast<double>(n);
        }
        std::optional<std::size_t> top;
        bool tie = false;
        for (std::size_t k = 0; k < means.size(); ++k) {
            if (!means[k]) continue;
            if (!top || *means[k] > *means[*top]) {
                top = k;
                tie = false;
            } else if (*means[k] == *means[*top]) {
                tie = true;
            }
        }
        std::size_t others = 0;
        for (std::size_t k = 0; k < means.size(); ++k) others += means[k] && k != top ? 1 : 0;
        if (!top || tie || others == 0) continue;
        best[r] = top;
        possible[r] = true;
        for (std::size_t k = 0; k < means.size(); ++k) {
            if (!means[k] || k == *top) continue;
            const auto c = compare_paired(*rows[r][*top], *rows[r][k], {alpha, std::nullopt, seed});
            if (!c) {
                possible[r] = false;  // no common samples: nothing shows the win
                continue;
            }
            tests.push_back({r, c->permutation.p});
        }
    }
    std::vector<double> p;
    for (const auto& t : tests) p.push_back(t.p);
    const auto adjusted = holm_adjust(p);
    out.comparisons = static_cast<std::int64_t>(tests.size());
    for (std::size_t i = 0; i < tests.size(); ++i) {
        if (!(adjusted[i] < alpha)) possible[tests[i].row] = false;
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (possible[r]) out.winner[r] = best[r];
    }
    return out;
}

}  // namespace hace::stats
