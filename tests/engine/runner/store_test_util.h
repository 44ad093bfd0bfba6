// Helpers for the results-store tests: raw SQLite access to forge or inspect files behind the
// store's back, sample results with known content, and byte-exact file snapshots.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/runner/result_store.h"

namespace hace::runner::test {

// Runs SQL on a file with a plain connection of its own (gtest failure on error).
void raw_exec(const std::filesystem::path& db, const std::string& sql);
// First column of the first row, as text ("" when no row).
std::string raw_query(const std::filesystem::path& db, const std::string& sql);

std::string file_bytes(const std::filesystem::path& path);

// A config standing for cell number i (the store needs any JSON; plans give real ones).
nlohmann::json cell_config(int i);

// Sample `index` of `cell`: prediction, references, three metrics, per-layer and per-head
// statistics for 2 layers x 2 heads, all derived from the index so two writes can be compared.
SampleResult make_sample(const std::string& cell, std::int64_t index);

// Field-by-field equality of what the store keeps (stats in the store's order).
void expect_same_sample(const SampleResult& a, const SampleResult& b);

// A store at `path` with one sweep and `n_cells` cells; returns their keys.
std::vector<std::string> add_test_cells(ResultStore& store, int n_cells, std::int64_t samples);

}  // namespace hace::runner::test
