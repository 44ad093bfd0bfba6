// Typed access to config.json keys; every failure names the file, the key, expected and actual.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace hace::model {

class ConfigReader {
public:
    ConfigReader(const nlohmann::json& j, std::string file) : j_(j), file_(std::move(file)) {}

    bool has(const std::string& key) const;  // present and not null
    std::int64_t positive_int(const std::string& key) const;
    std::int64_t positive_int_or(const std::string& key, std::int64_t fallback) const;
    double positive_number_or(const std::string& key, double fallback) const;
    bool boolean_or(const std::string& key, bool fallback) const;
    std::string string_or(const std::string& key, const std::string& fallback) const;
    // An integer or a list of integers (eos_token_id may be either).
    std::vector<std::int32_t> int_list_or_empty(const std::string& key) const;
    // hidden / heads, refusing (on the `heads_key` key) a head count that does not divide hidden.
    std::int64_t split_hidden(std::int64_t hidden, std::int64_t heads,
                              const std::string& heads_key = "num_attention_heads") const;
    const std::string& file() const { return file_; }
    [[noreturn]] void fail(const std::string& key, const std::string& expected) const;

private:
    const nlohmann::json& j_;
    std::string file_;
};

}  // namespace hace::model
