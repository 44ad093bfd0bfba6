// Stored results as tables (`hace export`): one row per (cell, sample) or per cell, read from a
// results database without writing to it. Cell columns come from the cell key (model, context,
// method, mode, retention, task) and the label the run stored with each sample (method_name).
//
// Per sample: cell, model, context_length, method, method_name, mode, retention, task, status,
//   sample_index, sample_id, prediction, references, prompt_tokens, output_tokens, prefill_ms,
//   decode_ms, total_ms, peak_bytes, kv_bytes, kv_full_entries, kv_kept_entries,
//   retention_realised, then every metric by name (sorted).
// Per cell: cell, model, context_length, method, method_name, mode, retention, task, status,
//   failure_reason, samples_planned, samples, then the means over the cell's samples of
//   retention_realised, prefill_ms, decode_ms, kv_bytes and every metric, and the largest
//   peak_bytes.
// Missing values are null (JSON) or empty (CSV). Rows follow the plan order of the sweeps.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hace::runner {

struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<nlohmann::json>> rows;  // null, number, string (references: array)
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
    std::map<std::string, double> means;         // retention_realised, prefill_ms, ...
    std::optional<std::int64_t> peak_bytes;
};

Table sample_table(const std::filesystem::path& db);
std::vector<CellSummary> cell_summaries(const std::filesystem::path& db);
Table cell_table(const std::vector<CellSummary>& cells);

// RFC 4180: fields holding a comma, quote or line break quoted, quotes doubled; numbers in
// shortest round-trip form; null as an empty field. Lines end with "\n".
std::string table_csv(const Table& t);
// {"per": per, "columns": [...], "rows": [{column: value, ...}, ...]}
nlohmann::json table_json(const Table& t, const std::string& per);

}  // namespace hace::runner
