#include "engine/runner/exec/task_options.h"

#include <cmath>
#include <map>

#include "engine/core/json_io.h"

namespace hace::runner {
namespace {

using nlohmann::json;

enum class Kind { String, Bool, Integer, Depths, OneOf };

struct OptionRule {
    Kind kind;
    std::vector<std::string> choices;  // OneOf
};

std::map<std::string, OptionRule> rules_for(eval::TaskKind kind) {
    switch (kind) {
        case eval::TaskKind::LongBench:
            return {{"chat", {Kind::String, {}}}, {"file", {Kind::String, {}}}};
        case eval::TaskKind::Niah:
            return {{"needle", {Kind::String, {}}},
                    {"question", {Kind::String, {}}},
                    {"keywords", {Kind::String, {}}},
                    {"depths", {Kind::Depths, {}}},
                    {"format", {Kind::OneOf, {"pyramidkv", "chat"}}}};
        case eval::TaskKind::NeedleTask:
            return {{"distractors", {Kind::Bool, {}}}};
        case eval::TaskKind::Hiv:
            return {{"protocol", {Kind::OneOf, {"r2", "needle-model"}}},
                    {"max_length", {Kind::Integer, {}}},
                    {"lengths", {Kind::Integer, {}}},
                    {"max_trials", {Kind::Integer, {}}},
                    {"depths", {Kind::Depths, {}}}};
    }
    return {};
}

bool is_whole(const json& v) {
    return v.is_number_integer() ||
           (v.is_number() && v.get<double>() == std::floor(v.get<double>()));
}

std::string check_value(const std::string& key, const json& v, const OptionRule& rule) {
    const std::string got = "got " + json_type_name(v);
    switch (rule.kind) {
        case Kind::String:
            return v.is_string() ? "" : key + " must be a string, " + got;
        case Kind::Bool:
            return v.is_boolean() ? "" : key + " must be true or false, " + got;
        case Kind::Integer:
            if (!is_whole(v) || v.get<double>() < 0) {
                return key + " must be a non-negative integer, got " + v.dump();
            }
            return "";
        case Kind::Depths:
            if (!v.is_array() || v.empty()) return key + " must be a non-empty list of numbers";
            for (const auto& d : v) {
                if (!d.is_number() || d.get<double>() < 0 || d.get<double>() > 100) {
                    return key + " must hold depths in [0, 100] (percent), got " + d.dump();
                }
            }
            return "";
        case Kind::OneOf: {
            std::string list;
            for (const auto& c : rule.choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
            if (v.is_string()) {
                for (const auto& c : rule.choices) {
                    if (v.get<std::string>() == c) return "";
                }
            }
            return key + " must be one of " + list + ", got " + v.dump();
        }
    }
    return "";
}

}  // namespace

std::vector<std::string> check_task_options(eval::TaskKind kind, const json& options) {
    std::vector<std::string> problems;
    if (!options.is_object()) return {"must be an object"};
    const auto rules = rules_for(kind);
    for (const auto& [key, value] : options.items()) {
        const auto rule = rules.find(key);
        if (rule == rules.end()) {
            std::string known;
            for (const auto& [k, r] : rules) known += (known.empty() ? "" : ", ") + k;
            problems.push_back("unknown option \"" + key +
                               "\" (known: " + (known.empty() ? "none" : known) + ")");
            continue;
        }
        if (auto msg = check_value(key, value, rule->second); !msg.empty()) {
            problems.push_back(std::move(msg));
        }
    }
    return problems;
}

}  // namespace hace::runner
