// The type and range of one named parameter, and the one check of a JSON value against them:
// shared by the KV parameter schema (engine/kv/method_params.h) and the sweep validator, which
// sees the schema as plain data (runner::ParamInfo).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace hace {

enum class ParamType { Number, Integer, Bool, String };

// "number", "integer", "bool", "string".
std::string_view param_type_name(ParamType t);

struct ParamRule {
    ParamType type = ParamType::Number;
    std::optional<double> min, max;  // inclusive; numbers only
};

// "" when `value` fits (null always does: the default), else the problem in one sentence:
// "expected a number, got string", "parameter pool must be an integer, got 4.5",
// "parameter ada_alpha must be <= 1, got 2".
std::string check_param_value(std::string_view key, const ParamRule& rule,
                              const nlohmann::json& value);

}  // namespace hace
