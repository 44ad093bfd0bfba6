// Test fixtures for the runner: a ValidationContext shaped like the engine's (a few methods with
// their parameter defaults, LongBench and needle tasks), a model describer that reads a folder's
// config.json as the CLI will, and the published OPT-13B config for the position-limit case.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/runner/validation_context.h"

namespace hace::runner::test {

// Methods: full (no compression), snapkv {window, kernel}, hace {beta, window} and headkv
// {beta} (both need head scores). Tasks: narrativeqa and multifieldqa_zh (data.longbench,
// <task>.jsonl), niah (data.haystack, options.depths in [0, 1]).
ValidationContext test_context();

// ModelInfo from DIR/config.json (name = folder name), or the reason it cannot be read.
std::variant<ModelInfo, std::string> describe_from_config(const std::filesystem::path& dir);

// dir/opt-13b/config.json with facebook/opt-13b's published values; returns the folder.
std::filesystem::path write_opt13b_model(const std::filesystem::path& dir);

// The real shared-data folders used by the tests.
std::filesystem::path stories_model();  // stories260K: 5 layers, 512 positions
std::filesystem::path needle_model();   // needle-llama-1m: 4 layers, 2048 positions
std::filesystem::path longbench_dir();  // holds multifieldqa_zh.jsonl, lacks narrativeqa.jsonl
std::filesystem::path haystack_dir();
std::filesystem::path head_score_file();  // official HeadKV Mistral retrieval-head scores

}  // namespace hace::runner::test
