#include "engine/runner/exec/method_config.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/core/json_io.h"

namespace hace::runner {
namespace {

using nlohmann::json;

// Parameters are checked against the method's defaults by validate(); these reads still refuse a
// wrong type (a spec checked by engine_checks() before validate() has reported it).
double number(const json& params, const char* key, double fallback) {
    return json_number_or(params, key, fallback, "params");
}

std::int64_t integer(const json& params, const char* key, std::int64_t fallback) {
    const double v = number(params, key, static_cast<double>(fallback));
    if (v != std::floor(v)) {
        throw InputError(std::string("parameter ") + key + " must be an integer, got " +
                         json(v).dump());
    }
    return static_cast<std::int64_t>(v);
}

bool flag(const json& params, const char* key, bool fallback) {
    return json_bool_or(params, key, fallback, "params");
}

}  // namespace

json method_default_params(const kv::MethodRow& row) {
    if (!row.compresses) return json::object();
    json p = {{"kv_bits", 0}, {"kivi_group", 32}, {"kivi_residual", 128}};
    if (row.token == kv::TokenPolicy::KeepAll) return p;
    p["decode_eviction"] = true;
    if (row.token == kv::TokenPolicy::Streaming) {
        p["sinks"] = 4;
        return p;
    }
    p["window"] = 0;
    if (row.token == kv::TokenPolicy::HeavyHitter) {
        p["recent"] = -1;
        return p;
    }
    p["selector"] = "";
    p["pool"] = 0;
    p["gamma"] = 200.0;
    if (row.layer_rule == kv::LayerRule::Pyramid) p["pyramid_beta"] = 20.0;
    if (row.layer_rule == kv::LayerRule::Cake) {
        p["tau1"] = 0.0;
        p["tau2"] = 0.0;
    }
    if (kv::needs_head_scores(row)) {
        p["headkv_beta"] = 1.01;
        p["head_temperature"] = 1.0;
    }
    if (row.head_rule == kv::HeadRule::AdaSplit) {
        p["ada_alpha"] = 0.2;
        p["ada_normalize"] = false;
    }
    return p;
}

const kv::HeadScoreFile& HeadScoreCache::get(const std::filesystem::path& file) {
    auto it = files_.find(file.string());
    if (it == files_.end()) {
        auto loaded = std::make_shared<const kv::HeadScoreFile>(kv::load_head_score_file(file));
        it = files_.emplace(file.string(), std::move(loaded)).first;
    }
    return *it->second;
}

kv::CompressionConfig compression_config_for(const MethodSetup& s, const model::ModelConfig& model,
                                             HeadScoreCache& head_scores) {
    const json& p = s.params;
    kv::CompressionConfig cfg;
    cfg.method = s.method;
    const kv::MethodRow& row = kv::method_by_id(cfg.method);
    cfg.mode = s.mode.empty() ? "equal" : s.mode;
    const std::string selector = json_string_or(p, "selector", "", "params");
    if (!selector.empty()) {
        cfg.selector = kv::selector_by_name(selector);
    } else {
        cfg.selector = kv::default_selector(row, cfg.mode);
    }
    if (const auto w = integer(p, "window", 0); w > 0) cfg.selector.window = w;
    if (const auto k = integer(p, "pool", 0); k > 0) cfg.selector.pool = k;
    // The variance weight is SEL-CAKE's; SEL-SNAP ranks by the window mean alone.
    if (cfg.selector.kind == kv::SelectorConfig::Kind::Cake) {
        cfg.selector.gamma = number(p, "gamma", cfg.selector.gamma);
    }
    cfg.retention = s.retention;
    cfg.capacity = s.capacity;
    cfg.pyramid_beta = number(p, "pyramid_beta", cfg.pyramid_beta);
    cfg.headkv_beta = number(p, "headkv_beta", cfg.headkv_beta);
    cfg.ada_alpha = number(p, "ada_alpha", cfg.ada_alpha);
    cfg.ada_normalize = flag(p, "ada_normalize", cfg.ada_normalize);
    if (const double t = number(p, "tau1", 0.0); t > 0) cfg.tau1 = t;
    if (const double t = number(p, "tau2", 0.0); t > 0) cfg.tau2 = t;
    cfg.tau_model_key = kv::tau_model_key(model);
    cfg.head_temperature = number(p, "head_temperature", cfg.head_temperature);
    cfg.decode_eviction = flag(p, "decode_eviction", cfg.decode_eviction);
    cfg.sinks = integer(p, "sinks", cfg.sinks);
    if (const auto r = integer(p, "recent", -1); r >= 0) cfg.recent = r;
    cfg.kv_bits = static_cast<int>(integer(p, "kv_bits", 0));
    cfg.kivi_group = static_cast<int>(integer(p, "kivi_group", cfg.kivi_group));
    cfg.kivi_residual = static_cast<int>(integer(p, "kivi_residual", cfg.kivi_residual));
    if (kv::needs_head_scores(row)) {
        if (!s.head_scores) {
            throw InputError("method " + cfg.method + " needs a head-score file for the model");
        }
        const kv::HeadScoreFile& f = head_scores.get(*s.head_scores);
        cfg.head_scores = kv::kv_head_scores(f, model.n_layers, model.n_q_heads, model.n_kv_heads,
                                             cfg.head_temperature);
        cfg.head_scores_query = kv::query_head_scores(f, cfg.head_temperature);
        cfg.head_scores_source = s.head_scores->string();
    }
    cfg.validate(model);
    return cfg;
}

}  // namespace hace::runner
