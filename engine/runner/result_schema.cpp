#include "engine/runner/result_schema.h"

#include <stdexcept>
#include <string>

namespace hace::runner {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE sweeps (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    spec_hash  TEXT NOT NULL UNIQUE CHECK (length(spec_hash) = 64),
    spec_json  TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE runs (
    id         INTEGER PRIMARY KEY,
    uid        TEXT NOT NULL UNIQUE,
    sweep_id   INTEGER NOT NULL REFERENCES sweeps(id),
    started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE manifest (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    key    TEXT NOT NULL CHECK (key <> ''),
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE TABLE cells (
    hash           TEXT PRIMARY KEY CHECK (length(hash) = 64),
    config_json    TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'done', 'failed')),
    failure_reason TEXT,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;
CREATE TABLE sweep_cells (
    sweep_id  INTEGER NOT NULL REFERENCES sweeps(id),
    cell_hash TEXT NOT NULL REFERENCES cells(hash),
    position  INTEGER NOT NULL,
    samples   INTEGER NOT NULL CHECK (samples >= 0),
    PRIMARY KEY (sweep_id, cell_hash)
) WITHOUT ROWID;
CREATE INDEX sweep_cells_by_cell ON sweep_cells(cell_hash);
CREATE TABLE samples (
    id                 INTEGER PRIMARY KEY,
    cell_hash          TEXT NOT NULL REFERENCES cells(hash),
    sample_index       INTEGER NOT NULL CHECK (sample_index >= 0),
    sample_id          TEXT NOT NULL,
    run_id             INTEGER REFERENCES runs(id),
    prediction         TEXT NOT NULL,
    references_json    TEXT NOT NULL,
    metrics_json       TEXT NOT NULL,
    prompt_tokens      INTEGER NOT NULL,
    output_tokens      INTEGER NOT NULL,
    prefill_ms         REAL,
    decode_ms          REAL,
    total_ms           REAL,
    peak_bytes         INTEGER,
    kv_bytes           INTEGER,
    kv_full_entries    INTEGER,
    kv_kept_entries    INTEGER,
    retention_nominal  REAL,
    retention_realised REAL,
    extra_json         TEXT NOT NULL DEFAULT '{}',
    created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (cell_hash, sample_index)
);
CREATE INDEX samples_by_run ON samples(run_id);
CREATE TABLE metrics (
    sample_row INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (name <> ''),
    value      REAL,
    PRIMARY KEY (sample_row, name)
) WITHOUT ROWID;
CREATE TABLE layer_stats (
    sample_row INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
    layer      INTEGER NOT NULL CHECK (layer >= 0),
    name       TEXT NOT NULL CHECK (name <> ''),
    value      REAL,
    PRIMARY KEY (sample_row, layer, name)
) WITHOUT ROWID;
CREATE TABLE head_stats (
    sample_row INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
    layer      INTEGER NOT NULL CHECK (layer >= 0),
    head       INTEGER NOT NULL CHECK (head >= 0),
    name       TEXT NOT NULL CHECK (name <> ''),
    value      REAL,
    PRIMARY KEY (sample_row, layer, head, name)
) WITHOUT ROWID;
CREATE VIEW sample_metrics AS
    SELECT s.cell_hash, s.sample_index, s.sample_id, m.name, m.value
    FROM samples s JOIN metrics m ON m.sample_row = s.id;
)sql";

void create_v1(detail::Db& db) {
    db.exec(kSchemaV1, "creating the schema (version 1)");
}

// Kept prompt positions of a sample (sweeps with "store_kept": true), see kept_positions.h.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE kept_tokens (
    sample_row  INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
    tokens      INTEGER NOT NULL CHECK (tokens >= 0),
    layers      INTEGER NOT NULL CHECK (layers >= 0),
    heads       INTEGER NOT NULL CHECK (heads >= 0),
    query_start INTEGER,
    positions   BLOB NOT NULL,
    token_ids   TEXT NOT NULL,
    token_text  TEXT NOT NULL
);
)sql";

void create_v2(detail::Db& db) {
    db.exec(kSchemaV2, "adding the kept_tokens table (version 2)");
}

}  // namespace

const std::vector<Migration>& schema_migrations() {
    static const std::vector<Migration> steps = {
        {1, "initial schema: sweeps, runs, manifest, cells, samples, metrics, statistics",
         &create_v1},
        {2, "kept_tokens: kept prompt positions per sample (store_kept)", &create_v2},
    };
    return steps;
}

const std::vector<std::string_view>& schema_tables() {
    static const std::vector<std::string_view> tables = {
        "schema_migrations", "sweeps",  "runs",        "manifest",   "cells",      "sweep_cells",
        "samples",           "metrics", "layer_stats", "head_stats", "kept_tokens"};
    return tables;
}

std::vector<std::string_view> schema_tables(int version) {
    std::vector<std::string_view> out;
    for (const auto table : schema_tables()) {
        if (version < 2 && table == "kept_tokens") continue;  // added by migration 2
        out.push_back(table);
    }
    return out;
}

void migrate(detail::Db& db, int from) {
    for (const Migration& step : schema_migrations()) {
        if (step.version <= from) continue;
        const std::string what = "migrating the schema to version " + std::to_string(step.version);
        detail::Transaction tx(db, what);
        step.apply(db);
        auto row =
            db.prepare("INSERT INTO schema_migrations(version, description) VALUES (?, ?)", what);
        row.bind(1, std::int64_t(step.version)).bind(2, step.description).run();
        db.exec("PRAGMA application_id = " + std::to_string(kApplicationId), what);
        db.exec("PRAGMA user_version = " + std::to_string(step.version), what);
        tx.commit();
    }
    if (schema_migrations().back().version != kSchemaVersion) {
        throw std::logic_error("result schema: migrations do not reach kSchemaVersion");
    }
}

}  // namespace hace::runner
