// Stored results as tables (`hace export`): one row per (cell, sample) or per cell, read from a
// results database without writing to it. Cell columns come from the cell key (model, context,
// method, mode, retention, task) and the label the run stored with each sample (method_name).
//
// Per sample: cell, model, context_length, method, method_name, mode, retention, task, status,
//   sample_index, sample_id, prediction, references, prompt_tokens, output_tokens, timing,
//   prefill_ms, decode_ms, total_ms, peak_bytes, kv_bytes, kv_full_entries, kv_kept_entries,
//   retention_realised, then every metric by name (sorted).
// Per cell: cell, model, context_length, method, method_name, mode, retention, task, status,
//   failure_reason, samples_planned, samples, then the mean retention_realised, timing, the
//   means over the cell's samples of prefill_ms, decode_ms, kv_bytes and the largest
//   peak_bytes; then for
//   every metric M: M (the mean), M_ci_low and M_ci_high (its 95% interval from
//   engine/eval/stats: percentile bootstrap, Wilson for 0/1 metrics) and M_n (samples holding M).
//   The JSON form adds "statistics": how the intervals were computed, with the seed.
// timing (timing_label) says how the timing columns were measured: "alone", or for samples
//   decoded in batches of B ("batched": B in their row) "batch share (B=4)": decode_ms and
//   total_ms then hold the sample's share of the batched steps' wall time (each step divided
//   equally among its rows), not its latency; prefill_ms is its own prefill, during which the
//   other sequences wait. Speed comparisons belong to B = 1 runs or `hace bench`.
// Missing values are null (JSON) or empty (CSV). Rows follow the plan order of the sweeps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval/stats/cell_statistics.h"

namespace hace::runner {

struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<nlohmann::json>> rows;  // null, number, string (references: array)
    nlohmann::json statistics;                      // null, or how intervals were computed
    // The value of a column in a row (null when the column is absent).
    const nlohmann::json& at(std::size_t row, const std::string& column) const;
};

// A cell with its samples' aggregates, for the LaTeX tables.
struct CellSummary {
    std::string hash;
    std::string model;
    std::optional<std::int64_t> context_length;
    std::string method;       // id ("" for the HIV test)
    std::string method_name;  // label
    std::string mode;
    std::optional<double> retention;     // nominal; none for a full cache
    std::optional<std::int64_t> budget;  // token budget C per head (sweep "budgets")
    std::string query = "aware";         // "aware" | "agnostic"
    std::string task;
    std::string status;
    std::string failure_reason;
    std::int64_t samples_planned = 0;
    std::int64_t samples = 0;
    std::map<std::string, double> metric_means;  // over the samples holding the metric
    stats::CellObservations observations;        // metric -> (sample id, value), for pairing
    std::map<std::string, stats::MetricInterval> intervals;  // per metric, 95%
    std::map<std::string, double> means;                     // retention_realised, prefill_ms, ...
    std::optional<std::int64_t> peak_bytes;
    std::set<std::int32_t> batch_sizes;  // B of each sample's timing (1: alone)
};

// "alone" when every B is 1; "batch share (B=4)", "batch share (B=2/4, some alone)" otherwise;
// null when there are no samples.
nlohmann::json timing_label(const std::set<std::int32_t>& batch_sizes);

Table sample_table(const std::filesystem::path& db);
// Intervals are computed with `seed` (stats::kDefaultSeed unless given); `intervals` false
// leaves CellSummary::intervals empty (callers that only pair observations).
std::vector<CellSummary> cell_summaries(const std::filesystem::path& db,
                                        std::uint64_t seed = stats::kDefaultSeed,
                                        bool intervals = true);
// `seed`: the one the summaries were computed with, recorded in Table::statistics.
Table cell_table(const std::vector<CellSummary>& cells, std::uint64_t seed = stats::kDefaultSeed);

// RFC 4180: fields holding a comma, quote or line break quoted, quotes doubled; numbers in
// shortest round-trip form; null as an empty field. Lines end with "\n".
std::string table_csv(const Table& t);
// {"per": per, "columns": [...], "rows": [{column: value, ...}, ...]} and "statistics" when set.
nlohmann::json table_json(const Table& t, const std::string& per);

}  // namespace hace::runner
