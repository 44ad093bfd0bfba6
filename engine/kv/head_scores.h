// HeadKV head-importance score files (ALGORITHMS.md sections 4.2, 4.3, 13.5, 16 item 10):
// one JSON object keyed "<layer>-<head>" (0-based query heads), each value a list of per-trial
// scores. Pure C++ (no torch).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace hace::kv {

struct HeadScoreFile {
    std::filesystem::path path;
    std::int64_t layers = 0;
    std::int64_t q_heads = 0;
    std::vector<std::vector<std::vector<double>>> trials;  // [layer][query head][trial]
    std::vector<std::vector<double>> mean;                 // [layer][query head]
};

// Parses the keys explicitly (the official loader relies on insertion order). Every (l, h) of
// the grid [0, max l] x [0, max h] must appear exactly once with a non-empty list of finite,
// non-negative numbers; anything else is an InputError naming the file and the key.
HeadScoreFile load_head_score_file(const std::filesystem::path& path);

// Per-KV-head scores [layer][kv head]: query-head means summed over each GQA group (query head
// h belongs to KV head h / (Hq / Hkv)), normalised over all L * Hkv KV heads, then sharpened or
// flattened by the temperature: s <- s^temp / sum s^temp. InputError when the file's shape
// does not match the model, the grouping does not divide, temp <= 0, or every score is zero.
std::vector<std::vector<double>> kv_head_scores(const HeadScoreFile& f, std::int64_t model_layers,
                                                std::int64_t model_q_heads,
                                                std::int64_t model_kv_heads,
                                                double temperature = 1.0);

// Per-query-head scores [layer][query head] as faithful HeadKV allocates them: each head's mean
// to the power of the temperature, normalised over all L * Hq heads (no GQA group sum); all zero
// when every mean is zero.
std::vector<std::vector<double>> query_head_scores(const HeadScoreFile& f, double temperature = 1.0);

// Writes trials [layer][query head][trial] as one line of JSON in the official layout (keys
// layer-major, heads in numeric order), numbers in shortest round-trip form so that
// load_head_score_file gives back exactly the same values. Refuses (InputError) what the loader
// would refuse: an empty or ragged grid, empty lists, negative or non-finite values.
void write_head_score_file(const std::filesystem::path& path,
                           const std::vector<std::vector<std::vector<double>>>& trials);

struct HeadScoreStats {
    std::vector<std::vector<double>> mean;      // [layer][query head]
    std::vector<std::vector<double>> variance;  // unbiased; 0 for a single trial
    std::vector<std::vector<double>> cv;        // std / mean; 0 when the mean is 0
};

HeadScoreStats head_score_stats(const HeadScoreFile& f);

}  // namespace hace::kv
