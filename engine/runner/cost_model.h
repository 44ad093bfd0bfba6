// The dry-run estimate of one cell: time per sample and peak memory, from the model's shape
// alone. A rough, documented model (order of magnitude, for planning a sweep), not a benchmark:
//
//   n = context tokens, m = generated tokens, P = parameters, s = bytes per element of the dtype,
//   L layers, Hq query heads, Hkv KV heads, d head dim, D hidden, V vocabulary,
//   B = batch size (sequences decoded together, model/generate_batch.h; 1 = alone),
//   k = cache entries kept per KV head: n (full) or max(8, round(R n)) (ALGORITHMS.md budgets)
//   prefill FLOP          = 2 P n + 2 L Hq d n^2          (weights; causal QK^T and AV)
//   decode FLOP / row     = 2 P + 4 L Hq d (k + m/2)
//   cache bytes / row     = 2 L Hkv d s (k + m/2)
//   seconds / step        = max(B * decode FLOP / flops_per_s,
//                               (P s + B * cache bytes) / bytes_per_s)
//                           (one batched step reads the weights once for all B rows)
//   seconds / sample      = prefill FLOP / flops_per_s + m * seconds / step / B
//                           (prefill runs per sequence; each sample owns 1/B of every step)
//   weights bytes         = P s
//   kv bytes (final)      = 2 L Hkv d s (k + m)            (one sequence)
//   kv peak bytes         = full: B * 2 L Hkv d s (n + m); compressing: B * kv bytes (final)
//                           plus one layer's full K/V of one prompt, 2 Hkv d s n, during the
//                           cascading prefill (DESIGN.md section 3). Prefill runs one sequence at
//                           a time, so while one prompt is prefilled the other B - 1 hold at most
//                           their final caches: the bound is B final caches + one prompt's layer.
//   activation bytes      = 8 n D s + 4 V B               (one prompt's hidden-sized buffers;
//                                                          fp32 logits of B rows)
//   peak bytes            = weights + kv peak + activations
// At B = 1 these are the unbatched formulas.
// Prefill sharing (B > 1, model/prompt_recording.h) holds one recorded prompt forward per sample
// of a batch besides that peak: per layer the q and k the family passed and the fused QKV
// projection their views keep alive, at most
//   recording bytes       = L n d s (2 Hq + 3 Hkv)        (one prompt)
// and the executor shares only while the batch's recordings fit what the estimated peak leaves
// of the memory budget (batch_size.h).
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
    std::int32_t batch = 1;  // B above (>= 1)
};

// Entries kept per KV head for a prompt of n tokens: n, or max(8, round(R n)) capped at n.
std::int64_t kept_entries_per_head(std::int64_t n, std::optional<double> retention);
std::int64_t estimated_params(const ModelInfo& m);
CellEstimate estimate_cell(const CellShape& shape, const CostModel& cost);
// The recording bytes above for a prompt of n tokens.
std::int64_t prompt_recording_bytes(const ModelInfo& m, std::int64_t n, std::int64_t dtype_bytes);

}  // namespace hace::runner
