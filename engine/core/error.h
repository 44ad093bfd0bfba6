// Error types shared by the whole engine: bad input (exit code 2) vs internal failure (exit 1).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace hace {

// Thrown for anything the user can fix: a malformed file, a missing tensor, an unknown flag.
// The message is one line and names the file (and key) and the problem.
class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// "<file>: <key>: expected <expected>, got <actual>"
[[noreturn]] void throw_mismatch(const std::string& file, const std::string& key,
                                 const std::string& expected, const std::string& actual);

// "<file>: <problem>"
[[noreturn]] void throw_input(const std::string& file, const std::string& problem);

// s between double quotes, for naming a value in a message.
std::string in_quotes(std::string_view s);

}  // namespace hace
