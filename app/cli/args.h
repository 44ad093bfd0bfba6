// A small command-line parser: declared flags only, "--name value" or "--name=value", positional
// arguments; anything undeclared is bad input (exit 2).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hace::cli {

struct FlagSpec {
    std::string name;    // without the leading dashes
    bool takes_value;    // false: a switch
    std::string help;
};

class Args {
public:
    // Throws InputError for unknown flags, missing values or repeated flags.
    Args(const std::string& command, const std::vector<FlagSpec>& specs,
         const std::vector<std::string>& argv);

    bool has(const std::string& name) const;
    std::optional<std::string> get(const std::string& name) const;
    std::string require(const std::string& name) const;
    std::string get_or(const std::string& name, const std::string& fallback) const;
    std::int64_t int_or(const std::string& name, std::int64_t fallback) const;
    double number_or(const std::string& name, double fallback) const;
    const std::vector<std::string>& positional() const { return positional_; }
    const std::string& command() const { return command_; }

    // Exactly one of the named flags must be given; returns its name.
    std::string one_of(const std::vector<std::string>& names) const;

private:
    std::string command_;
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

std::string usage_text(const std::string& command, const std::string& synopsis,
                       const std::vector<FlagSpec>& specs);

// "1,2, 3" -> {1, 2, 3}; throws InputError naming the flag on anything else.
std::vector<std::int32_t> parse_id_list(const std::string& flag, const std::string& text);

}  // namespace hace::cli
