#include "engine/kv/method_params.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/kv/scorers.h"

// lupdate reads the help lines below (context hace::kv::Params); the engine has no Qt.
#ifndef QT_TRANSLATE_NOOP
#define QT_TRANSLATE_NOOP(scope, text) text
#endif

namespace hace::kv {
namespace {

using nlohmann::json;
using T = ParamType;

// Which methods read a parameter.
bool compressing(const MethodRow& r) {
    return r.compresses;
}
bool evicting(const MethodRow& r) {
    return r.compresses && r.token != TokenPolicy::KeepAll;
}
bool windowed(const MethodRow& r) {
    return r.compresses && (r.token == TokenPolicy::Window || r.token == TokenPolicy::HeavyHitter);
}
bool lattice(const MethodRow& r) {
    return r.compresses && r.token == TokenPolicy::Window;
}
bool pyramid(const MethodRow& r) {
    return lattice(r) && r.layer_rule == LayerRule::Pyramid;
}
bool cake(const MethodRow& r) {
    return lattice(r) && r.layer_rule == LayerRule::Cake;
}
bool head_scored(const MethodRow& r) {
    return lattice(r) && needs_head_scores(r);
}
bool ada(const MethodRow& r) {
    return lattice(r) && r.head_rule == HeadRule::AdaSplit;
}
bool heavy_hitter(const MethodRow& r) {
    return r.compresses && r.token == TokenPolicy::HeavyHitter;
}
// A parameter of the row's own scorer (a scorer that is a method of its own).
bool own_scorer_reads(const MethodRow& r, std::string_view key) {
    const ScorerRow* s = r.scorer.empty() ? nullptr : find_scorer(r.scorer);
    if (!s) return false;
    for (std::string_view p : s->params) {
        if (p == key) return true;
    }
    return false;
}
bool sinks_reader(const MethodRow& r) {
    return (r.compresses && r.token == TokenPolicy::Streaming) || own_scorer_reads(r, "sinks");
}
bool seed_reader(const MethodRow& r) {
    return own_scorer_reads(r, "scorer_seed");
}

std::int64_t as_int(const json& v) {
    return static_cast<std::int64_t>(v.get<double>());
}

std::vector<std::string> scorer_ids() {
    std::vector<std::string> out;
    for (const auto& s : scorer_rows()) out.emplace_back(s.id);
    return out;
}

}  // namespace

// Rows leave out the trailing members whose defaults fit them (a bound, negated_flag, choices).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const std::vector<ParamSpec>& param_specs() {
    static const std::vector<ParamSpec> specs = {
        {"selector",
         "selector",
         {T::String},
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params", "the method's own (faithful: the reference's)"),
         QT_TRANSLATE_NOOP("hace::kv::Params", "token scorer, any under any allocator"),
         "both",
         lattice,
         false,
         [](CompressionConfig& c, const json& v) {
             if (!v.get<std::string>().empty()) c.selector = selector_by_name(v.get<std::string>());
         },
         false,
         scorer_ids},
        {"window",
         "window",
         {T::Integer, 0.0, {}},
         0,
         QT_TRANSLATE_NOOP("hace::kv::Params", "the selector's"),
         QT_TRANSLATE_NOOP("hace::kv::Params",
                           "observation window w: the last w queries score, the last "
                           "min(w, C/2) tokens are always kept"),
         "both",
         windowed,
         false,
         [](CompressionConfig& c, const json& v) {
             if (as_int(v) > 0) c.selector.window = as_int(v);
         }},
        {"pool",
         "pool",
         {T::Integer, 0.0, {}},
         0,
         QT_TRANSLATE_NOOP("hace::kv::Params", "the selector's"),
         QT_TRANSLATE_NOOP("hace::kv::Params", "pooling kernel of the scores (odd)"),
         "both",
         lattice,
         false,
         [](CompressionConfig& c, const json& v) {
             if (as_int(v) > 0) c.selector.pool = as_int(v);
         }},
        {"gamma",
         "gamma",
         {T::Number, 0.0, {}},
         200.0,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params", "SEL-CAKE variance weight"),
         "both",
         lattice,
         false,
         [](CompressionConfig& c, const json& v) {
             // The variance weight is SEL-CAKE's; SEL-SNAP ranks by the window mean alone.
             if (c.selector.kind == SelectorConfig::Kind::Cake) c.selector.gamma = v.get<double>();
         }},
        {"pyramid_beta",
         "pyramid-beta",
         {T::Number, 1e-9, {}},
         20.0,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params", "PyramidKV beta: the last layer keeps B / beta"),
         "both",
         pyramid,
         false,
         [](CompressionConfig& c, const json& v) { c.pyramid_beta = v.get<double>(); }},
        {"tau1",
         "tau1",
         {T::Number, 0.0, {}},
         0.0,
         QT_TRANSLATE_NOOP("hace::kv::Params", "CAKE's table for the model and C"),
         QT_TRANSLATE_NOOP("hace::kv::Params", "CAKE entropy exponent tau1"),
         "both",
         cake,
         false,
         [](CompressionConfig& c, const json& v) {
             if (v.get<double>() > 0) c.tau1 = v.get<double>();
         }},
        {"tau2",
         "tau2",
         {T::Number, 0.0, {}},
         0.0,
         QT_TRANSLATE_NOOP("hace::kv::Params", "CAKE's table for the model and C"),
         QT_TRANSLATE_NOOP("hace::kv::Params", "CAKE variance exponent tau2"),
         "both",
         cake,
         false,
         [](CompressionConfig& c, const json& v) {
             if (v.get<double>() > 0) c.tau2 = v.get<double>();
         }},
        {"headkv_beta",
         "headkv-beta",
         {T::Number, 1.0, {}},
         1.01,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params",
                           "HeadKV beta: the share of the budget that head scores move"),
         "both",
         head_scored,
         false,
         [](CompressionConfig& c, const json& v) { c.headkv_beta = v.get<double>(); }},
        {"head_temperature",
         "head-temperature",
         {T::Number, 1e-9, {}},
         1.0,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params", "temperature of the head scores"),
         "both",
         head_scored,
         false,
         [](CompressionConfig& c, const json& v) { c.head_temperature = v.get<double>(); }},
        {"ada_alpha",
         "ada-alpha",
         {T::Number, 0.0, 1.0},
         0.2,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params",
                           "AdaKV safeguard: each head keeps alpha of its share"),
         "both",
         ada,
         false,
         [](CompressionConfig& c, const json& v) { c.ada_alpha = v.get<double>(); }},
        {"ada_normalize",
         "ada-normalize",
         {T::Bool},
         false,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params", "AdaKV score normalisation (off in AdaKV's runs)"),
         "faithful",
         ada,
         false,
         [](CompressionConfig& c, const json& v) { c.ada_normalize = v.get<bool>(); }},
        {"decode_eviction",
         "no-decode-eviction",
         {T::Bool},
         true,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params",
                           "no eviction while decoding: SEL-CAKE's and TOVA's per-step eviction, "
                           "H2O's accumulate-and-evict and StreamingLLM's rolling cache become "
                           "one-shot at prefill"),
         "both",
         evicting,
         false,
         [](CompressionConfig& c, const json& v) { c.decode_eviction = v.get<bool>(); },
         true},
        {"sinks",
         "sinks",
         {T::Integer, 0.0, {}},
         4,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params",
                           "attention sinks always kept (StreamingLLM, expected attention)"),
         "equal",
         sinks_reader,
         true,
         [](CompressionConfig& c, const json& v) { c.sinks = as_int(v); }},
        {"recent",
         "recent",
         {T::Integer, -1.0, {}},
         -1,
         QT_TRANSLATE_NOOP("hace::kv::Params", "min(w, C/2)"),
         QT_TRANSLATE_NOOP("hace::kv::Params", "H2O recent tokens; heavy hitters = C - recent"),
         "equal",
         heavy_hitter,
         false,
         [](CompressionConfig& c, const json& v) {
             if (as_int(v) >= 0) c.recent = as_int(v);
         }},
        {"scorer_seed",
         "scorer-seed",
         {T::Integer, 0.0, {}},
         0,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params", "seed of the random scorer"),
         "equal",
         seed_reader,
         true,
         [](CompressionConfig& c, const json& v) {
             c.seed = static_cast<std::uint64_t>(as_int(v));
         }},
        {"kv_bits",
         "kv-bits",
         {T::Integer, 0.0, 4.0},
         0,
         QT_TRANSLATE_NOOP("hace::kv::Params", "full precision (kivi: 2)"),
         QT_TRANSLATE_NOOP("hace::kv::Params",
                           "store the kept entries KIVI-quantised: 2 or 4 bits"),
         "equal",
         compressing,
         false,
         [](CompressionConfig& c, const json& v) { c.kv_bits = static_cast<int>(as_int(v)); }},
        {"kivi_group",
         "kivi-group",
         {T::Integer, 1.0, {}},
         32,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params", "KIVI group size G (head_dim when smaller)"),
         "equal",
         compressing,
         false,
         [](CompressionConfig& c, const json& v) { c.kivi_group = static_cast<int>(as_int(v)); }},
        {"kivi_residual",
         "kivi-residual",
         {T::Integer, 1.0, {}},
         128,
         "",
         QT_TRANSLATE_NOOP("hace::kv::Params", "KIVI full-precision residual R, a multiple of G"),
         "equal",
         compressing,
         false,
         [](CompressionConfig& c, const json& v) {
             c.kivi_residual = static_cast<int>(as_int(v));
         }},
    };
    return specs;
}

#pragma GCC diagnostic pop

const ParamSpec* find_param(std::string_view key) {
    for (const auto& p : param_specs()) {
        if (p.key == key) return &p;
    }
    return nullptr;
}

const ParamSpec* find_param_by_flag(std::string_view flag) {
    for (const auto& p : param_specs()) {
        if (p.flag == flag) return &p;
    }
    return nullptr;
}

std::vector<MethodParam> method_params(const MethodRow& row) {
    std::vector<MethodParam> out;
    for (const auto& p : param_specs()) {
        if (p.reads(row)) {
            out.push_back({&p, true});
        } else if (p.scorer_param && lattice(row)) {
            out.push_back({&p, false});
        }
    }
    return out;
}

nlohmann::json method_default_params(const MethodRow& row) {
    json out = json::object();
    for (const auto& [spec, defaulted] : method_params(row)) {
        if (defaulted) out[std::string(spec->key)] = spec->default_value;
    }
    return out;
}

void apply_params(CompressionConfig& cfg, const nlohmann::json& params) {
    if (params.is_null()) return;
    if (!params.is_object()) {
        throw InputError("method params: expected an object, got " + json_type_name(params));
    }
    const MethodRow& row = method_by_id(cfg.method);
    const auto accepted = method_params(row);
    const auto find = [&](const std::string& key) -> const ParamSpec* {
        for (const auto& [spec, defaulted] : accepted) {
            if (spec->key == key) return spec;
        }
        return nullptr;
    };
    // The selector first: window, pool and gamma adjust the selector it chooses.
    std::vector<std::string> keys;
    if (params.contains("selector")) keys.emplace_back("selector");
    for (const auto& [key, value] : params.items()) {
        if (key != "selector") keys.push_back(key);
    }
    for (const auto& key : keys) {
        const json& value = params[key];
        const ParamSpec* spec = find(key);
        if (!spec) {
            std::string known;
            for (const auto& [s, d] : accepted)
                known += (known.empty() ? "" : ", ") + std::string(s->key);
            throw InputError("unknown parameter " + key + " of method " + cfg.method +
                             " (known: " + (known.empty() ? "none" : known) + ")");
        }
        if (const std::string problem = check_param_value(key, spec->rule, value);
            !problem.empty()) {
            throw InputError(problem.rfind("parameter ", 0) == 0
                                 ? problem
                                 : "parameter " + key + ": " + problem);
        }
        if (!value.is_null()) spec->apply(cfg, value);
    }
}

}  // namespace hace::kv
