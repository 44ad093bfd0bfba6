// Typed reading of a results database (schema: result_schema.h), the one place that knows how its
// rows decode. Every reader of stored results goes through it: the store's read members
// (result_store.h), the exports (exec/result_tables.h) and the workbench's queries
// (views/data/results_query.h).
//
// Each query names its columns once (result_reader.cpp) and rows are decoded by those names, never
// by position. NULL becomes nullopt (or NaN for a statistic's value) only where the schema allows
// it. Anything the schema or this version's writer rules out is a damaged database, an InputError
// naming the file and the table.column: a NULL or a value of the wrong type in a NOT NULL column,
// JSON that does not parse or has the wrong shape, a cell status outside the four, kept positions
// that do not decode or disagree with the prompt. A table or column missing from the file fails
// when the query is prepared, also an InputError naming the file and the column (sqlite_db.h).
//
// The reader borrows a connection and holds nothing else; it does no locking (the store calls it
// under its own mutex) and never writes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runner/result_store.h"
#include "engine/runner/sqlite_db.h"

namespace hace::runner {

// A row of table cells with what the sweeps planned of it and what is stored.
struct StoredCell {
    std::string hash;
    nlohmann::json config;  // cells.config_json: the cell key's content (sweep_plan.h)
    CellStatus status = CellStatus::Pending;
    std::string failure_reason;        // "" when there is none
    std::int64_t samples_planned = 0;  // see the member that read the cell
    std::int64_t samples_stored = 0;
    // Means over the cell's stored samples holding a value (SQL avg); nullopt: none holds one.
    std::optional<double> mean_retention_realised, mean_total_ms;
};

// A row of table samples. `sample` is the SampleResult the store was given, its metrics from
// samples.metrics_json (NaN where stored as null); its statistics and kept positions live in tables
// of their own, read by the members below.
struct StoredSample {
    std::int64_t row = 0;  // samples.id, the key of its metrics and statistics
    SampleResult sample;
};

// One non-NULL row of table metrics with the sample it belongs to.
struct StoredMetric {
    std::string cell_hash;
    std::int64_t sample_index = 0;
    std::string sample_id;
    std::string name;
    double value = 0.0;
};

// The mean of a per-head statistic over samples; nullopt when every stored value is NULL.
struct HeadStatMean {
    std::int64_t layer = 0;
    std::int64_t head = 0;
    std::optional<double> value;
};

class ResultReader {
public:
    // `db`: a results database verified on open (result_store_open.h); it must outlive the reader.
    explicit ResultReader(detail::Db& db) : db_(db) {}

    // Every cell, in the plan order of the sweeps (earlier sweeps first; cells in no sweep, which
    // only a hand-edited file has, before them by hash). samples_planned: the most any sweep
    // planned, 0 for none.
    std::vector<StoredCell> cells() const;
    // The cells one sweep planned, in its plan order; samples_planned: what that sweep planned.
    std::vector<StoredCell> sweep_cells(std::int64_t sweep_id) const;
    // One cell (samples_planned as in cells()); nullopt for an unknown hash.
    std::optional<StoredCell> cell(const std::string& hash) const;
    // The failed cells, the one that failed first first.
    std::vector<StoredCell> failed_cells() const;

    // Stored sample indices of a cell, ascending.
    std::vector<std::int64_t> sample_indices(const std::string& hash) const;
    // The stored samples of a cell by sample index, and one of them.
    std::vector<StoredSample> samples(const std::string& hash) const;
    std::optional<StoredSample> sample(const std::string& hash, std::int64_t index) const;

    // A sample's rows of the tables metrics (NaN for NULL), layer_stats and head_stats (NaN for
    // NULL; ordered by layer, [head,] name).
    std::map<std::string, double> metrics(std::int64_t row) const;
    std::vector<LayerStat> layer_stats(std::int64_t row) const;
    std::vector<HeadStat> head_stats(std::int64_t row) const;

    // The kept positions stored for a sample; nullopt when none are.
    std::optional<KeptRecord> kept(const std::string& hash, std::int64_t index) const;
    // Sample indices of a cell with kept positions stored, ascending.
    std::vector<std::int64_t> kept_sample_indices(const std::string& hash) const;

    // Per cell, the mean of each metric over the samples whose value is not NULL.
    std::map<std::string, std::map<std::string, double>> metric_means() const;
    // Every non-NULL metric value, by cell hash and sample index.
    std::vector<StoredMetric> metric_values() const;

    // Names of the per-head statistics stored for a cell, sorted.
    std::vector<std::string> head_stat_names(const std::string& hash) const;
    // Per (layer, head), the mean of statistic `stat` over the cell's samples, or over the one
    // sample given; in no particular order.
    std::vector<HeadStatMean> head_stat_means(const std::string& hash, const std::string& stat,
                                              std::optional<std::int64_t> sample_index) const;

    // The manifest of a run, key -> value.
    std::map<std::string, std::string> manifest(std::int64_t run_id) const;

private:
    detail::Db& db_;
};

}  // namespace hace::runner
