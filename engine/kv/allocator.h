// The two-stage allocator of ALGORITHMS.md section 13 in equal-budget mode (section 16): Stage 1
// gives each layer a total, Stage 2 splits it among the layer's KV heads; both integerised by
// integerise_capped so every lattice point stores exactly the same number of entries.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace hace::kv {

enum class LayerRule { Uniform, Pyramid, Cake, HeadkvImplied };
enum class HeadRule { Uniform, HeadkvSplit, AdaSplit };

std::string_view layer_rule_name(LayerRule r);  // "UNIFORM", "PYRAMID", "CAKE", "HEADKV_IMPLIED"
std::string_view head_rule_name(HeadRule r);    // "UNIFORM", "HEADKV_SPLIT", "ADA_SPLIT"

struct AllocationInput {
    std::int64_t layers = 0;      // L
    std::int64_t heads = 0;       // H (KV heads)
    std::int64_t budget = 0;      // B = C - w_keep, selectable entries per head on average
    std::int64_t selectable = 0;  // P = n - w_keep, the per-head cap
    double pyramid_beta = 20.0;
    double headkv_beta = 1.01;
    double ada_alpha = 0.2;
    // CAKE: preferences of the layers allocated so far (cascading passes a prefix; the whole
    // T = L*H*B is still distributed over them, capped at H*P per layer).
    std::vector<double> preferences;
    // HeadKV: scores s[l][h] normalised over all L*H KV heads (sum 1).
    std::vector<std::vector<double>> head_scores;
    // AdaKV: selector scores [l][h][j < P] of the layers allocated.
    std::vector<std::vector<std::vector<float>>> ada_scores;
};

struct Allocation {
    bool compressed = true;                        // false: T >= L*H*P, everything kept
    std::vector<std::int64_t> layer_total;         // T_l (selected entries, window excluded)
    std::vector<std::vector<std::int64_t>> heads;  // b[l][h]
};

// Allocates the layers present in the input: all L, or for CAKE the first preferences.size().
// Throws std::invalid_argument on inconsistent inputs (missing scores for the chosen rule).
Allocation allocate(LayerRule layer_rule, HeadRule head_rule, const AllocationInput& in);

// The two stages separately, for callers that allocate layer by layer during a prefill.
// true when T = L*H*B >= L*H*P (nothing to compress, section 16.13).
bool covers_prompt(const AllocationInput& in);
// Stage 1 integer totals of the layers present (see allocate).
std::vector<std::int64_t> layer_totals(LayerRule rule, const AllocationInput& in);
// Stage 2 integer head budgets of layer l with total `layer_total`; ADA_SPLIT reads
// `ada_layer_scores` ([h][j < P]) instead of in.ada_scores.
std::vector<std::int64_t> split_layer(HeadRule rule, const AllocationInput& in, std::size_t l,
                                      std::int64_t layer_total,
                                      const std::vector<std::vector<float>>* ada_layer_scores);

}  // namespace hace::kv
