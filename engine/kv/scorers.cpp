#include "engine/kv/scorers.h"

#include "engine/kv/token_scorer.h"

namespace hace::kv {

// Each factory lives in its scorer's file (engine/kv/scorers/).
std::unique_ptr<TokenScorer> make_window_scorer(const CompressionConfig& cfg);
std::unique_ptr<TokenScorer> make_random_scorer(const CompressionConfig& cfg);
std::unique_ptr<TokenScorer> make_knorm_scorer(const CompressionConfig& cfg);
std::unique_ptr<TokenScorer> make_tova_scorer(const CompressionConfig& cfg);
std::unique_ptr<TokenScorer> make_expected_attention_scorer(const CompressionConfig& cfg);

namespace {

SelectorConfig scorer_defaults(const char* id, std::int64_t window) {
    return {SelectorConfig::Kind::Scorer, window, 1, 0.0, id};
}

}  // namespace

const std::vector<ScorerRow>& scorer_rows() {
    static const std::vector<ScorerRow> rows = {
        {"cake", "SEL-CAKE", "5.1, 16.1",
         "window mean + gamma * variance of the last w queries' attention, avg pool, group mean "
         "(w 32, gamma 200, pool 5); evicts while decoding",
         false, sel_cake(), make_window_scorer},
        {"snap", "SEL-SNAP", "1, 16.1",
         "window mean of the last w queries' attention, group mean, max pool (w 8, pool 7)", false,
         sel_snap(), make_window_scorer},
        {"random",
         "RANDOM",
         "docs/scorers.md 1",
         "seeded uniform random scores (--scorer-seed): the floor every comparison needs",
         true,
         scorer_defaults("random", 32),
         make_random_scorer,
         {"scorer_seed"}},
        {"knorm", "KNORM", "docs/scorers.md 2 (Devoto et al. 2024)",
         "keys with the lowest L2 norm (after RoPE, as cached) are kept", true,
         scorer_defaults("knorm", 32), make_knorm_scorer},
        {"tova",
         "TOVA",
         "docs/scorers.md 3 (Oren et al. 2024)",
         "attention of the last prompt query, group mean; evicts the lowest-scored entry at "
         "every decode step",
         true,
         scorer_defaults("tova", 32),
         make_tova_scorer,
         {"decode_eviction"}},
        {"expected-attention",
         "EXPECTED-ATTENTION",
         "docs/scorers.md 4 (Devoto et al. 2025)",
         "attention expected from future queries modelled as a Gaussian fitted to the last w "
         "queries, times the value norm",
         true,
         scorer_defaults("expected-attention", 32),
         make_expected_attention_scorer,
         {"sinks"},
         "the last w rotated prompt queries stand in for the future queries (the paper: "
         "pre-RoPE statistics, rotation averaged over the next positions); the cache sees "
         "queries after RoPE only"},
    };
    return rows;
}

const ScorerRow* find_scorer(std::string_view id) {
    for (const auto& r : scorer_rows()) {
        if (r.id == id) return &r;
    }
    return nullptr;
}

}  // namespace hace::kv
