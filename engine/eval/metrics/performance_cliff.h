// Performance cliff of one method: where its score curve over retention ratios falls away from
// the full-cache score.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>

namespace hace::metrics {

struct RetentionPoint {
    double retention;  // kept fraction of the full cache, in (0, 1]
    double score;
};

// A score "stays within X%" of the full-cache score S when score >= S - |S| * X / 100
// (scores above S are within; the tolerance is relative to S).
bool within_tolerance(double score, double full_score, double tolerance_percent);

struct Cliff {
    // The lowest measured retention r such that r AND EVERY LARGER measured retention stay within
    // the tolerance (a dip at a larger retention ends the search there).
    double retention = 0.0;
    // The next smaller measured retention, which fails; with `retention` it brackets the true
    // cliff for refine_cliff. Absent when every point is within (no cliff was observed).
    std::optional<double> failing_below;
};

// Points may come in any order. std::nullopt when the largest retention already fails.
// Throws InputError on no points, a retention outside (0, 1], a repeated retention, non-finite
// values or a negative tolerance.
std::optional<Cliff> find_cliff(std::span<const RetentionPoint> points, double full_score,
                                double tolerance_percent = 10.0);

struct Drop {
    double low_retention;
    double high_retention;
    double drop;  // score(high_retention) - score(low_retention); negative if the score rises
};

// The pair of neighbouring retentions (in sorted order) with the largest score drop towards the
// smaller retention; ties go to the lower interval. std::nullopt for fewer than two points.
// Same input checks as find_cliff.
std::optional<Drop> largest_drop(std::span<const RetentionPoint> points);

struct CliffRefinement {
    double retention;  // smallest retention evaluated (or the bracket top) found within
    double failing;    // largest retention evaluated (or the bracket bottom) found failing
    std::size_t evaluations;
};

// Bisection on [failing, within]: the caller asserts that score(within) stays within the
// tolerance and score(failing) does not (find_cliff gives such a bracket); neither end is
// re-evaluated. Each step evaluates score_at at the midpoint and keeps the half whose ends
// disagree, until within - failing <= retention_tolerance. If the score is not monotone inside
// the bracket, the result is still a within/failing boundary, not necessarily the lowest one.
// Throws InputError unless 0 < failing < within <= 1 and retention_tolerance > 0.
CliffRefinement refine_cliff(const std::function<double(double retention)>& score_at,
                             double failing, double within, double full_score,
                             double retention_tolerance, double tolerance_percent = 10.0);

}  // namespace hace::metrics
