#include "engine/kv/methods.h"

#include <cmath>

#include "engine/core/error.h"

namespace hace::kv {

const std::vector<MethodRow>& method_rows() {
    using L = LayerRule;
    using H = HeadRule;
    static const std::vector<MethodRow> rows = {
        {"full", false, L::Uniform, H::Uniform, "-", "uncompressed cache"},
        {"snapkv", true, L::Uniform, H::Uniform, "1, 13.2", "uniform layers, uniform heads"},
        {"pyramidkv", true, L::Pyramid, H::Uniform, "2, 16.7", "pyramid layers, uniform heads"},
        {"adakv", true, L::Uniform, H::AdaSplit, "3, 16.11", "uniform layers, adaptive heads"},
        {"cake", true, L::Cake, H::Uniform, "5, 16.12", "CAKE layer budgets (= hace-layer)"},
        {"headkv", true, L::HeadkvImplied, H::HeadkvSplit, "4.2, 16.12",
         "HeadKV head budgets (= hace-head)"},
        {"hace", true, L::Cake, H::HeadkvSplit, "13", "CAKE layers x HeadKV heads"},
        {"hace-layer", true, L::Cake, H::Uniform, "13.2", "HACE ablation: layer stage only"},
        {"hace-head", true, L::HeadkvImplied, H::HeadkvSplit, "13.2",
         "HACE ablation: head stage only"},
    };
    return rows;
}

const MethodRow& method_by_id(std::string_view id) {
    for (const auto& r : method_rows()) {
        if (r.id == id) return r;
    }
    std::string known;
    for (const auto& r : method_rows()) known += (known.empty() ? "" : ", ") + std::string(r.id);
    throw InputError("unknown method \"" + std::string(id) + "\" (known: " + known + ")");
}

bool needs_head_scores(const MethodRow& row) {
    return row.layer_rule == LayerRule::HeadkvImplied || row.head_rule == HeadRule::HeadkvSplit;
}

std::int64_t round_half_even(double x) { return static_cast<std::int64_t>(std::nearbyint(x)); }

void CompressionConfig::validate(const model::ModelConfig& model) const {
    const MethodRow& row = method_by_id(method);
    if (!row.compresses) return;
    if (retention.has_value() == capacity.has_value()) {
        throw InputError("method " + method + " needs exactly one of --retention or --capacity");
    }
    if (retention && !(*retention > 0.0 && *retention <= 1.0)) {
        throw InputError("--retention must be in (0, 1], got " + std::to_string(*retention));
    }
    if (capacity && *capacity < 1) {
        throw InputError("--capacity must be >= 1, got " + std::to_string(*capacity));
    }
    if (selector.window < 1) throw InputError("--window must be >= 1");
    if (selector.pool < 1 || selector.pool % 2 == 0) {
        throw InputError("pooling kernel must be odd and >= 1");
    }
    if (!(pyramid_beta > 0.0) || !(headkv_beta >= 1.0) || !(ada_alpha >= 0.0 && ada_alpha <= 1.0) ||
        !(tau1 > 0.0) || !(tau2 > 0.0)) {
        throw InputError("method parameters out of range (pyramid beta > 0, headkv beta >= 1, "
                         "ada alpha in [0, 1], tau > 0)");
    }
    if (needs_head_scores(row)) {
        if (head_scores.empty()) {
            throw InputError("method " + method + " needs head scores (--head-scores FILE)");
        }
        if (static_cast<std::int64_t>(head_scores.size()) != model.n_layers ||
            static_cast<std::int64_t>(head_scores[0].size()) != model.n_kv_heads) {
            throw InputError("head scores are " + std::to_string(head_scores.size()) + " x " +
                             std::to_string(head_scores[0].size()) + " but the model has " +
                             std::to_string(model.n_layers) + " layers x " +
                             std::to_string(model.n_kv_heads) + " KV heads");
        }
    }
}

std::int64_t CompressionConfig::capacity_for(std::int64_t n) const {
    if (capacity) return *capacity;
    if (retention) return std::max<std::int64_t>(8, round_half_even(*retention * static_cast<double>(n)));
    return n;
}

nlohmann::json CompressionConfig::params() const {
    const MethodRow& row = method_by_id(method);
    nlohmann::json j = {{"method", method},
                        {"mode", "equal"},
                        {"layer_rule", std::string(layer_rule_name(row.layer_rule))},
                        {"head_rule", std::string(head_rule_name(row.head_rule))},
                        {"selector", selector.name()},
                        {"window", selector.window},
                        {"pool_kernel", selector.pool},
                        {"pooling", selector.kind == SelectorConfig::Kind::Cake ? "avg" : "max"},
                        {"granularity", "kv_head"},
                        {"statistics_dtype", "f32"},
                        {"min_capacity", 8},
                        {"w_keep_rule", "min(w, floor(C/2))"}};
    if (selector.kind == SelectorConfig::Kind::Cake) {
        j["gamma"] = selector.gamma;
        j["decode_eviction"] = decode_eviction;
    }
    if (row.layer_rule == LayerRule::Pyramid) j["pyramid_beta"] = pyramid_beta;
    if (row.layer_rule == LayerRule::Cake) {
        j["tau1"] = tau1;
        j["tau2"] = tau2;
        j["cascading"] = selector.kind == SelectorConfig::Kind::Cake;
    }
    if (needs_head_scores(row)) {
        j["headkv_beta"] = headkv_beta;
        j["head_temperature"] = head_temperature;
        j["head_scores"] = head_scores_source;
    }
    if (row.head_rule == HeadRule::AdaSplit) j["ada_alpha"] = ada_alpha;
    if (retention) j["retention"] = *retention;
    if (capacity) j["capacity"] = *capacity;
    return j;
}

}  // namespace hace::kv
