#include "engine/kv/selector.h"

#include "engine/core/error.h"
#include "engine/kv/scorers.h"

namespace hace::kv {

SelectorConfig sel_cake() {
    return {SelectorConfig::Kind::Cake, 32, 5, 200.0, ""};
}

SelectorConfig sel_snap() {
    return {SelectorConfig::Kind::Snap, 8, 7, 0.0, ""};
}

std::string SelectorConfig::name() const {
    if (kind == Kind::Cake) return "SEL-CAKE";
    if (kind == Kind::Snap) return "SEL-SNAP";
    const ScorerRow* row = find_scorer(scorer);
    return row ? std::string(row->label) : scorer;
}

SelectorConfig selector_by_name(std::string_view name) {
    if (name == "sel-cake" || name == "SEL-CAKE") return sel_cake();
    if (name == "sel-snap" || name == "SEL-SNAP") return sel_snap();
    if (const ScorerRow* row = find_scorer(name)) return row->defaults;
    std::string known;
    for (const auto& r : scorer_rows()) known += (known.empty() ? "" : ", ") + std::string(r.id);
    throw InputError("unknown selector \"" + std::string(name) + "\" (known: " + known + ")");
}

std::string selector_id(const SelectorConfig& sel) {
    if (sel.kind == SelectorConfig::Kind::Cake) return "cake";
    if (sel.kind == SelectorConfig::Kind::Snap) return "snap";
    return sel.scorer;
}

}  // namespace hace::kv
