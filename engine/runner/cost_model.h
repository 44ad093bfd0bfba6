// The dry-run estimate of one cell: time per sample and peak memory, from the model's shape
// alone. A rough, documented model (order of magnitude, for planning a sweep), not a benchmark:
//
//   n = context tokens, m = generated tokens, P = parameters, s = bytes per element of the dtype,
//   L layers, Hq query heads, Hkv KV heads, d head dim, D hidden, V vocabulary,
//   k = cache entries kept per KV head: n (full) or max(8, round(R n)) (ALGORITHMS.md budgets)
//   prefill FLOP          = 2 P n + 2 L Hq d n^2          (weights; causal QK^T and AV)
//   decode FLOP / token   = 2 P + 4 L Hq d (k + m/2)
//   decode bytes / token  = P s + 2 L Hkv d s (k + m/2)   (weights and cache read once)
//   seconds / sample      = prefill FLOP / flops_per_s
//                           + m * max(decode FLOP / flops_per_s, decode bytes / bytes_per_s)
//   weights bytes         = P s
//   kv bytes (final)      = 2 L Hkv d s (k + m)
//   kv peak bytes         = full: 2 L Hkv d s (n + m); compressing: one layer's full K/V during
//                           the cascading prefill (DESIGN.md section 3), 2 Hkv d s n, plus the
//                           final kept cache
//   activation bytes      = 8 n D s + 4 V                 (hidden-sized buffers, fp32 logits)
//   peak bytes            = weights + kv peak + activations
// P = 0 in ModelInfo is replaced by 12 L D^2 + 2 V D. The throughputs default per device kind
// and should be replaced by measured ones (hace bench) where they matter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/runner/validation_context.h"

namespace hace::runner {

struct CostModel {
    double flops_per_s = 1e11;  // sustained matrix throughput
    double bytes_per_s = 2e10;  // sustained memory bandwidth
};

// cpu: 1e11 FLOP/s, 2e10 B/s; cuda[:N]: 2e14 FLOP/s, 2e12 B/s.
CostModel default_cost_model(const std::string& device);

struct CellEstimate {
    double seconds_per_sample = 0.0;
    double seconds = 0.0;  // all samples of the cell
    std::int64_t weights_bytes = 0;
    std::int64_t kv_bytes = 0;       // the cache after compression and generation
    std::int64_t kv_peak_bytes = 0;  // the most cache held at once
    std::int64_t activation_bytes = 0;
    std::int64_t peak_bytes = 0;
    nlohmann::json to_json() const;
};

struct CellShape {
    ModelInfo model;
    std::int64_t context_length = 0;
    std::optional<double> retention;  // nullopt: full cache
    std::int64_t max_new_tokens = 0;
    std::int64_t samples = 0;
    std::int64_t dtype_bytes = 4;
};

// Entries kept per KV head for a prompt of n tokens: n, or max(8, round(R n)) capped at n.
std::int64_t kept_entries_per_head(std::int64_t n, std::optional<double> retention);
std::int64_t estimated_params(const ModelInfo& m);
CellEstimate estimate_cell(const CellShape& shape, const CostModel& cost);

}  // namespace hace::runner
