// Fixtures of the executor tests: the bundled needle model and its data, sweep specs over it with
// absolute paths, and the stored rows of a database in a form two runs can be compared by.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runner/sweep_spec.h"

namespace hace::runner::test {

std::filesystem::path needle_model();          // resources/models/needle-llama-1m
std::filesystem::path needle_head_scores();    // its bundled head_scores_hiv.json
std::filesystem::path needle_task_data();      // shared/data/models/needle-llama-1m
std::filesystem::path paul_graham_haystack();  // shared/data/haystack/paul_graham

// A sweep on the needle model, task "needle" at 256 tokens unless changed by the caller.
nlohmann::json needle_sweep(const nlohmann::json& methods, const std::vector<double>& retentions,
                            std::int64_t samples);
SweepSpec parse_spec(const nlohmann::json& j);

// (cell, sample_index) -> the stored row without the columns that measure time or memory
// (prefill_ms, decode_ms, total_ms, peak_bytes) and the cell's status, from result_tables.h's
// sample table.
using StoredRows = std::map<std::pair<std::string, std::int64_t>, nlohmann::json>;
StoredRows stored_rows(const std::filesystem::path& db);

}  // namespace hace::runner::test
