#include "engine/kv/allocator.h"

#include <stdexcept>

#include "engine/kv/budget.h"

namespace hace::kv {

std::string_view layer_rule_name(LayerRule r) {
    switch (r) {
        case LayerRule::Uniform: return "UNIFORM";
        case LayerRule::Pyramid: return "PYRAMID";
        case LayerRule::Cake: return "CAKE";
        case LayerRule::HeadkvImplied: return "HEADKV_IMPLIED";
    }
    return "?";
}

std::string_view head_rule_name(HeadRule r) {
    switch (r) {
        case HeadRule::Uniform: return "UNIFORM";
        case HeadRule::HeadkvSplit: return "HEADKV_SPLIT";
        case HeadRule::AdaSplit: return "ADA_SPLIT";
    }
    return "?";
}

namespace {

std::vector<double> stage1_reals(LayerRule rule, const AllocationInput& in, std::int64_t total) {
    switch (rule) {
        case LayerRule::Uniform: return stage1_uniform(in.layers, in.heads, in.budget);
        case LayerRule::Pyramid:
            return stage1_pyramid(in.layers, in.heads, in.budget, in.selectable, in.pyramid_beta);
        case LayerRule::Cake:
            if (in.preferences.empty()) throw std::invalid_argument("CAKE needs preferences");
            return stage1_cake(in.preferences, total);
        case LayerRule::HeadkvImplied:
            if (static_cast<std::int64_t>(in.head_scores.size()) != in.layers) {
                throw std::invalid_argument("HEADKV_IMPLIED needs scores for every layer");
            }
            return stage1_headkv_implied(in.head_scores, in.budget, in.headkv_beta);
    }
    return {};
}

std::vector<double> stage2_reals(HeadRule rule, const AllocationInput& in, std::size_t l,
                                 std::int64_t layer_total, std::vector<double>& weights,
                                 const std::vector<std::vector<float>>* ada_layer_scores) {
    switch (rule) {
        case HeadRule::Uniform: {
            weights.assign(static_cast<std::size_t>(in.heads), 1.0);
            return stage2_uniform(layer_total, in.heads);
        }
        case HeadRule::HeadkvSplit: {
            if (l >= in.head_scores.size()) throw std::invalid_argument("HEADKV_SPLIT needs scores");
            weights = in.head_scores[l];
            const std::int64_t m = in.budget - headkv_pool(in.budget, in.headkv_beta);
            return stage2_headkv(layer_total, in.head_scores[l], m);
        }
        case HeadRule::AdaSplit: {
            const auto* scores = ada_layer_scores;
            if (!scores && l < in.ada_scores.size()) scores = &in.ada_scores[l];
            if (!scores) throw std::invalid_argument("ADA_SPLIT needs scores");
            auto reals = stage2_ada(layer_total, *scores, in.ada_alpha);
            weights = reals;
            return reals;
        }
    }
    return {};
}

}  // namespace

bool covers_prompt(const AllocationInput& in) {
    return in.layers * in.heads * in.budget >= in.layers * in.heads * in.selectable;
}

std::vector<std::int64_t> layer_totals(LayerRule rule, const AllocationInput& in) {
    if (in.layers <= 0 || in.heads <= 0 || in.budget < 0 || in.selectable < 0) {
        throw std::invalid_argument("allocate: bad sizes");
    }
    const std::int64_t total = in.layers * in.heads * in.budget;  // T
    const auto n_layers =
        rule == LayerRule::Cake ? static_cast<std::int64_t>(in.preferences.size()) : in.layers;
    const std::int64_t layer_cap = in.heads * in.selectable;
    if (covers_prompt(in)) return std::vector<std::int64_t>(static_cast<std::size_t>(n_layers), layer_cap);
    // A cascade prefix cannot hold more than its caps; the excess waits for later layers.
    const std::int64_t placed = std::min(total, layer_cap * n_layers);
    const auto reals = stage1_reals(rule, in, total);
    return integerise_capped(reals, placed, layer_cap, reals);
}

std::vector<std::int64_t> split_layer(HeadRule rule, const AllocationInput& in, std::size_t l,
                                      std::int64_t layer_total,
                                      const std::vector<std::vector<float>>* ada_layer_scores) {
    if (covers_prompt(in)) {
        return std::vector<std::int64_t>(static_cast<std::size_t>(in.heads), in.selectable);
    }
    std::vector<double> weights;
    const auto reals = stage2_reals(rule, in, l, layer_total, weights, ada_layer_scores);
    return integerise_capped(reals, layer_total, in.selectable, weights);
}

Allocation allocate(LayerRule layer_rule, HeadRule head_rule, const AllocationInput& in) {
    Allocation a;
    a.compressed = !covers_prompt(in);
    a.layer_total = layer_totals(layer_rule, in);
    for (std::size_t l = 0; l < a.layer_total.size(); ++l) {
        a.heads.push_back(split_layer(head_rule, in, l, a.layer_total[l], nullptr));
    }
    return a;
}

}  // namespace hace::kv
