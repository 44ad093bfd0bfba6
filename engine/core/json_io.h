// Reading JSON files with errors that name the file, and typed field access that names the key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hace {

// Parses a whole JSON file; InputError names the file on a missing file or a syntax error.
nlohmann::json read_json_file(const std::filesystem::path& path);

// Writes JSON atomically (temp file + rename) so a reader never sees half a file.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value, int indent = 1);

// Human name of a JSON value's type, for error messages ("number", "string", ...).
std::string json_type_name(const nlohmann::json& v);

// Typed reads of JSON that came from outside (a file, a database, the designer). `path` names
// the value the way the user would find it ("tasks[0].options.protocol"); a value of the wrong
// type throws InputError "<path>: expected a string, got number" instead of nlohmann's
// type_error, which would surface as an internal error.
const std::string& json_string(const nlohmann::json& v, const std::string& path);
double json_number(const nlohmann::json& v, const std::string& path);
// A whole number (an integer, or a number with no fraction such as 4.0).
std::int64_t json_integer(const nlohmann::json& v, const std::string& path);
bool json_bool(const nlohmann::json& v, const std::string& path);
std::vector<double> json_numbers(const nlohmann::json& v, const std::string& path);

// Optional members of an object: the fallback when `obj` has no `key` (or `obj` is not an
// object), else the typed value; errors name "<path>.<key>".
std::string json_string_or(const nlohmann::json& obj, const std::string& key,
                           const std::string& fallback, const std::string& path);
double json_number_or(const nlohmann::json& obj, const std::string& key, double fallback,
                      const std::string& path);
std::int64_t json_integer_or(const nlohmann::json& obj, const std::string& key,
                             std::int64_t fallback, const std::string& path);
bool json_bool_or(const nlohmann::json& obj, const std::string& key, bool fallback,
                  const std::string& path);

}  // namespace hace
