// Paired comparison of two methods over stored results (`hace compare`): for every cell of
// method A matching the filters, the cell of method B at the same model, task, context length and
// retention (a full-cache side matches every retention), compared on the samples both hold
// (paired by sample id): n, mean difference A - B, its paired-bootstrap 95% interval, the
// two-sided sign-flip permutation p-value, the Holm-adjusted p across all cells compared, and
// the samples that would detect a difference of `effect` points with 80% power.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval/stats/cell_statistics.h"
#include "engine/runner/exec/result_tables.h"

namespace hace::runner {

struct CompareRequest {
    std::string a,
        b;  // method id ("hace") or stored label ("SnapKV_w8"); "full" for the full cache
    std::optional<std::string> task;
    std::optional<std::int64_t> context;
    std::optional<double> retention;
    std::string metric = "score";
    stats::CompareOptions options;
};

struct CellComparison {
    std::string model, task, cell_a, cell_b, mode_a, mode_b;
    std::optional<std::int64_t> context_length;
    std::optional<double> retention;
    stats::PairedComparison result;
    double p_holm = 1.0;
};

struct ComparisonReport {
    std::vector<CellComparison> cells;
    std::int64_t pairs_without_common_samples = 0;
};

// Throws InputError naming `source` (the database) when a method is unknown, nothing matches the
// filters, or no pair of cells shares a sample.
ComparisonReport compare_methods(const std::vector<CellSummary>& cells, const CompareRequest& r,
                                 const std::string& source);

// {"a", "b", "metric", "alpha", "effect", "statistics", "pairs_without_common_samples",
//  "cells": [{model, task, context_length, retention, cell_a, cell_b, mode_a, mode_b, n, mean_a,
//  mean_b, mean_difference, sd_difference, ci_low, ci_high, p, p_method ("exact"|"random"),
//  flips, seed (random only, else null), p_holm, significant, samples_needed}]}
nlohmann::json comparison_json(const ComparisonReport& report, const CompareRequest& r);

}  // namespace hace::runner
