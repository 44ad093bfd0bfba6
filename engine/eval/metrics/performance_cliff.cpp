#include "engine/eval/metrics/performance_cliff.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/core/error.h"

namespace hace::metrics {
namespace {

std::vector<RetentionPoint> sorted_points(std::span<const RetentionPoint> points) {
    std::vector<RetentionPoint> sorted(points.begin(), points.end());
    for (const auto& p : sorted) {
        if (!std::isfinite(p.retention) || p.retention <= 0.0 || p.retention > 1.0) {
            throw InputError("performance cliff: retention must be in (0, 1], got " +
                             std::to_string(p.retention));
        }
        if (!std::isfinite(p.score)) {
            throw InputError("performance cliff: score at retention " +
                             std::to_string(p.retention) + " is not finite");
        }
    }
    std::sort(sorted.begin(), sorted.end(), [](const RetentionPoint& a, const RetentionPoint& b) {
        return a.retention < b.retention;
    });
    for (std::size_t i = 1; i < sorted.size(); ++i) {
        if (sorted[i].retention == sorted[i - 1].retention) {
            throw InputError("performance cliff: retention " + std::to_string(sorted[i].retention) +
                             " appears twice");
        }
    }
    return sorted;
}

void check_tolerance(double full_score, double tolerance_percent) {
    if (!std::isfinite(full_score))
        throw InputError("performance cliff: full-cache score is not finite");
    if (!std::isfinite(tolerance_percent) || tolerance_percent < 0.0) {
        throw InputError("performance cliff: tolerance must be a percentage >= 0");
    }
}

}  // namespace

bool within_tolerance(double score, double full_score, double tolerance_percent) {
    return score >= full_score - std::abs(full_score) * tolerance_percent / 100.0;
}

std::optional<Cliff> find_cliff(std::span<const RetentionPoint> points, double full_score,
                                double tolerance_percent) {
    check_tolerance(full_score, tolerance_percent);
    if (points.empty()) throw InputError("performance cliff: no points");
    const auto sorted = sorted_points(points);
    std::size_t i = sorted.size();
    while (i > 0 && within_tolerance(sorted[i - 1].score, full_score, tolerance_percent)) --i;
    if (i == sorted.size()) return std::nullopt;
    Cliff cliff;
    cliff.retention = sorted[i].retention;
    if (i > 0) cliff.failing_below = sorted[i - 1].retention;
    return cliff;
}

std::optional<Drop> largest_drop(std::span<const RetentionPoint> points) {
    const auto sorted = sorted_points(points);
    std::optional<Drop> best;
    for (std::size_t i = 1; i < sorted.size(); ++i) {
        const double drop = sorted[i].score - sorted[i - 1].score;
        if (!best || drop > best->drop)
            best = Drop{sorted[i - 1].retention, sorted[i].retention, drop};
    }
    return best;
}

CliffRefinement refine_cliff(const std::function<double(double retention)>& score_at,
                             double failing, double within, double full_score,
                             double retention_tolerance, double tolerance_percent) {
    check_tolerance(full_score, tolerance_percent);
    if (!score_at) throw InputError("performance cliff: no score callback");
    if (!(failing > 0.0 && failing < within && within <= 1.0)) {
        throw InputError("performance cliff: the bracket must satisfy 0 < failing < within <= 1");
    }
    if (!(retention_tolerance > 0.0)) {
        throw InputError("performance cliff: retention tolerance must be > 0");
    }
    CliffRefinement out{within, failing, 0};
    while (out.retention - out.failing > retention_tolerance) {
        const double mid = 0.5 * (out.failing + out.retention);
        if (mid <= out.failing || mid >= out.retention) break;  // no double left between them
        ++out.evaluations;
        if (within_tolerance(score_at(mid), full_score, tolerance_percent)) {
            out.retention = mid;
        } else {
            out.failing = mid;
        }
    }
    return out;
}

}  // namespace hace::metrics
