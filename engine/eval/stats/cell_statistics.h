// Statistics of stored results, shared by `hace export`, `hace compare`, the LaTeX tables and the
// workbench (which only read what these functions return).
//
// Observations carry the sample's identity (its sample id) so two methods are compared on the
// same samples: pairing matches ids; samples only one side holds are left out.
//
// 0/1 metrics (Wilson interval instead of the bootstrap): "em" (exact match) and
// "needle_exact" (needle retrieved) whenever every value is 0 or 1, and "score" (the task's
// primary metric x 100) when each of its samples equals 100 x that sample's needle_exact or em
// (the task's primary metric is binary). Every other metric (F1, ROUGE, keyword recall, latency,
// ...) is continuous and gets the percentile bootstrap.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval/stats/intervals.h"
#include "engine/eval/stats/paired_tests.h"

namespace hace::stats {

struct Observation {
    std::string id;  // sample identity
    double value = 0.0;
};

// metric name -> the values of a cell's samples (each sample at most once per metric).
using CellObservations = std::map<std::string, std::vector<Observation>>;

// The 0/1 scale of `metric` in `cell`: 1 or 100 when it is a 0/1 metric there (see above).
std::optional<double> binary_scale(const std::string& metric, const CellObservations& cell);

enum class IntervalKind { Bootstrap, Wilson };

struct MetricInterval {
    std::int64_t n = 0;
    double mean = 0.0;
    Interval ci;
    IntervalKind kind = IntervalKind::Bootstrap;
};

// The mean of `metric` over the cell's samples and its 95% interval; nullopt without values.
std::optional<MetricInterval> metric_interval(const std::string& metric,
                                              const CellObservations& cell,
                                              std::uint64_t seed = kDefaultSeed);

const char* interval_kind_name(IntervalKind kind);  // "bootstrap" / "wilson"

// How the intervals and tests were computed, for manifests and exports:
// {"level", "bootstrap_resamples", "seed", "binary_metrics", "interval", "permutation"}.
nlohmann::json statistics_description(std::uint64_t seed = kDefaultSeed);

struct CompareOptions {
    double alpha = 0.05;
    std::optional<double> effect;  // points; for the sample-size estimate
    std::uint64_t seed = kDefaultSeed;
};

struct PairedComparison {
    std::int64_t n = 0;  // common samples
    double mean_a = 0.0, mean_b = 0.0;
    double mean_difference = 0.0;  // mean(a - b)
    double sd_difference = 0.0;
    Interval ci;  // paired bootstrap, 95%
    PermutationResult permutation;
    std::optional<std::int64_t> samples_needed;  // for options.effect
};

// a and b paired by id (first occurrence of an id on each side). nullopt: no common sample.
std::optional<PairedComparison> compare_paired(const std::vector<Observation>& a,
                                               const std::vector<Observation>& b,
                                               const CompareOptions& options = {});

// Significant wins in a table: each row holds candidates (nullptr: not run). In each row the
// candidate with the highest mean is compared (paired, sign-flip test) with every other candidate
// of the row; all these p-values of the table form one Holm family. A row's best wins only when it
// has the strictly highest mean and every one of its adjusted p-values is below alpha (so a row
// with one candidate, or a best without common samples with another, has no win).
struct TableWins {
    std::vector<std::optional<std::size_t>> winner;  // per row
    std::int64_t comparisons = 0;                    // size of the Holm family
};
TableWins significant_wins(const std::vector<std::vector<const std::vector<Observation>*>>& rows,
                           double alpha = 0.05, std::uint64_t seed = kDefaultSeed);

}  // namespace hace::stats
