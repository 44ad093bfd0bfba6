// Canonical JSON text and the stable hash of a configuration (cell and sweep keys of the results
// store). The rules are fixed here, so a key computed on one machine equals the key computed on
// any other machine and in any later run:
//   - no whitespace; object keys sorted by their UTF-8 bytes; arrays keep their order;
//   - strings escaped as JSON requires, every non-ASCII character as \uXXXX (UTF-16);
//   - a number with an integral value of magnitude <= 2^53 is written as an integer (so 1, 1.0
//     and 1e0 give the same text); any other number in the shortest form that reads back to
//     the same IEEE double (nlohmann::json's own Grisu2, independent of the C library);
//   - NaN and infinities are refused (they have no JSON spelling).
// config_hash = lower-case hex SHA-256 of the canonical text.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace hace::runner {

// Throws InputError naming the key path of a non-finite number.
std::string canonical_json(const nlohmann::json& value);
std::string config_hash(const nlohmann::json& value);

}  // namespace hace::runner
