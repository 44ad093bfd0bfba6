#include "app/cli/compression_flags.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/kv/head_scores.h"

namespace hace::cli {

std::vector<FlagSpec> compression_flags() {
    return {
        {"method", true,
         "KV method: full, snapkv, pyramidkv, adakv, cake, headkv, hace, "
         "hace-layer, hace-head, streamingllm, h2o, kivi (default full)"},
        {"retention", true, "kept fraction R in (0, 1]: C = max(8, round(R n))"},
        {"capacity", true, "cache size C per head (window included) instead of --retention"},
        {"selector", true,
         "token selector: cake (default; w 32, mean+200 var, avg pool 5) or "
         "snap (w 8, mean, max pool 7)"},
        {"window", true, "observation window w (default: the selector's)"},
        {"pool", true, "pooling kernel (odd; default: the selector's)"},
        {"gamma", true, "SEL-CAKE variance weight (default 200)"},
        {"pyramid-beta", true, "PyramidKV beta (default 20)"},
        {"headkv-beta", true, "HeadKV beta (default 1.01)"},
        {"ada-alpha", true, "AdaKV safeguard alpha (default 0.2)"},
        {"tau1", true, "CAKE entropy exponent tau1 (default: CAKE's table for the model and C)"},
        {"tau2", true, "CAKE variance exponent tau2 (default: CAKE's table for the model and C)"},
        {"head-scores", true, "HeadKV-format head score file (headkv, hace, hace-head)"},
        {"head-temperature", true, "head score temperature (default 1)"},
        {"no-decode-eviction", false,
         "no eviction while decoding: SEL-CAKE's per-step eviction, "
         "H2O's accumulate-and-evict and StreamingLLM's rolling "
         "cache become one-shot at prefill"},
        {"sinks", true, "StreamingLLM attention sinks (default 4)"},
        {"recent", true, "H2O recent tokens (default min(w, C/2)); heavy hitters = C - recent"},
        {"kv-bits", true, "store the kept entries KIVI-quantised: 2 or 4 bits (kivi: default 2)"},
        {"kivi-group", true, "KIVI group size G (default 32; head_dim when smaller)"},
        {"kivi-residual", true, "KIVI full-precision residual R, a multiple of G (default 128)"},
        {"mode", true,
         "equal (default: identical budgets, one selector) or faithful (each "
         "reference repository's own selector, granularity and integer quirks)"},
        {"ada-normalize", false, "AdaKV score normalisation (faithful mode; off in AdaKV's runs)"},
    };
}

kv::CompressionConfig compression_config(const Args& args, const model::ModelConfig& model) {
    kv::CompressionConfig cfg;
    cfg.method = args.get_or("method", "full");
    const kv::MethodRow& row = kv::method_by_id(cfg.method);
    cfg.mode = args.get_or("mode", "equal");
    if (args.has("selector")) {
        cfg.selector = kv::selector_by_name(args.require("selector"));
    } else {
        cfg.selector = kv::default_selector(row, cfg.mode);
    }
    cfg.ada_normalize = args.has("ada-normalize");
    cfg.selector.window = args.int_or("window", cfg.selector.window);
    cfg.selector.pool = args.int_or("pool", cfg.selector.pool);
    cfg.selector.gamma = args.number_or("gamma", cfg.selector.gamma);
    if (args.has("retention")) cfg.retention = args.number_or("retention", 0.0);
    if (args.has("capacity")) cfg.capacity = args.int_or("capacity", 0);
    cfg.pyramid_beta = args.number_or("pyramid-beta", cfg.pyramid_beta);
    cfg.headkv_beta = args.number_or("headkv-beta", cfg.headkv_beta);
    cfg.ada_alpha = args.number_or("ada-alpha", cfg.ada_alpha);
    if (args.has("tau1")) cfg.tau1 = args.number_or("tau1", 1.0);
    if (args.has("tau2")) cfg.tau2 = args.number_or("tau2", 1.0);
    cfg.tau_model_key = kv::tau_model_key(model);
    cfg.head_temperature = args.number_or("head-temperature", cfg.head_temperature);
    cfg.decode_eviction = !args.has("no-decode-eviction");
    cfg.sinks = args.int_or("sinks", cfg.sinks);
    if (args.has("recent")) cfg.recent = args.int_or("recent", 0);
    cfg.kv_bits = static_cast<int>(args.int_or("kv-bits", 0));
    cfg.kivi_group = static_cast<int>(args.int_or("kivi-group", cfg.kivi_group));
    cfg.kivi_residual = static_cast<int>(args.int_or("kivi-residual", cfg.kivi_residual));
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
