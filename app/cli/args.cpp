#include "app/cli/args.h"

#include <charconv>
#include <sstream>

#include "engine/core/error.h"

namespace hace::cli {
namespace {

const FlagSpec* find_spec(const std::vector<FlagSpec>& specs, const std::string& name) {
    for (const auto& s : specs) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

}  // namespace

Args::Args(const std::string& command, const std::vector<FlagSpec>& specs,
           const std::vector<std::string>& argv)
    : command_(command) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() < 3 || a.rfind("--", 0) != 0) {
            if (a.size() > 1 && a[0] == '-' && a != "-") {
                throw InputError("hace " + command + ": unknown flag " + a + " (see hace " +
                                 command + " --help)");
            }
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        bool inline_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        const FlagSpec* spec = find_spec(specs, name);
        if (!spec) {
            throw InputError("hace " + command + ": unknown flag --" + name + " (see hace " +
                             command + " --help)");
        }
        if (values_.count(name)) {
            throw InputError("hace " + command + ": flag --" + name + " given twice");
        }
        if (spec->takes_value && !inline_value) {
            if (i + 1 >= argv.size()) {
                throw InputError("hace " + command + ": flag --" + name + " needs a value");
            }
            value = argv[++i];
        } else if (!spec->takes_value && inline_value) {
            throw InputError("hace " + command + ": flag --" + name + " takes no value");
        }
        values_[name] = value;
    }
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::require(const std::string& name) const {
    auto v = get(name);
    if (!v) throw InputError("hace " + command_ + ": --" + name + " is required");
    return *v;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

std::int64_t Args::int_or(const std::string& name, std::int64_t fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    std::int64_t out = 0;
    const char* end = v->data() + v->size();
    auto [p, ec] = std::from_chars(v->data(), end, out);
    if (ec != std::errc() || p != end || v->empty()) {
        throw InputError("hace " + command_ + ": --" + name + ": expected an integer, got \"" +
                         *v + "\"");
    }
    return out;
}

double Args::number_or(const std::string& name, double fallback) const {
    auto v = get(name);
    if (!v) return fallback;
    std::istringstream in(*v);
    double out = 0.0;
    in >> out;
    if (!in || !in.eof()) {
        throw InputError("hace " + command_ + ": --" + name + ": expected a number, got \"" + *v +
                         "\"");
    }
    return out;
}

std::string Args::one_of(const std::vector<std::string>& names) const {
    std::string found, list;
    for (const auto& n : names) {
        list += (list.empty() ? "--" : " | --") + n;
        if (has(n)) {
            if (!found.empty()) {
                throw InputError("hace " + command_ + ": give only one of " + list + "...");
            }
            found = n;
        }
    }
    if (found.empty()) throw InputError("hace " + command_ + ": one of " + list + " is required");
    return found;
}

std::string usage_text(const std::string& command, const std::string& synopsis,
                       const std::vector<FlagSpec>& specs) {
    std::string out = "usage: hace " + command + " " + synopsis + "\n";
    for (const auto& s : specs) {
        std::string left = "  --" + s.name + (s.takes_value ? " V" : "");
        if (left.size() < 26) left.resize(26, ' ');
        out += left + " " + s.help + "\n";
    }
    return out;
}

std::vector<std::int32_t> parse_id_list(const std::string& flag, const std::string& text) {
    std::vector<std::int32_t> ids;
    std::string item;
    std::istringstream in(text);
    while (std::getline(in, item, ',')) {
        const auto b = item.find_first_not_of(" \t");
        const auto e = item.find_last_not_of(" \t");
        if (b == std::string::npos) {
            throw InputError("--" + flag + ": empty item in \"" + text + "\"");
        }
        item = item.substr(b, e - b + 1);
        std::int32_t v = 0;
        auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (ec != std::errc() || p != item.data() + item.size()) {
            throw InputError("--" + flag + ": \"" + item + "\" is not an integer token id");
        }
        ids.push_back(v);
    }
    return ids;
}

}  // namespace hace::cli
