// Token selectors (ALGORITHMS.md sections 0.3, 5.1, 13.4, 16.1): which statistics rank the prompt
// positions of a head. SEL-CAKE and SEL-SNAP rank by observation-window attention; the other
// scorers of the scorer table (scorers.h: random, knorm, tova, expected-attention, ...) by their
// own definitions. Any of them runs under any allocator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hace::kv {

struct SelectorConfig {
    enum class Kind { Cake, Snap, Scorer };
    Kind kind = Kind::Cake;
    std::int64_t window = 32;  // w: observation window (queries used for scoring)
    std::int64_t pool = 5;     // pooling kernel (avg for SEL-CAKE, max for SEL-SNAP)
    double gamma = 200.0;      // SEL-CAKE: indicator = mean + gamma * unbiased variance
    std::string scorer;        // Kind::Scorer: the scorer table id ("knorm", "tova", ...)

    // "SEL-CAKE", "SEL-SNAP", or the scorer's label ("KNORM", ...).
    std::string name() const;
};

// SEL-CAKE: w 32, mean + 200 var, avg pool 5, group mean after pooling.
SelectorConfig sel_cake();
// SEL-SNAP: w 8, window mean, group mean before max pool 7.
SelectorConfig sel_snap();
// "cake" | "snap" (also "sel-cake", "sel-snap") or a scorer id of the scorer table; throws
// InputError listing the known ids otherwise.
SelectorConfig selector_by_name(std::string_view name);
// The scorer table id of a selector ("cake", "snap", "knorm", ...).
std::string selector_id(const SelectorConfig& sel);

}  // namespace hace::kv
