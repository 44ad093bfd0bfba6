#include "engine/runner/canonical_json.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/core/sha256.h"

namespace hace::runner {
namespace {

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

// A copy with every integral float turned into an integer; keys are already sorted because
// nlohmann::json stores objects in a std::map<std::string, ...> (byte-wise order).
nlohmann::json normalised(const nlohmann::json& v, const std::string& where) {
    if (v.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, item] : v.items()) out[key] = normalised(item, where + "." + key);
        return out;
    }
    if (v.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (std::size_t i = 0; i < v.size(); ++i) {
            out.push_back(normalised(v[i], where + "[" + std::to_string(i) + "]"));
        }
        return out;
    }
    if (v.is_number_float()) {
        const double x = v.get<double>();
        if (!std::isfinite(x)) throw_input(where, "non-finite number has no canonical JSON form");
        if (x == std::floor(x) && std::fabs(x) <= kMaxExactInteger) {
            return nlohmann::json(static_cast<std::int64_t>(x));
        }
    }
    return v;
}

}  // namespace

std::string canonical_json(const nlohmann::json& value) {
    return normalised(value, "$").dump(-1, ' ', /*ensure_ascii=*/true);
}

std::string config_hash(const nlohmann::json& value) {
    return sha256_hex(canonical_json(value));
}

}  // namespace hace::runner
