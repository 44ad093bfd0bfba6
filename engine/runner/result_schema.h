// The results database (DESIGN.md sections 4 and 8): one SQLite file in WAL mode that any SQLite
// tool can open. PRAGMA application_id = 0x48414345 ("HACE") marks it as ours and PRAGMA
// user_version holds the schema version; a file without both is never touched.
//
// Schema version 1 (timestamps are UTC ISO 8601 text, e.g. 2025-01-31T12:00:00.000Z):
//   schema_migrations(version PK, description, applied_at)  one row per applied migration
//   sweeps(id PK, name, spec_hash UNIQUE, spec_json, created_at)
//       spec_hash = SHA-256 of the canonical spec JSON; running the same spec again reuses it
//   runs(id PK, uid UNIQUE, sweep_id -> sweeps, started_at)
//       one invocation of a sweep (first run or resume); uid is random, so runs merge cleanly
//   manifest(run_id -> runs, key, value; PK (run_id, key))
//       engine version and git hash, library versions, CPU/GPU, dtype, seeds, chat template,
//       every hyperparameter: whatever the executor records, as text (JSON for structures)
//   cells(hash PK = SHA-256 of the canonical cell config (sweep_plan.h), config_json,
//         status 'pending'|'running'|'done'|'failed', failure_reason, created_at, updated_at)
//   sweep_cells(sweep_id -> sweeps, cell_hash -> cells, position, samples; PK (sweep_id,
//         cell_hash)): which cells a sweep planned, in plan order, and how many samples each
//   samples(id PK, cell_hash -> cells, sample_index >= 0, sample_id (the dataset's id),
//         run_id -> runs, prediction, references_json, metrics_json, prompt_tokens,
//         output_tokens, prefill_ms, decode_ms, total_ms, peak_bytes, kv_bytes,
//         kv_full_entries, kv_kept_entries, retention_nominal (NULL for full),
//         retention_realised, extra_json, created_at; UNIQUE (cell_hash, sample_index))
//   metrics(sample_row -> samples.id, name, value; PK (sample_row, name))
//       the metrics of metrics_json, one row each, for SQL (NULL value: not a number)
//   layer_stats(sample_row -> samples.id, layer >= 0, name, value; PK (sample_row, layer, name))
//   head_stats(sample_row -> samples.id, layer >= 0, head >= 0, name, value;
//         PK (sample_row, layer, head, name))      budget, kept, importance, ... per KV head
//   view sample_metrics(cell_hash, sample_index, sample_id, name, value)
// Version 2 adds (a version-1 file is migrated on open):
//   kept_tokens(sample_row PK -> samples.id, tokens, layers, heads, query_start (first prompt
//         position appended uncompressed in query-agnostic mode; NULL: query-aware), positions
//         BLOB (kept_positions.h), token_ids (JSON array of the prompt ids), token_text (JSON
//         array: the text each prompt token adds)): written only by sweeps with store_kept
// A sample, its metrics and its statistics are written in one transaction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/runner/sqlite_db.h"

namespace hace::runner {

inline constexpr std::int32_t kApplicationId = 0x48414345;  // "HACE"
inline constexpr int kSchemaVersion = 2;

// Migration to `version` from version - 1 (version 1: from an empty database).
struct Migration {
    int version;
    std::string_view description;
    void (*apply)(detail::Db& db);
};

const std::vector<Migration>& schema_migrations();

// The tables every version-kSchemaVersion database has (checked on open).
const std::vector<std::string_view>& schema_tables();
// The tables a database at `version` (1 .. kSchemaVersion) has: what an older file must hold
// before it is migrated.
std::vector<std::string_view> schema_tables(int version);

// Brings a database at user_version `from` (0: empty, ours to initialise) to kSchemaVersion,
// one transaction per step: the step's changes, its schema_migrations row, user_version and
// application_id commit together or not at all.
void migrate(detail::Db& db, int from);

}  // namespace hace::runner
