// StreamingLLM (ALGORITHMS.md section 6.2): the first `sinks` tokens (attention sinks, default 4)
// plus the most recent tokens up to the budget.
//
// One-shot variant (KVF / kvpress): applied once at prefill; kept keys keep the positions (and
// RoPE rotations) they had in the prompt; the cache then grows by one entry per generated token.
// Rolling variant (the original's decode loop): after every generated token the oldest non-sink
// entry is dropped so the cache stays at C. The original re-indexes positions inside the cache
// (keys re-rotated to their cache slots); we keep every entry's absolute position instead, so
// queries and keys never see positions beyond the prompt length plus the generated tokens — no
// re-rotation is needed as long as the run stays within max_position_embeddings, which the
// engine enforces. This is recorded in the method's params as "position_handling".
#include <algorithm>
#include <numeric>

#include "engine/kv/token_policies.h"

namespace hace::kv {

StreamingSplit streaming_split(std::int64_t capacity, std::int64_t sinks) {
    StreamingSplit s;
    s.sinks = std::clamp<std::int64_t>(sinks, 0, capacity);
    s.recent = capacity - s.sinks;
    return s;
}

std::vector<std::int64_t> streaming_keep(std::int64_t n, const StreamingSplit& split) {
    std::vector<std::int64_t> keep;
    if (split.sinks + split.recent >= n) {
        keep.resize(static_cast<std::size_t>(n));
        std::iota(keep.begin(), keep.end(), 0);
        return keep;
    }
    for (std::int64_t j = 0; j < split.sinks; ++j) keep.push_back(j);
    for (std::int64_t j = n - split.recent; j < n; ++j) keep.push_back(j);
    return keep;
}

std::int64_t streaming_victim(std::int64_t length, const StreamingSplit& split) {
    if (length <= split.sinks + split.recent) return -1;
    return split.sinks;
}

}  // namespace hace::kv
