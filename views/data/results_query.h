// Read-only queries over a results database (schema: engine/runner/result_schema.h) for the
// results browser, the figures and `hace plot`: cells with their mean metrics, each sample's
// metric values (by sample id, for intervals and paired tests from engine/eval/stats),
// the samples of a cell, and per-head statistics as layer x head grids. Plain C++ (no Qt), so
// the CLI and tests use it as they are. The file is opened read-only through the engine's
// verified opener: a file that is not a HACE results database is refused with an InputError.
// Rows are decoded by runner::ResultReader (engine/runner/result_reader.h): a damaged row is an
// InputError naming the database and the column.
//
// Thread rule: one ResultsDb per thread (it owns one SQLite connection).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval/stats/cell_statistics.h"
#include "engine/runner/kept_positions.h"

namespace hace::views {

// One cell of any sweep stored in the file, with the mean of each metric over its samples.
struct CellSummary {
    std::string hash;
    nlohmann::json config;  // the cell key's content (engine/runner/sweep_plan.h)
    std::string model;      // config.model.name
    std::int64_t layers = 0, kvHeads = 0;
    std::int64_t contextLength = 0;
    std::optional<double> retention;       // nullopt: full cache or a token budget
    std::optional<std::int64_t> capacity;  // token budget C per head (sweep "budgets")
    std::string query = "aware";           // "aware" | "agnostic"
    std::string method, mode, task;
    std::string status;  // "pending", "running", "done", "failed"
    std::string failureReason;
    std::int64_t samplesPlanned = 0;  // the most any sweep planned for it
    std::int64_t samplesDone = 0;
    std::map<std::string, double> meanMetrics;  // NaN values (stored as NULL) are skipped
    std::optional<double> meanRetentionRealised;
    std::optional<double> meanTotalMs;
    stats::CellObservations observations;  // metric -> (sample id, value); NaN values skipped

    // The metric's mean, or nullopt when no sample has it.
    std::optional<double> metric(const std::string& name) const;
    // The metric's 95% interval (stats::metric_interval, default seed), computed once per metric.
    std::optional<stats::MetricInterval> interval(const std::string& name) const;

private:
    mutable std::map<std::string, std::optional<stats::MetricInterval>> intervalCache_;
};

struct SampleSummary {
    std::int64_t index = 0;
    std::string sampleId;
    std::string prediction;
    nlohmann::json references;
    std::map<std::string, double> metrics;
    std::int64_t promptTokens = 0, outputTokens = 0;
    std::optional<double> prefillMs, decodeMs, totalMs;
    std::optional<std::int64_t> peakBytes, kvBytes;
    std::optional<double> retentionRealised;
    nlohmann::json extra;
};

// The kept prompt positions of one stored sample (sweeps with "store_kept"; table kept_tokens).
struct KeptSample {
    runner::KeptPositions positions;
    std::optional<std::int64_t> queryStart;  // query-agnostic: first appended position
    std::vector<std::int32_t> tokenIds;
    std::vector<std::string> tokenText;  // the text each prompt token adds
};

// A per-head statistic as a [layers x heads] grid, row-major by layer; NaN where missing.
struct HeadGrid {
    std::int64_t layers = 0, heads = 0;
    std::vector<double> values;
    double at(std::int64_t layer, std::int64_t head) const {
        return values[static_cast<std::size_t>(layer * heads + head)];
    }
};

class ResultsDb {
public:
    static ResultsDb open(const std::filesystem::path& path);
    ~ResultsDb();
    ResultsDb(ResultsDb&&) noexcept;
    ResultsDb& operator=(ResultsDb&&) noexcept;

    const std::filesystem::path& path() const;
    // SQLite's PRAGMA data_version: changes whenever another connection (another process's
    // run, say) has committed to the file since the last call; a cheap poll for following a
    // database that is being written.
    std::int64_t dataVersion() const;

    // Every cell, ordered by model, task, context length, method, mode, retention (full last).
    std::vector<CellSummary> cells() const;
    // The stored samples of a cell, by sample index.
    std::vector<SampleSummary> samples(const std::string& cellHash) const;
    // Names of the per-head statistics stored for a cell ("budget", "kept", ...), sorted.
    std::vector<std::string> headStatNames(const std::string& cellHash) const;
    // Mean over the cell's samples (or the one sample given) of a per-head statistic. Empty
    // grid (0 x 0) when nothing is stored.
    HeadGrid headGrid(const std::string& cellHash, const std::string& stat,
                      std::optional<std::int64_t> sampleIndex = std::nullopt) const;

    // The kept positions stored for a sample of a cell; nullopt when none are stored. A damaged
    // record is an InputError naming the database.
    std::optional<KeptSample> keptTokens(const std::string& cellHash,
                                         std::int64_t sampleIndex) const;
    // Sample indices of a cell that have kept positions stored, ascending.
    std::vector<std::int64_t> keptSampleIndices(const std::string& cellHash) const;

private:
    struct Impl;
    explicit ResultsDb(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace hace::views
