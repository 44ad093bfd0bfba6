#include "app/cli/compression_flags.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/kv/head_scores.h"
#include "engine/kv/method_params.h"
#include "engine/kv/scorers.h"

namespace hace::cli {

namespace {

std::string method_ids() {
    std::string ids;
    for (const auto& r : kv::method_rows()) ids.append(ids.empty() ? "" : ", ").append(r.id);
    return ids;
}

std::string scorer_help() {
    std::string text = "token scorer, any under any allocator:";
    for (const auto& s : kv::scorer_rows()) {
        text.append(" ").append(s.id).append(" (").append(s.summary).append(");");
    }
    text.back() = '.';
    return text + " Default: the method's own (faithful: the reference's)";
}

// "(default 20)" or "(default: the selector's)".
std::string default_text(const kv::ParamSpec& p) {
    if (!p.default_meaning.empty()) return " (default: " + std::string(p.default_meaning) + ")";
    if (p.rule.type == ParamType::Bool) return "";
    return " (default " + p.default_value.dump() + ")";
}

}  // namespace

std::vector<FlagSpec> compression_flags() {
    std::vector<FlagSpec> flags = {
        {"method", true, "KV method: " + method_ids() + " (default full)"},
        {"retention", true, "kept fraction R in (0, 1]: C = max(8, round(R n))"},
        {"capacity", true, "cache size C per head (window included) instead of --retention"},
        {"head-scores", true, "HeadKV-format head score file (headkv, hace, hace-head)"},
        {"mode", true,
         "equal (default: identical budgets, one selector) or faithful (each "
         "reference repository's own selector, granularity and integer quirks)"},
    };
    // Every method and scorer parameter of the engine's one schema (engine/kv/method_params.h).
    for (const auto& p : kv::param_specs()) {
        std::string help = p.key == "selector" ? scorer_help() : std::string(p.help);
        if (p.key != "selector") help += default_text(p);
        flags.push_back({std::string(p.flag), p.rule.type != ParamType::Bool, help});
    }
    return flags;
}

kv::CompressionConfig compression_config(const Args& args, const model::ModelConfig& model) {
    kv::CompressionConfig cfg;
    cfg.method = args.get_or("method", "full");
    const kv::MethodRow& row = kv::method_by_id(cfg.method);
    cfg.mode = args.get_or("mode", "equal");
    cfg.selector = kv::default_selector(row, cfg.mode);
    if (args.has("retention")) cfg.retention = args.number_or("retention", 0.0);
    if (args.has("capacity")) cfg.capacity = args.int_or("capacity", 0);
    cfg.tau_model_key = kv::tau_model_key(model);
    // The flags given, as the method's params: the same checks and meaning as in a sweep.
    nlohmann::json params = nlohmann::json::object();
    const auto accepted = kv::method_params(row);
    for (const auto& p : kv::param_specs()) {
        const std::string flag(p.flag);
        if (!args.has(flag)) continue;
        const bool reads = std::any_of(accepted.begin(), accepted.end(),
                                       [&](const kv::MethodParam& m) { return m.spec == &p; });
        if (!reads) {
            std::string known;
            for (const auto& m : accepted) {
                known.append(known.empty() ? "--" : ", --").append(m.spec->flag);
            }
            throw InputError("--" + flag + " does not apply to method " + cfg.method +
                             " (it reads " + (known.empty() ? "none" : known) + ")");
        }
        switch (p.rule.type) {
            case ParamType::Bool:
                params[std::string(p.key)] = !p.negated_flag;
                break;
            case ParamType::Integer:
                params[std::string(p.key)] = args.int_or(flag, 0);
                break;
            case ParamType::Number:
                params[std::string(p.key)] = args.number_or(flag, 0.0);
                break;
            case ParamType::String:
                params[std::string(p.key)] = args.require(flag);
                break;
        }
    }
    kv::apply_params(cfg, params);
    if (auto file = args.get("head-scores")) {
        const auto scores = kv::load_head_score_file(*file);
        cfg.head_scores = kv::kv_head_scores(scores, model.n_layers, model.n_q_heads,
                                             model.n_kv_heads, cfg.head_temperature);
        cfg.head_scores_source = *file;
        // Faithful HeadKV allocates per query head (no group sum).
        cfg.head_scores_query = kv::query_head_scores(scores, cfg.head_temperature);
    } else if (kv::needs_head_scores(row)) {
        throw InputError("--method " + cfg.method +
                         " needs --head-scores FILE (a HeadKV-format score file for this model)");
    }
    cfg.validate(model);
    return cfg;
}

nlohmann::json report_json(const model::CompressionReport& r, const kv::CompressionConfig& cfg,
                           const model::ModelConfig& model, const std::string& model_dir) {
    nlohmann::json layers = nlohmann::json::array();
    std::int64_t kept = 0;
    for (const auto& L : r.layers) {
        nlohmann::json heads = nlohmann::json::array();
        for (const auto& h : L.heads) {
            heads.push_back({{r.query_heads ? "q_head" : "kv_head", h.kv_head},
                             {"budget", h.budget},
                             {"kept", h.kept}});
            kept += static_cast<std::int64_t>(h.kept.size());
        }
        layers.push_back({{"layer", L.layer},
                          {"budget", L.budget},
                          {"preference", L.preference ? nlohmann::json(*L.preference) : nullptr},
                          {"entropy", L.entropy},
                          {"temporal_variance", L.temporal_variance},
                          {"heads", heads}});
    }
    const double full = static_cast<double>(model.n_layers * model.n_kv_heads * r.prompt_tokens);
    nlohmann::json out = {
        {"method", r.method},
        {"mode", r.mode},
        {"model", model_dir},
        {"prompt_tokens", r.prompt_tokens},
        {"capacity", r.capacity},
        {"window", r.window},
        {"window_keep", r.window_keep},
        {"compressed", r.compressed},
        {"kv_bits", r.kv_bits},
        {"retention_nominal", r.retention_nominal ? nlohmann::json(*r.retention_nominal) : nullptr},
        {"retention", full > 0 ? static_cast<double>(kept) / full : 1.0},
        {"params", cfg.params()},
        {"layers", layers}};
    if (kv::method_by_id(r.method).layer_rule == kv::LayerRule::Cake) {
        out["params"]["tau1"] = r.tau1;
        out["params"]["tau2"] = r.tau2;
    }
    return out;
}

}  // namespace hace::cli
