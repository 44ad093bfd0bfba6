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
                                 std::int64_t layer_total, std::vector<double>& weights) {
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
            if (l >= in.ada_scores.size()) throw std::invalid_argument("ADA_SPLIT needs scores");
            auto reals = stage2_ada(layer_total, in.ada_scores[l], in.ada_alpha);
            weights = reals;
            return reals;
        }
    }
    return {};
}

}  // namespace

Allocation allocate(LayerRule layer_rule, HeadRule head_rule, const AllocationInput& in) {
    if (in.layers <= 0 || in.heads <= 0 || in.budget < 0 || in.selectable < 0) {
        throw std::invalid_argument("allocate: bad sizes");
    }
    const std::int64_t total = in.layers * in.heads * in.budget;  // T
    const auto n_layers = layer_rule == LayerRule::Cake
                              ? static_cast<std::int64_t>(in.preferences.size())
                              : in.layers;
    Allocation a;
    if (total >= in.layers * in.heads * in.selectable) {
        // Section 16.13: nothing is compressed; every head keeps all selectable positions.
        a.compressed = false;
        a.layer_total.assign(static_cast<std::size_t>(n_layers), in.heads * in.selectable);
        a.heads.assign(static_cast<std::size_t>(n_layers),
                       std::vector<std::int64_t>(static_cast<std::size_t>(in.heads), in.selectable));
        return a;
    }
    // A cascade prefix cannot hold more than its caps; the excess waits for later layers.
    const std::int64_t layer_cap = in.heads * in.selectable;
    const std::int64_t placed = std::min(total, layer_cap * n_layers);
    const auto reals = stage1_reals(layer_rule, in, total);
    a.layer_total = integerise_capped(reals, placed, layer_cap, reals);
    for (std::size_t l = 0; l < a.layer_total.size(); ++l) {
        std::vector<double> weights;
        const auto head_reals = stage2_reals(head_rule, in, l, a.layer_total[l], weights);
        a.heads.push_back(integerise_capped(head_reals, a.layer_total[l], in.selectable, weights));
    }
    return a;
}

}  // namespace hace::kv
