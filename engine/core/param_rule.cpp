#include "engine/core/param_rule.h"

#include <cmath>

#include "engine/core/json_io.h"

namespace hace {

std::string_view param_type_name(ParamType t) {
    switch (t) {
        case ParamType::Number:
            return "number";
        case ParamType::Integer:
            return "integer";
        case ParamType::Bool:
            return "bool";
        case ParamType::String:
            return "string";
    }
    return "number";
}

std::string check_param_value(std::string_view key, const ParamRule& rule,
                              const nlohmann::json& value) {
    if (value.is_null()) return "";
    const std::string name = "parameter " + std::string(key);
    switch (rule.type) {
        case ParamType::Bool:
            return value.is_boolean() ? "" : "expected a boolean, got " + json_type_name(value);
        case ParamType::String:
            return value.is_string() ? "" : "expected a string, got " + json_type_name(value);
        case ParamType::Number:
        case ParamType::Integer:
            break;
    }
    if (!value.is_number()) return "expected a number, got " + json_type_name(value);
    const double v = value.get<double>();
    if (!std::isfinite(v)) return name + " must be finite, got " + value.dump();
    if (rule.type == ParamType::Integer && v != std::floor(v)) {
        return name + " must be an integer, got " + value.dump();
    }
    const auto bound = [](double b) {
        return b == std::floor(b) ? std::to_string(static_cast<long long>(b))
                                  : nlohmann::json(b).dump();
    };
    if (rule.min && v < *rule.min) {
        return name + " must be >= " + bound(*rule.min) + ", got " + value.dump();
    }
    if (rule.max && v > *rule.max) {
        return name + " must be <= " + bound(*rule.max) + ", got " + value.dump();
    }
    return "";
}

}  // namespace hace
