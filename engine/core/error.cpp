#include "engine/core/error.h"

namespace hace {

void throw_mismatch(const std::string& file, const std::string& key, const std::string& expected,
                    const std::string& actual) {
    throw InputError(file + ": " + key + ": expected " + expected + ", got " + actual);
}

void throw_input(const std::string& file, const std::string& problem) {
    throw InputError(file + ": " + problem);
}

std::string in_quotes(std::string_view s) {
    // Appended piecewise: GCC 12 raises a false -Wrestrict on "\"" + std::string(s).
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    out.append(s);
    out += '"';
    return out;
}

}  // namespace hace
