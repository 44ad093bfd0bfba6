// The HIV test as a task: build the trial grid of ALGORITHMS.md section 12 for a model (needle
// records x context lengths x depths), run it, and write the score file, sidecar and
// statistics. Used by `hace hiv` and by sweeps (task "hiv"). No torch here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/eval/hiv/hiv_test.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::eval {

struct HivTaskOptions {
    // "r2": HeadKV's R2 needle records (needles.jsonl of detect_r2) in a text haystack;
    // "needle-model": the needle model's own task cases (needle_task.json), for the bundled model.
    std::string protocol = "r2";
    std::filesystem::path needles;   // r2: needles.jsonl; needle-model: needle_task.json
    std::filesystem::path haystack;  // r2: folder of .txt files (sorted order)
    std::int64_t max_length = 0;     // Lmax; 0: min(10000, max_positions - 250) (section 12.2)
    std::int32_t lengths = 5;        // linspace(0, Lmax, lengths), 0 dropped... see hiv_task.cpp
    std::vector<double> depths;      // empty: round(linspace(0, 100, 10))
    std::int64_t max_trials = 0;     // 0: all
};

// Trials of the grid in a deterministic order.
std::vector<HivTrial> build_hiv_trials(const HivTaskOptions& opts, const tokenizer::Tokenizer& tok,
                                       const model::ModelConfig& model);

// Builds, runs (qa_f1 acceptance) and returns the run; write_hiv_outputs() stores it.
HivRunResult run_hiv_task(const model::Model& model, const tokenizer::Tokenizer& tok,
                          const HivTaskOptions& opts, const HivRunOptions& run = {});

}  // namespace hace::eval
