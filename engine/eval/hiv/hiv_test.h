// The Head Importance Variance (HIV) test (ALGORITHMS.md section 12): the R2 head-credit
// protocol of HeadKV (section 4.4) run over a grid of needle trials, producing per-head score
// lists in HeadKV's file format, a sidecar table of the trials and stability statistics.
// No torch in this header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::eval {

struct HivTrial {
    std::string id;                      // unique within a run, e.g. "r2-0/L2500/d33"
    nlohmann::json record;               // the needle record (question, answer, ...)
    std::int64_t context_length = 0;     // Lc of the grid
    double depth = 0.0;                  // delta (percent)
    std::vector<model::TokenId> prompt;  // BOS included
    std::int64_t span_begin = 0;         // the real needle's tokens: prompt[begin, end)
    std::int64_t span_end = 0;
    std::string answer;                  // reference for the acceptance rule
    std::int32_t max_steps = 50;
    std::int32_t answer_tokens = 0;      // > 0: stop after as many tokens (R2)
};

struct HivTrialResult {
    std::vector<std::vector<double>> credit;  // [layer][query head], summed over the steps
    std::vector<model::TokenId> response_ids;
    std::string response;
    double score = 0.0;  // acceptance metric in [0, 1] (qa_f1 for R2)
    bool accepted = false;
};

// Acceptance metric of a response against the reference (R2: LongBench qa_f1); a trial counts
// when 100 * metric > 50.
using HivAcceptance = std::function<double(const std::string& response, const std::string& answer)>;

// Prefills all prompt tokens but the last, then decodes greedily from the last prompt token,
// crediting heads at every step (the prompt's last token is step 0's query). Stops at EOS, at a
// token whose text holds a newline, after answer_tokens tokens (if set), or after max_steps.
HivTrialResult run_hiv_trial(const model::Model& model, const tokenizer::Tokenizer& tok,
                             const HivTrial& trial, const HivAcceptance& accept);

struct HivStatistics {
    std::vector<std::vector<double>> mean, variance, cv;  // per head (section 12 item 4)
    // Per layer: D_l = population variance over heads of mu_{l,h} / sum_h mu_{l,h} (0 when the
    // layer's sum is 0), and the entropy -sum p log p (natural log) of those shares, also
    // divided by log H (1 = perfectly even).
    std::vector<double> dispersion, entropy, entropy_normalised;
    // Spearman rank correlation (average ranks for ties) of mu over all heads between the
    // even- and odd-numbered accepted trials, and between the trials at the shorter and at the
    // longer half of the context lengths (short: Lc <= the lower median of the distinct
    // lengths). Unset when a half is empty or has no rank variance.
    std::optional<double> split_half_spearman, short_long_spearman;
    std::int64_t trials = 0, accepted = 0;
};

// credit: [layer][head][accepted trial]; lengths: Lc of each accepted trial.
HivStatistics hiv_statistics(const std::vector<std::vector<std::vector<double>>>& credit,
                             const std::vector<std::int64_t>& lengths, std::int64_t trials);

// Spearman's rho with average ranks for ties; nullopt for fewer than 2 items or zero variance.
std::optional<double> spearman(const std::vector<double>& a, const std::vector<double>& b);

struct HivProgress {
    std::int64_t done = 0, total = 0, accepted = 0;
};

struct HivRunOptions {
    std::function<void(const HivProgress&)> on_trial;  // after every trial
};

struct HivRunResult {
    std::vector<std::vector<std::vector<double>>> credit;  // [layer][head][accepted trial]
    std::vector<HivTrial> trials;
    std::vector<HivTrialResult> results;
    HivStatistics stats;
};

HivRunResult run_hiv_test(const model::Model& model, const tokenizer::Tokenizer& tok,
                          const std::vector<HivTrial>& trials, const HivAcceptance& accept,
                          const HivRunOptions& opts = {});

// Writes `scores` (HeadKV format, one line, loadable by load_head_score_file), and beside it
// `<scores>.trials.jsonl` (one row per trial in list order: accepted trials first carry their
// list index) and `<scores>.stats.json`. InputError when no trial was accepted.
void write_hiv_outputs(const std::filesystem::path& scores, const HivRunResult& run);

}  // namespace hace::eval
