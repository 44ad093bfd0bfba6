#include "engine/kv/methods.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/kv/faithful_budgets.h"
#include "engine/kv/scorers.h"

namespace hace::kv {

// Each factory lives in its method's file (engine/kv/methods/). KvMethod is only named here.
std::unique_ptr<KvMethod> make_snapkv(const CompressionConfig&, const MethodRow&);
std::unique_ptr<KvMethod> make_pyramidkv(const CompressionConfig&, const MethodRow&);
std::unique_ptr<KvMethod> make_adakv(const CompressionConfig&, const MethodRow&);
std::unique_ptr<KvMethod> make_cake(const CompressionConfig&, const MethodRow&);
std::unique_ptr<KvMethod> make_headkv(const CompressionConfig&, const MethodRow&);
std::unique_ptr<KvMethod> make_lattice(const CompressionConfig&, const MethodRow&);
std::unique_ptr<KvMethod> make_streamingllm(const CompressionConfig&, const MethodRow&);
std::unique_ptr<KvMethod> make_h2o(const CompressionConfig&, const MethodRow&);
std::unique_ptr<KvMethod> make_kivi(const CompressionConfig&, const MethodRow&);

const std::vector<MethodRow>& method_rows() {
    using L = LayerRule;
    using H = HeadRule;
    using F = FaithfulRule;
    using T = TokenPolicy;
    static const std::vector<MethodRow> rows = [] {
        std::vector<MethodRow> r = {
            {"full", false, L::Uniform, H::Uniform, "-", "uncompressed cache"},
            {"snapkv", true, L::Uniform, H::Uniform, "1, 13.2", "uniform layers, uniform heads",
             F::SnapKv, "FasterDecoding/SnapKV: w 32, max pool 7, per query head, skip if n < C",
             T::Window, make_snapkv},
            {"pyramidkv", true, L::Pyramid, H::Uniform, "2, 16.7", "pyramid layers, uniform heads",
             F::PyramidKv, "KVCache-Factory ffac1607: w 8, max pool 7, per query head, 3 regimes",
             T::Window, make_pyramidkv},
            {"adakv", true, L::Uniform, H::AdaSplit, "3, 16.11", "uniform layers, adaptive heads",
             F::AdaKv, "FFY0/AdaKV (GQA): w 32, group mean, max pool 7, alpha floor, round",
             T::Window, make_adakv},
            {"cake", true, L::Cake, H::Uniform, "5, 16.12", "CAKE layer budgets (= hace-layer)",
             F::Cake, "antgroup/cakekv: w 32, mean + 200 var, avg pool 5, adjust_budgets",
             T::Window, make_cake},
            {"headkv", true, L::HeadkvImplied, H::HeadkvSplit, "4.2, 16.12",
             "HeadKV head budgets (= hace-head)", F::HeadKv,
             "FYYFU/HeadKV: w 8, max pool 7, per query head, round(s p L H + m)", T::Window,
             make_headkv},
            {"hace", true, L::Cake, H::HeadkvSplit, "13", "CAKE layers x HeadKV heads", F::None, "",
             T::Window, make_lattice},
            {"hace-layer", true, L::Cake, H::Uniform, "13.2", "HACE ablation: layer stage only",
             F::Cake, "antgroup/cakekv (HACE-LayerOnly reduces to CAKE, section 13.4)", T::Window,
             make_cake},
            {"hace-head", true, L::HeadkvImplied, H::HeadkvSplit, "13.2",
             "HACE ablation: head stage only", F::HeadKv,
             "FYYFU/HeadKV (HACE-HeadOnly reduces to HeadKV, section 13.4)", T::Window,
             make_headkv},
            {"streamingllm", true, L::Uniform, H::Uniform, "6.2", "attention sinks + recent tokens",
             F::None, "", T::Streaming, make_streamingllm},
            {"h2o", true, L::Uniform, H::Uniform, "6.1",
             "heavy hitters (attention of all queries) + recent tokens", F::None, "",
             T::HeavyHitter, make_h2o},
            {"kivi", true, L::Uniform, H::Uniform, "6.3",
             "2/4-bit KV quantisation, every token kept", F::None, "", T::KeepAll, make_kivi},
        };
        // The scorers that are methods of their own: uniform layers and heads, their scorer.
        for (const ScorerRow& s : scorer_rows()) {
            if (!s.as_method) continue;
            r.push_back({s.id, true, L::Uniform, H::Uniform, s.spec, s.summary, F::None, "",
                         T::Window, make_lattice, s.id});
        }
        return r;
    }();
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

SelectorConfig default_selector(const MethodRow& row, std::string_view mode) {
    if (mode == "faithful") return faithful_selector(row);
    return row.scorer.empty() ? sel_cake() : selector_by_name(row.scorer);
}

SelectorConfig faithful_selector(const MethodRow& row) {
    switch (row.faithful) {
        case FaithfulRule::SnapKv:
        case FaithfulRule::AdaKv:
            return {SelectorConfig::Kind::Snap, 32, 7, 0.0, ""};
        case FaithfulRule::PyramidKv:
        case FaithfulRule::HeadKv:
            return {SelectorConfig::Kind::Snap, 8, 7, 0.0, ""};
        case FaithfulRule::Cake:
            return sel_cake();
        case FaithfulRule::None:
            break;
    }
    return sel_cake();
}

bool faithful_query_heads(const MethodRow& row) {
    return row.faithful == FaithfulRule::SnapKv || row.faithful == FaithfulRule::PyramidKv ||
           row.faithful == FaithfulRule::HeadKv;
}

bool needs_head_scores(const MethodRow& row) {
    return row.layer_rule == LayerRule::HeadkvImplied || row.head_rule == HeadRule::HeadkvSplit;
}

std::string tau_model_key(const model::ModelConfig& c) {
    const bool llama = c.architecture == "LlamaForCausalLM";
    if (llama && c.n_layers == 32 && c.hidden == 4096 && c.vocab == 32000) return "llama2-7b";
    if (llama && c.n_layers == 40 && c.hidden == 5120 && c.vocab == 32000) return "llama2-13b";
    if (llama && c.n_layers == 32 && c.hidden == 4096 && c.vocab == 128256) return "llama3.1-8b";
    if (c.architecture == "MistralForCausalLM" && c.hidden == 4096 && c.n_layers == 32) {
        return c.vocab == 32768 ? "mistral-0.3-7b" : "mistral-7b";
    }
    if (c.architecture == "Qwen2ForCausalLM" && c.hidden == 3584 && c.n_layers == 28) {
        return "qwen2.5-7b";
    }
    return "";
}

std::pair<double, double> resolve_tau(const CompressionConfig& cfg, std::int64_t c) {
    std::pair<double, double> tau{1.0, 1.0};
    if (cfg.faithful()) {
        // CAKE's config/model2tau.json keys; other C fall back to (1, 1) as pred_cake.py does.
        static const std::pair<const char*, const char*> keys[] = {
            {"llama2-7b", "llama2-7b-chat-4k"},
            {"llama2-13b", "llama2-13b-chat-4k"},
            {"llama3.1-8b", "llama3.1-8b-128k"},
            {"mistral-0.3-7b", "mistral-0.3-7b-32k"},
            {"qwen2.5-7b", "qwen2.5-7b-instruct"}};
        for (const auto& [ours, theirs] : keys) {
            if (cfg.tau_model_key == ours) tau = faithful::cake_tau(theirs, c).value_or(tau);
        }
    } else {
        tau = faithful::hace_default_tau(cfg.tau_model_key, c);
    }
    return {cfg.tau1.value_or(tau.first), cfg.tau2.value_or(tau.second)};
}

std::int64_t round_half_even(double x) {
    return static_cast<std::int64_t>(std::nearbyint(x));
}

void CompressionConfig::validate(const model::ModelConfig& model) const {
    const MethodRow& row = method_by_id(method);
    if (mode != "equal" && mode != "faithful") {
        throw InputError("--mode must be equal or faithful, got \"" + mode + "\"");
    }
    if (!row.compresses) return;
    if (faithful() && row.faithful == FaithfulRule::None) {
        throw InputError("method " + method +
                         " has no reference repository to reproduce; "
                         "faithful mode applies to snapkv, pyramidkv, adakv, cake, headkv, "
                         "hace-layer and hace-head (use --mode equal)");
    }
    if (faithful() && row.faithful == FaithfulRule::HeadKv && head_scores_query.empty()) {
        throw InputError("faithful " + method + " needs query-head scores (--head-scores FILE)");
    }
    if (kv_bits != 0 && kv_bits != 2 && kv_bits != 4) {
        throw InputError("--kv-bits must be 2 or 4, got " + std::to_string(kv_bits));
    }
    if (effective_kv_bits() != 0) {
        const int g = kivi_group_for(model.head_dim);
        if (g < 1 || model.head_dim % g != 0) {
            throw InputError("--kivi-group " + std::to_string(g) + " must divide head_dim " +
                             std::to_string(model.head_dim) + " (values are grouped by channels)");
        }
        if (kivi_residual < g || kivi_residual % g != 0) {
            throw InputError("--kivi-residual " + std::to_string(kivi_residual) +
                             " must be a positive multiple of the group size " + std::to_string(g));
        }
        if (faithful()) throw InputError("--kv-bits applies to equal mode only");
    }
    if (row.token == TokenPolicy::KeepAll) return;  // KIVI keeps every token: no budget
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
    if (sinks < 0) throw InputError("--sinks must be >= 0, got " + std::to_string(sinks));
    if (recent && *recent < 0) {
        throw InputError("--recent must be >= 0, got " + std::to_string(*recent));
    }
    if (selector.pool < 1 || selector.pool % 2 == 0) {
        throw InputError("pooling kernel must be odd and >= 1");
    }
    if (!(pyramid_beta > 0.0) || !(headkv_beta >= 1.0) || !(ada_alpha >= 0.0 && ada_alpha <= 1.0) ||
        !(tau1.value_or(1.0) > 0.0) || !(tau2.value_or(1.0) > 0.0)) {
        throw InputError(
            "method parameters out of range (pyramid beta > 0, headkv beta >= 1, "
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

int CompressionConfig::effective_kv_bits() const {
    if (kv_bits != 0) return kv_bits;
    return method_by_id(method).token == TokenPolicy::KeepAll ? 2 : 0;
}

int CompressionConfig::kivi_group_for(std::int64_t head_dim) const {
    // KIVI's G = 32 assumes head_dim >= 32; the bundled tiny models have 8-16 channels per head.
    if (kivi_group == 32 && head_dim < 32) return static_cast<int>(head_dim);
    return kivi_group;
}

std::int64_t CompressionConfig::capacity_for(std::int64_t n) const {
    if (capacity) return *capacity;
    if (retention) {
        // Faithful: KVF's round(r n) with no minimum; equal mode: at least 8 (section 16.14).
        const std::int64_t c = round_half_even(*retention * static_cast<double>(n));
        return faithful() ? c : std::max<std::int64_t>(8, c);
    }
    return n;
}

namespace {

// KIVI storage parameters (section 6.3), echoed with every method that stores quantised entries.
void add_kivi_params(const CompressionConfig& c, nlohmann::json& j) {
    if (c.effective_kv_bits() == 0) return;
    j["kv_bits"] = c.effective_kv_bits();
    j["kivi_group"] = c.kivi_group == 32 ? nlohmann::json("32 (head_dim when head_dim < 32)")
                                         : nlohmann::json(c.kivi_group);
    j["kivi_residual"] = c.kivi_residual;
    j["kivi_storage"] =
        "keys per channel over G tokens, values per token over G channels, "
        "asymmetric min-max, fp16 min/scale, packed uint32 codes, fp32 residual";
    j["decode_eviction"] = false;  // quantised groups cannot drop one entry
}

}  // namespace

nlohmann::json CompressionConfig::params() const {
    nlohmann::json j = params_without_storage();
    add_kivi_params(*this, j);
    return j;
}

nlohmann::json CompressionConfig::params_without_storage() const {
    const MethodRow& row = method_by_id(method);
    if (row.token == TokenPolicy::KeepAll) {
        return {{"method", method}, {"mode", "equal"}, {"policy", "every token kept, quantised"}};
    }
    if (faithful()) {
        nlohmann::json j = {
            {"method", method},
            {"mode", "faithful"},
            {"reproduces", std::string(row.faithful_source)},
            {"selector", selector.name()},
            {"window", selector.window},
            {"pool_kernel", selector.pool},
            {"pooling", selector.kind == SelectorConfig::Kind::Cake ? "avg" : "max"},
            {"granularity", faithful_query_heads(row) ? "query_head" : "kv_head"},
            {"statistics_dtype", "f32"},
            {"w_keep_rule", "w (no tiny-budget rule)"}};
        if (row.faithful == FaithfulRule::PyramidKv) j["pyramid_beta"] = pyramid_beta;
        if (row.faithful == FaithfulRule::Cake) {
            j["gamma"] = selector.gamma;
            j["tau"] = tau1 || tau2 ? "given" : "CAKE table by model and C (section 5.5)";
            j["tau_model_key"] = tau_model_key;
            j["cascading"] = true;
            j["decode_eviction"] = decode_eviction;
            j["decode_budget"] = "last cascade step's B_l (a layer cut earlier grows back to it)";
            // Reference quirk: kept entries stay in topk order, so the decode-time avg pool
            // smooths over score-rank neighbours (equal mode: position order).
            j["entry_order"] = "score rank (reference topk order)";
        }
        if (row.faithful == FaithfulRule::AdaKv) {
            j["ada_alpha"] = ada_alpha;
            j["ada_normalize"] = ada_normalize;
        }
        if (row.faithful == FaithfulRule::HeadKv) {
            j["headkv_beta"] = headkv_beta;
            j["head_temperature"] = head_temperature;
            j["head_scores"] = head_scores_source;
        }
        if (retention) j["retention"] = *retention;
        if (capacity) j["capacity"] = *capacity;
        return j;
    }
    if (row.token == TokenPolicy::Streaming) {
        nlohmann::json j = {{"method", method},
                            {"mode", "equal"},
                            {"policy", "attention sinks + recent (section 6.2)"},
                            {"sinks", sinks},
                            {"recent", "C - sinks"},
                            {"granularity", "kv_head"},
                            {"min_capacity", 8},
                            {"variant", decode_eviction ? "rolling" : "one-shot"},
                            {"position_handling",
                             decode_eviction ? "absolute positions kept (no re-indexing inside "
                                               "the cache, unlike the original)"
                                             : "original positions, no re-rotation"}};
        if (retention) j["retention"] = *retention;
        if (capacity) j["capacity"] = *capacity;
        return j;
    }
    if (row.token == TokenPolicy::HeavyHitter) {
        nlohmann::json j = {
            {"method", method},
            {"mode", "equal"},
            {"policy", "heavy hitters + recent (section 6.1)"},
            {"scores",
             "column sums of the causal attention of all prompt "
             "queries, streaming softmax, group mean"},
            {"recent", recent ? nlohmann::json(*recent) : nlohmann::json("min(w, floor(C/2))")},
            {"window", selector.window},
            {"heavy", "C - recent"},
            {"granularity", "kv_head"},
            {"min_capacity", 8},
            {"variant",
             decode_eviction ? "decode-time eviction (original)" : "one-shot at prefill (KVF)"}};
        if (retention) j["retention"] = *retention;
        if (capacity) j["capacity"] = *capacity;
        return j;
    }
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
    if (const ScorerRow* s = find_scorer(selector.scorer);
        s && selector.kind == SelectorConfig::Kind::Scorer) {
        j["pooling"] = "none";
        j["pool_kernel"] = nullptr;
        j["scorer"] = std::string(s->summary);
        j["scorer_source"] = std::string(s->spec);
        if (!s->reading.empty()) j["scorer_reading"] = std::string(s->reading);
        for (std::string_view p : s->params) {
            if (p == "scorer_seed") j["scorer_seed"] = seed;
            if (p == "sinks") j["sinks"] = sinks;
            if (p == "decode_eviction") j["decode_eviction"] = decode_eviction;
        }
    }
    if (row.layer_rule == LayerRule::Pyramid) j["pyramid_beta"] = pyramid_beta;
    if (row.layer_rule == LayerRule::Cake) {
        j["tau"] = tau1 || tau2 ? "given" : "HACE defaults by model and C (section 13.6)";
        j["tau_model_key"] = tau_model_key;
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
