// Reading JSON files with errors that name the file, and typed field access that names the key.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace hace {

// Parses a whole JSON file; InputError names the file on a missing file or a syntax error.
nlohmann::json read_json_file(const std::filesystem::path& path);

// Writes JSON atomically (temp file + rename) so a reader never sees half a file.
void write_json_file(const std::filesystem::path& path, const nlohmann::json& value, int indent = 1);

// Human name of a JSON value's type, for error messages ("number", "string", ...).
std::string json_type_name(const nlohmann::json& v);

}  // namespace hace
