// The one parameter schema of the KV methods and scorers: every hyperparameter once, with its
// type, default, range, one-line help and the methods that read it. The CLI flags and their
// --help (app/cli/compression_flags.cpp), sweep defaults and validation (runner), the designer's
// parameter editor and CompressionConfig itself all read this table; a new parameter is one row
// here and one field of CompressionConfig. No torch here.
//
// The help lines are translated in the GUI: lupdate scans this file (translations/CMakeLists.txt)
// for the context "hace::kv::Params".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/param_rule.h"
#include "engine/kv/methods.h"

namespace hace::kv {

struct ParamSpec {
    std::string_view key;   // sweep params key and CompressionConfig field ("pyramid_beta")
    std::string_view flag;  // CLI flag without "--" ("pyramid-beta"); a Bool flag sets true
    ParamRule rule;         // type and inclusive range
    // The default as written into cell keys. Where the method chooses its own value (the
    // selector's w, CAKE's tau table), this is a sentinel that `default_meaning` explains; a spec
    // may also say null.
    nlohmann::json default_value;
    std::string_view default_meaning;  // "" when the default is the value itself
    std::string_view help;             // one line
    std::string_view mode;             // "both", "equal" or "faithful"
    // Which methods read it: their defaults list it.
    bool (*reads)(const MethodRow& row);
    // A scorer's parameter: any method with a selectable scorer accepts it (not defaulted there).
    bool scorer_param = false;
    // Writes a checked, non-null value into the configuration.
    void (*apply)(CompressionConfig& cfg, const nlohmann::json& value) = nullptr;
    // A Bool flag that turns the parameter off ("no-decode-eviction" for decode_eviction).
    bool negated_flag = false;
    // The allowed strings besides the default (String parameters; nullptr: any).
    std::vector<std::string> (*choices)() = nullptr;
};

const std::vector<ParamSpec>& param_specs();
const ParamSpec* find_param(std::string_view key);
const ParamSpec* find_param_by_flag(std::string_view flag);

// The parameters a method accepts, and whether each is part of its defaults.
struct MethodParam {
    const ParamSpec* spec;
    bool defaulted;
};
std::vector<MethodParam> method_params(const MethodRow& row);
// {key: default} of the defaulted parameters (the sweep defaults that go into cell keys).
nlohmann::json method_default_params(const MethodRow& row);

// Applies a params object (key -> value; null = the method's own default) to cfg for cfg.method.
// Throws InputError naming the key for an unknown key or a value that does not fit.
void apply_params(CompressionConfig& cfg, const nlohmann::json& params);

}  // namespace hace::kv
