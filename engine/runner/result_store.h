// The results store (DESIGN.md sections 4 and 8; schema in result_schema.h): a SQLite file in
// WAL mode. One transaction per finished sample, together with its metrics and its per-layer
// and per-head statistics, so a crash or kill loses at most the sample in flight. Cells are
// keyed by the hash of their canonical config, so a resumed sweep asks done_samples() and skips
// what is stored; a second write of a stored (cell, sample_index) is reported as Duplicate and
// changes nothing.
//
// Refusals (InputError naming the file, the file left untouched): not a SQLite file, a damaged
// one (PRAGMA quick_check), a SQLite database of another program (application_id), a schema
// newer than this build, a folder or file we cannot write. A full disk or a read-only file met
// while writing is an InputError too, and the transaction is rolled back.
//
// Thread safety: every member may be called from any thread; calls are serialised by one mutex
// (one connection). Several processes may open the same file (WAL, busy timeout), but
// scale-out should write separate files and merge them (result_merge.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runner/kept_positions.h"

namespace hace::runner {

// Running: a run started the cell; a crash leaves it so, and a resume treats it as pending.
enum class CellStatus { Pending, Running, Done, Failed };
std::string_view cell_status_name(CellStatus s);  // "pending", "running", "done", "failed"

struct LayerStat {
    std::int64_t layer = 0;
    std::string name;  // "budget", "preference", ...
    double value = 0.0;
};

struct HeadStat {
    std::int64_t layer = 0;
    std::int64_t head = 0;  // KV head (or query head for per-query-head methods)
    std::string name;       // "budget", "kept", "importance", ...
    double value = 0.0;
};

// What a compressed cache kept of one sample's prompt (table kept_tokens), for the kept-token
// view: the positions per (layer, head) segment and the prompt as ids and display text.
struct KeptRecord {
    KeptPositions positions;
    std::optional<std::int64_t> query_start;  // query-agnostic: first position appended
    std::vector<std::int32_t> token_ids;      // the prompt
    std::vector<std::string> token_text;      // the text each prompt token adds
};

// One finished sample. Non-finite numbers are stored as NULL.
struct SampleResult {
    std::string cell_hash;
    std::int64_t sample_index = 0;  // 0 .. samples-1 within the cell
    std::string sample_id;          // the dataset's id of the sample
    std::optional<std::int64_t> run_id;
    std::string prediction;
    nlohmann::json references = nlohmann::json::array();
    std::map<std::string, double> metrics;
    std::int64_t prompt_tokens = 0;
    std::int64_t output_tokens = 0;
    std::optional<double> prefill_ms, decode_ms, total_ms;
    std::optional<std::int64_t> peak_bytes, kv_bytes, kv_full_entries, kv_kept_entries;
    std::optional<double> retention_nominal;  // nullopt for a full cache
    std::optional<double> retention_realised;
    nlohmann::json extra = nlohmann::json::object();  // anything else worth keeping
    std::vector<LayerStat> layer_stats;
    std::vector<HeadStat> head_stats;
    std::optional<KeptRecord> kept;  // sweeps with "store_kept": true, compressing methods
};

enum class WriteOutcome { Written, Duplicate };

struct CellRecord {
    nlohmann::json config;     // the cell key's content; its hash becomes the key
    std::int64_t samples = 0;  // planned samples of this sweep
};

struct CellProgress {
    std::string hash;
    CellStatus status = CellStatus::Pending;
    std::int64_t samples = 0;       // planned by the sweep
    std::int64_t samples_done = 0;  // stored (by any sweep or run)
    std::string failure_reason;
};

struct FailedCell {
    std::string hash;
    std::string reason;
};

struct StoreCounts {
    std::int64_t sweeps = 0, runs = 0, cells = 0, samples = 0;
    std::int64_t metrics = 0, layer_stats = 0, head_stats = 0, kept_tokens = 0;
};

struct MergeCounts {
    std::int64_t cells = 0;               // cells new to the output
    std::int64_t samples = 0;             // samples copied
    std::int64_t duplicates_skipped = 0;  // samples whose (cell, sample_index) was already there
};

struct StoreOptions {
    int busy_timeout_ms = 10000;
    // PRAGMA max_page_count: a write that would grow the file beyond this many pages fails
    // like a full disk. 0: no limit of ours.
    std::int64_t max_page_count = 0;
};

class ResultStore {
public:
    // Creates the file (and schema) or verifies and, if older, migrates an existing one.
    static ResultStore open(const std::filesystem::path& path, const StoreOptions& options = {});
    ~ResultStore();
    ResultStore(ResultStore&&) noexcept;
    ResultStore& operator=(ResultStore&&) noexcept;

    const std::filesystem::path& path() const;
    int schema_version() const;

    // The sweep row of this spec (same canonical spec: same row, so a resume reuses it).
    std::int64_t register_sweep(const std::string& name, const nlohmann::json& spec);
    // A new run of the sweep with its manifest: string values stored as they are, others as
    // JSON text.
    std::int64_t start_run(std::int64_t sweep_id, const nlohmann::json& manifest);
    std::map<std::string, std::string> manifest(std::int64_t run_id) const;

    // Registers the plan's cells (new ones pending, stored ones keep their status) in one
    // transaction; returns their keys in order.
    std::vector<std::string> add_cells(std::int64_t sweep_id, const std::vector<CellRecord>& cells);
    std::vector<CellProgress> sweep_progress(std::int64_t sweep_id) const;
    CellStatus cell_status(const std::string& hash) const;
    nlohmann::json cell_config(const std::string& hash) const;

    // One transaction: the sample row, its metrics and statistics, all or nothing. Duplicate:
    // (cell, sample_index) is already stored; nothing was written. std::invalid_argument for an
    // unknown cell.
    WriteOutcome write_sample(const SampleResult& sample);
    // Stored sample indices of a cell, ascending: what a resume skips.
    std::vector<std::int64_t> done_samples(const std::string& hash) const;
    std::optional<SampleResult> read_sample(const std::string& hash, std::int64_t index) const;

    void mark_cell_running(const std::string& hash);
    void mark_cell_done(const std::string& hash);  // clears the failure reason
    void mark_cell_failed(const std::string& hash, const std::string& reason);
    std::vector<FailedCell> failed_cells() const;
    // Failed cells back to pending (--retry-failed); their stored samples stay, and the reason
    // stays until the cell is done. Returns how many.
    std::int64_t reset_failed();

    StoreCounts counts() const;

    // Copies another results database (same schema version, verified like open() but never
    // written) into this one in one transaction: cells, sweeps, runs and manifests it lacks,
    // samples with their metrics and statistics unless (cell, sample_index) is already here.
    // A cell's status becomes the more advanced of the two (done > failed > running > pending).
    MergeCounts merge_from(const std::filesystem::path& input);

private:
    struct Impl;
    explicit ResultStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace hace::runner
