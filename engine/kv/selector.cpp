#include "engine/kv/selector.h"

#include "engine/core/error.h"

namespace hace::kv {

SelectorConfig sel_cake() { return {SelectorConfig::Kind::Cake, 32, 5, 200.0}; }

SelectorConfig sel_snap() { return {SelectorConfig::Kind::Snap, 8, 7, 0.0}; }

SelectorConfig selector_by_name(std::string_view name) {
    if (name == "cake" || name == "sel-cake" || name == "SEL-CAKE") return sel_cake();
    if (name == "snap" || name == "sel-snap" || name == "SEL-SNAP") return sel_snap();
    throw InputError("unknown selector \"" + std::string(name) + "\" (known: cake, snap)");
}

}  // namespace hace::kv
