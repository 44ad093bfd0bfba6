#include "engine/runner/cost_model.h"

#include <algorithm>
#include <cmath>

namespace hace::runner {

CostModel default_cost_model(const std::string& device) {
    if (device.rfind("cuda", 0) == 0) return {2e14, 2e12};
    return {1e11, 2e10};
}

nlohmann::json CellEstimate::to_json() const {
    return {{"seconds_per_sample", seconds_per_sample},
            {"seconds", seconds},
            {"weights_bytes", weights_bytes},
            {"kv_bytes", kv_bytes},
            {"kv_peak_bytes", kv_peak_bytes},
            {"activation_bytes", activation_bytes},
            {"peak_bytes", peak_bytes}};
}

std::int64_t kept_entries_per_head(std::int64_t n, std::optional<double> retention) {
    if (!retention) return n;
    const auto k = static_cast<std::int64_t>(std::nearbyint(*retention * double(n)));
    return std::min(n, std::max<std::int64_t>(8, k));
}

std::int64_t estimated_params(const ModelInfo& m) {
    if (m.params > 0) return m.params;
    return 12 * m.layers * m.hidden * m.hidden + 2 * m.vocab * m.hidden;
}

CellEstimate estimate_cell(const CellShape& c, const CostModel& cost) {
    const ModelInfo& m = c.model;
    const double n = double(c.context_length);
    const double new_tokens = double(c.max_new_tokens);
    const double s = double(c.dtype_bytes);
    const double params = double(estimated_params(m));
    const double k = double(kept_entries_per_head(c.context_length, c.retention));
    const double layers = double(m.layers);
    const double b = double(std::max<std::int32_t>(1, c.batch));
    const double kv_per_entry = 2.0 * layers * double(m.kv_heads) * double(m.head_dim) * s;

    const double prefill_flop =
        2.0 * params * n + 2.0 * layers * double(m.q_heads) * double(m.head_dim) * n * n;
    const double attended = k + new_tokens / 2.0;
    const double decode_flop =
        2.0 * params + 4.0 * layers * double(m.q_heads) * double(m.head_dim) * attended;
    const double cache_bytes = kv_per_entry * attended;
    const double step_seconds = std::max(b * decode_flop / cost.flops_per_s,
                                         (params * s + b * cache_bytes) / cost.bytes_per_s);

    CellEstimate e;
    e.seconds_per_sample = prefill_flop / cost.flops_per_s + new_tokens * step_seconds / b;
    e.seconds = e.seconds_per_sample * double(c.samples);
    e.weights_bytes = static_cast<std::int64_t>(params * s);
    e.kv_bytes = static_cast<std::int64_t>(kv_per_entry * (k + new_tokens));
    e.kv_peak_bytes = c.retention ? static_cast<std::int64_t>(kv_per_entry / layers * n +
                                                              b * kv_per_entry * (k + new_tokens))
                                  : static_cast<std::int64_t>(b * kv_per_entry * (n + new_tokens));
    e.activation_bytes =
        static_cast<std::int64_t>(8.0 * n * double(m.hidden) * s + 4.0 * double(m.vocab) * b);
    e.peak_bytes = e.weights_bytes + e.kv_peak_bytes + e.activation_bytes;
    return e;
}

std::int64_t prompt_recording_bytes(const ModelInfo& m, std::int64_t n, std::int64_t dtype_bytes) {
    return m.layers * n * m.head_dim * dtype_bytes * (2 * m.q_heads + 3 * m.kv_heads);
}

}  // namespace hace::runner
