#include "engine/model/config_reader.h"

#include "engine/core/error.h"
#include "engine/core/json_io.h"

namespace hace::model {

namespace {

std::string show(const nlohmann::json& v) {
    std::string s = v.dump();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s + " (" + json_type_name(v) + ")";
}

}  // namespace

bool ConfigReader::has(const std::string& key) const {
    return j_.contains(key) && !j_.at(key).is_null();
}

void ConfigReader::fail(const std::string& key, const std::string& expected) const {
    throw_mismatch(file_, key, expected, has(key) ? show(j_.at(key)) : "nothing (key missing)");
}

std::int64_t ConfigReader::positive_int(const std::string& key) const {
    if (!has(key)) fail(key, "a positive integer");
    const auto& v = j_.at(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) fail(key, "a positive integer");
    return v.get<std::int64_t>();
}

std::int64_t ConfigReader::positive_int_or(const std::string& key, std::int64_t fallback) const {
    return has(key) ? positive_int(key) : fallback;
}

double ConfigReader::positive_number_or(const std::string& key, double fallback) const {
    if (!has(key)) return fallback;
    const auto& v = j_.at(key);
    if (!v.is_number() || v.get<double>() <= 0.0) fail(key, "a positive number");
    return v.get<double>();
}

bool ConfigReader::boolean_or(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!j_.at(key).is_boolean()) fail(key, "true or false");
    return j_.at(key).get<bool>();
}

std::string ConfigReader::string_or(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!j_.at(key).is_string()) fail(key, "a string");
    return j_.at(key).get<std::string>();
}

std::int64_t ConfigReader::split_hidden(std::int64_t hidden, std::int64_t heads,
                                        const std::string& heads_key) const {
    if (hidden % heads != 0) {
        fail(heads_key, "a divisor of hidden_size (" + std::to_string(hidden) + ")");
    }
    return hidden / heads;
}

std::vector<std::int32_t> ConfigReader::int_list_or_empty(const std::string& key) const {
    std::vector<std::int32_t> out;
    if (!has(key)) return out;
    const auto& v = j_.at(key);
    if (v.is_number_integer()) {
        out.push_back(v.get<std::int32_t>());
        return out;
    }
    if (!v.is_array()) fail(key, "an integer or a list of integers");
    for (const auto& e : v) {
        if (!e.is_number_integer()) fail(key, "an integer or a list of integers");
        out.push_back(e.get<std::int32_t>());
    }
    return out;
}

}  // namespace hace::model
