#include "engine/core/json_io.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "engine/core/error.h"

namespace hace {

nlohmann::json read_json_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path.string(), "cannot open file");
    std::stringstream buf;
    buf << in.rdbuf();
    try {
        return nlohmann::json::parse(buf.str());
    } catch (const nlohmann::json::exception& e) {
        // Not only parse_error: a number beyond double's range (1e999) is an out_of_range.
        throw_input(path.string(), std::string("malformed JSON (") + e.what() + ")");
    }
}

void write_json_file(const std::filesystem::path& path, const nlohmann::json& value, int indent) {
    const auto tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw_input(path.string(), "cannot write file");
        out << value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        if (!out) throw_input(path.string(), "write failed");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw_input(path.string(), "cannot move file into place: " + ec.message());
}

std::string json_type_name(const nlohmann::json& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "boolean";
    if (v.is_number_integer()) return "integer";
    if (v.is_number()) return "number";
    if (v.is_string()) return "string";
    if (v.is_array()) return "array";
    return "object";
}

namespace {

[[noreturn]] void wrong_type(const nlohmann::json& v, const std::string& path,
                             const char* expected) {
    throw InputError(path + ": expected " + expected + ", got " + json_type_name(v));
}

const nlohmann::json* member(const nlohmann::json& obj, const std::string& key) {
    if (!obj.is_object()) return nullptr;
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

}  // namespace

const std::string& json_string(const nlohmann::json& v, const std::string& path) {
    if (!v.is_string()) wrong_type(v, path, "a string");
    return v.get_ref<const std::string&>();
}

double json_number(const nlohmann::json& v, const std::string& path) {
    if (!v.is_number()) wrong_type(v, path, "a number");
    return v.get<double>();
}

std::int64_t json_integer(const nlohmann::json& v, const std::string& path) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            throw InputError(path + ": " + v.dump() + " is too large");
        }
        return static_cast<std::int64_t>(u);
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number_float()) {
        const double d = v.get<double>();
        // 2^63 as a double; anything at or past it (or not finite) does not fit.
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2233720368547758e18) {
            return static_cast<std::int64_t>(d);
        }
        throw InputError(path + ": expected an integer, got " + v.dump());
    }
    wrong_type(v, path, "an integer");
}

bool json_bool(const nlohmann::json& v, const std::string& path) {
    if (!v.is_boolean()) wrong_type(v, path, "true or false");
    return v.get<bool>();
}

std::vector<double> json_numbers(const nlohmann::json& v, const std::string& path) {
    if (!v.is_array()) wrong_type(v, path, "a list of numbers");
    std::vector<double> out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        out.push_back(json_number(v[i], path + "[" + std::to_string(i) + "]"));
    }
    return out;
}

std::string json_string_or(const nlohmann::json& obj, const std::string& key,
                           const std::string& fallback, const std::string& path) {
    const nlohmann::json* v = member(obj, key);
    return v ? json_string(*v, path + "." + key) : fallback;
}

double json_number_or(const nlohmann::json& obj, const std::string& key, double fallback,
                      const std::string& path) {
    const nlohmann::json* v = member(obj, key);
    return v ? json_number(*v, path + "." + key) : fallback;
}

std::int64_t json_integer_or(const nlohmann::json& obj, const std::string& key,
                             std::int64_t fallback, const std::string& path) {
    const nlohmann::json* v = member(obj, key);
    return v ? json_integer(*v, path + "." + key) : fallback;
}

bool json_bool_or(const nlohmann::json& obj, const std::string& key, bool fallback,
                  const std::string& path) {
    const nlohmann::json* v = member(obj, key);
    return v ? json_bool(*v, path + "." + key) : fallback;
}

}  // namespace hace
