// Token selectors (ALGORITHMS.md sections 0.3, 5.1, 13.4, 16.1): which statistics of the
// observation-window attention rank the prompt positions of a KV head.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hace::kv {

struct SelectorConfig {
    enum class Kind { Cake, Snap };
    Kind kind = Kind::Cake;
    std::int64_t window = 32;  // w: observation window (queries used for scoring)
    std::int64_t pool = 5;     // pooling kernel (avg for SEL-CAKE, max for SEL-SNAP)
    double gamma = 200.0;      // SEL-CAKE: indicator = mean + gamma * unbiased variance

    std::string name() const { return kind == Kind::Cake ? "SEL-CAKE" : "SEL-SNAP"; }
};

// SEL-CAKE: w 32, mean + 200 var, avg pool 5, group mean after pooling.
SelectorConfig sel_cake();
// SEL-SNAP: w 8, window mean, group mean before max pool 7.
SelectorConfig sel_snap();
// "cake" | "snap" (also "sel-cake", "sel-snap"); throws InputError otherwise.
SelectorConfig selector_by_name(std::string_view name);

}  // namespace hace::kv
