// The one table of KV-cache methods of the allocator lattice (ALGORITHMS.md section 13.2) and the
// configuration of a compressed run. No torch here: front ends include this.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/kv/allocator.h"
#include "engine/kv/selector.h"
#include "engine/model/model.h"

namespace hace::kv {

struct MethodRow {
    std::string_view id;  // CLI id: "hace", "snapkv", ...
    bool compresses;      // false for "full"
    LayerRule layer_rule;
    HeadRule head_rule;
    std::string_view spec;  // ALGORITHMS.md section
    std::string_view summary;
};

const std::vector<MethodRow>& method_rows();
// Throws InputError listing the known ids.
const MethodRow& method_by_id(std::string_view id);
bool needs_head_scores(const MethodRow& row);

struct CompressionConfig {
    std::string method = "full";
    SelectorConfig selector = sel_cake();
    std::optional<double> retention;       // R in (0, 1]: C = max(8, round_half_even(R * n))
    std::optional<std::int64_t> capacity;  // C directly
    double pyramid_beta = 20.0;
    double headkv_beta = 1.01;
    double ada_alpha = 0.2;
    double tau1 = 1.0, tau2 = 1.0;  // CAKE preference exponents
    double head_temperature = 1.0;
    // HeadKV/HACE: KV-head scores [L][Hkv], normalised over all heads (kv::kv_head_scores).
    std::vector<std::vector<double>> head_scores;
    std::string head_scores_source;  // file they came from (echoed in params)
    bool decode_eviction = true;     // SEL-CAKE's per-step eviction (section 5.4 / 13.7)

    // Throws InputError on an unknown method, missing/invalid budget, missing head scores.
    void validate(const model::ModelConfig& model) const;
    // C for a prompt of n tokens.
    std::int64_t capacity_for(std::int64_t n) const;
    // Every hyperparameter actually used, for dumps and result rows.
    nlohmann::json params() const;
};

// Python round(): half to even.
std::int64_t round_half_even(double x);

// A session whose cache compresses the prompt with `cfg` (the full cache for method "full").
std::unique_ptr<model::Session> new_compressed_session(const model::Model& model,
                                                       std::int64_t max_tokens,
                                                       const CompressionConfig& cfg);

}  // namespace hace::kv
