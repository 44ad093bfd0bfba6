#include "engine/eval/tasks/python_format.h"

#include <algorithm>
#include <cctype>

#include "engine/core/error.h"

namespace hace::tasks {
namespace {

[[noreturn]] void fail(const std::string& where, std::size_t offset, const std::string& what) {
    throw_input(where, "template at offset " + std::to_string(offset) + ": " + what);
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
}

// Finds the '}' closing the field that starts after the '{' at open; nested braces (allowed by
// Python inside a format spec) are counted.
std::size_t field_end(std::string_view tmpl, std::size_t open, const std::string& where) {
    int depth = 1;
    for (std::size_t i = open + 1; i < tmpl.size(); ++i) {
        if (tmpl[i] == '{') ++depth;
        if (tmpl[i] == '}' && --depth == 0) return i;
    }
    fail(where, open, "expected '}' before end of string");
}

std::string_view field_value(std::string_view field, std::size_t offset, const FormatFields& fields,
                             const std::string& where) {
    // field = name ["!" conversion] [":" spec]; the name ends at the first '!' or ':'.
    const std::size_t name_end = std::min(field.find_first_of("!:"), field.size());
    const std::string_view name = field.substr(0, name_end);
    std::string_view conversion;
    std::string_view spec;
    bool has_spec = false;
    if (name_end < field.size() && field[name_end] == '!') {
        const std::size_t colon = field.find(':', name_end);
        conversion =
            field.substr(name_end + 1, colon == std::string_view::npos ? std::string_view::npos
                                                                       : colon - name_end - 1);
        if (colon != std::string_view::npos) {
            spec = field.substr(colon + 1);
            has_spec = true;
        }
        if (conversion.size() != 1) {
            fail(where, offset, "expected ':' after conversion specifier");
        }
    } else if (name_end < field.size()) {
        spec = field.substr(name_end + 1);
        has_spec = true;
    }
    if (name.empty() || all_digits(name)) {
        fail(where, offset,
             "positional field {" + std::string(name) + "} but only named fields are given");
    }
    if (name.find_first_of(".[") != std::string_view::npos) {
        fail(where, offset,
             "attribute or index access in {" + std::string(name) + "} is not supported");
    }
    if (!conversion.empty() && conversion != "s") {
        fail(where, offset, "conversion !" + std::string(conversion) + " is not supported");
    }
    if (has_spec && !spec.empty()) {
        fail(where, offset, "format spec :" + std::string(spec) + " is not supported");
    }
    const auto it = fields.find(name);
    if (it == fields.end()) fail(where, offset, "unknown field {" + std::string(name) + "}");
    return it->second;
}

}  // namespace

std::string python_format(std::string_view tmpl, const FormatFields& fields,
                          const std::string& where) {
    std::string out;
    out.reserve(tmpl.size());
    for (std::size_t i = 0; i < tmpl.size();) {
        const char c = tmpl[i];
        if (c == '}') {
            if (i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
                out.push_back('}');
                i += 2;
                continue;
            }
            fail(where, i, "single '}' encountered");
        }
        if (c != '{') {
            out.push_back(c);
            ++i;
            continue;
        }
        if (i + 1 >= tmpl.size()) fail(where, i, "single '{' encountered");
        if (tmpl[i + 1] == '{') {
            out.push_back('{');
            i += 2;
            continue;
        }
        const std::size_t close = field_end(tmpl, i, where);
        out.append(field_value(tmpl.substr(i + 1, close - i - 1), i, fields, where));
        i = close + 1;
    }
    return out;
}

}  // namespace hace::tasks
