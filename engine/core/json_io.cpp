#include "engine/core/json_io.h"

#include <fstream>
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

}  // namespace hace
