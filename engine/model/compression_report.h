// What a compressed cache decided at prefill (DESIGN.md section 10 dump), as plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hace::model {

struct HeadReport {
    std::int64_t kv_head = 0;           // or the query head when CompressionReport::query_heads
    std::int64_t budget = 0;            // selected entries, window excluded
    std::vector<std::int64_t> kept;     // ascending prompt positions, window included
};

struct LayerReport {
    std::int64_t layer = 0;
    std::int64_t budget = 0;                 // sum of the heads' budgets
    std::optional<double> preference;        // CAKE/HACE layer preference
    double entropy = 0.0;  // E_l (window attention, selectable columns); NaN when not needed
    double temporal_variance = 0.0;          // V_l
    std::vector<HeadReport> heads;
};

struct CompressionReport {
    std::string method;
    std::string mode;      // "equal"
    std::string selector;  // "SEL-CAKE" | "SEL-SNAP"
    bool query_heads = false;  // heads are query heads (faithful per-query-head storage)
    std::int64_t prompt_tokens = 0;
    std::int64_t capacity = 0;     // C
    std::int64_t window = 0;       // w (observation)
    std::int64_t window_keep = 0;  // w_keep
    std::optional<double> retention_nominal;
    double tau1 = 1.0, tau2 = 1.0;  // CAKE preference exponents used (layer rule CAKE)
    bool compressed = false;   // prompt entries were evicted
    int kv_bits = 0;           // KIVI-quantised storage (0: full precision)
    // Time spent on compression during the prefill (window statistics, allocation, selection,
    // gathering kept entries), excluding the model's own forward.
    double compression_ms = 0.0;
    std::vector<LayerReport> layers;
};

}  // namespace hace::model
