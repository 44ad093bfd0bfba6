// Runs a sweep into a results database (DESIGN.md sections 3, 7 and 8; `hace run`).
//
// Order: models in plan order, each loaded once; inside a model, the cells sharing a task and a
// context length form a group whose samples are built once (tokenised on the worker pool while
// the model works on the previous group) and shared by all its cells. A group runs sample by
// sample: for sample i, the full-cache run first, capturing its outputs and step logits as the
// reference for the consistency metrics of the compressed runs of sample i, then every
// compressed cell. Without a "full" method in the sweep the reference is still computed (the
// consistency metrics need it) but not stored, since no cell asked for it; a resumed sweep
// recomputes the reference of a sample whose full-cache row is already stored.
//
// A finished run is scored (prediction, metrics, consistency, KL) on the worker pool while the
// model runs the next one; outcomes are settled on the model's thread in the order the runs
// finished, before the next sample (B = 1) or the next phase of a chunk (batched), so rows and
// their order match inline scoring. Every sample is written in one transaction
// (ResultStore::write_sample) by a writer thread fed through a bounded queue, so SQLite's fsync
// overlaps the next sample's forward pass.
// A cell whose sample throws (bad input, std::bad_alloc, ...) is marked failed with the reason
// and the sweep goes on; a failed cell is skipped by later runs unless retry_failed resets it.
// Cancel and pause take effect between samples; what was finished is stored, the sample in
// flight is not, and a resume continues exactly (cells keyed by config, samples by index).
//
// Storage: the sample row (prediction, references, metrics, tokens, timings, peak memory, KV
// bytes and entries, nominal and realised retention), extra {method_name, model_dir, output_ids,
// decode_ms_per_token, tokens_per_s, compression_ms, kv_bits, params, kv_after_prefill, kv_end,
// meta}, per-layer statistics budget, preference, entropy, variance, specialization, gini and
// per-head statistics budget, kept.
//
// The HIV task: one cell per model (execution_plan.h) running eval::run_hiv_task; the score file,
// its sidecar and statistics go to "<db folder>/<db stem>.hiv/<model name>.json" (+ .trials.jsonl,
// .stats.json) and the sample row holds the summary (trials, accepted, acceptance_rate,
// split_half_spearman, short_long_spearman, mean_dispersion, mean_entropy_normalised) with
// per-layer dispersion/entropy and per-head importance/cv statistics.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runner/exec/execution_plan.h"
#include "engine/runner/exec/sweep_events.h"
#include "engine/runner/result_store.h"
#include "engine/runner/sweep_spec.h"

namespace hace::runner {

struct RunOptions {
    // Continue a database that already holds results of this sweep. Without it such a database
    // is refused (results are never silently mixed into an unrelated run).
    bool resume = false;
    // Every failed cell of the database back to pending before running (implies resume).
    bool retry_failed = false;
    // Validate and plan only: on_sweep_started gets the plan, the database is not touched.
    bool dry_run = false;
    std::atomic<bool>* cancel = nullptr;     // set: stop at the next sample boundary
    std::atomic<bool>* pause = nullptr;      // set: wait at the next sample boundary
    int threads = 0;                         // compute threads of the backend (0: its default)
    std::optional<CellGroup> cell_group;     // run only this group of the plan's cells
    std::size_t write_queue = 8;             // finished samples waiting for the writer, at most
    std::optional<std::int32_t> batch_size;  // overrides the spec's batch_size (1..256)
    bool batch_size_auto = false;            // overrides the spec's batch_size with "auto" (wins)
    StoreOptions store;
    SweepEvents events;
    // The worker pool beside the model's thread: scoring finished samples and building the next
    // group's samples. Two workers, so a long build never holds up the scoring the model waits
    // for at a phase's end; idle workers sleep, so on a small host the backend's compute team
    // keeps the cores. work_queue: jobs waiting for a worker, at most (submit waits beyond).
    std::size_t workers = 2;
    std::size_t work_queue = 8;
    // Called on the model thread before each sample of a cell; what it throws fails the cell as
    // an exception of the run would (fault injection in tests, resource guards).
    std::function<void(const RunCell&, std::int64_t sample_index)> before_sample;
};

struct CellFailure {
    std::string hash;
    std::string label;  // "model / task / method R=0.1 / ctx 512"
    std::string reason;
};

struct RunSummary {
    std::string name;
    std::filesystem::path db;
    std::int64_t cells = 0;            // cells of the plan (or of the group)
    std::int64_t cells_done = 0;       // complete after this run
    std::int64_t samples_planned = 0;  // as far as the tasks have samples
    std::int64_t samples_done = 0;     // stored by this run
    std::int64_t samples_skipped = 0;  // already stored
    std::vector<CellFailure> failures;
    bool cancelled = false;
    std::optional<std::int64_t> sweep_id, run_id;
    double seconds = 0.0;
    // {cells, cells_done, samples_planned, samples_done, samples_skipped, failures: [{cell,
    //  label, reason}], cancelled, db, sweep, seconds}
    nlohmann::json to_json() const;
};

RunSummary run_sweep(const SweepSpec& spec, const std::filesystem::path& db,
                     const RunOptions& options = {});
// Loads the spec (relative paths against its folder) and runs it.
RunSummary run_sweep(const std::filesystem::path& spec_file, const std::filesystem::path& db,
                     const RunOptions& options = {});

// "<db folder>/<db stem>.hiv/<model name>.json".
std::filesystem::path hiv_score_path(const std::filesystem::path& db, const std::string& model);

// One line naming a cell for people: "needle-llama-1m / needle / snapkv R=0.1 / ctx 512".
std::string cell_label(const RunCell& cell);

}  // namespace hace::runner
