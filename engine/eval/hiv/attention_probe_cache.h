// A full KV cache that also reports, at every decode step, each query head's attention
// distribution over all cached positions: what the HIV test (ALGORITHMS.md sections 4.4, 12)
// credits heads with. Internal (ATen).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "engine/model/kv_cache.h"

namespace hace::eval {

// probs: [q_heads, length] row-major, the softmax of the step's query over positions
// 0..length-1 (the new token included), float32.
using AttentionProbe =
    std::function<void(std::int64_t layer, const float* probs, std::int64_t q_heads,
                       std::int64_t length)>;

std::unique_ptr<model::KvCache> make_probe_cache(const model::CacheShape& shape,
                                                 const model::AttentionSpec& spec,
                                                 AttentionProbe probe);

}  // namespace hace::eval
