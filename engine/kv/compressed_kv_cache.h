// The compressed KV cache itself (compressed_kv_cache.cpp), for callers that drive a cache
// directly instead of through a model session: tests feed it hand-made Q/K/V to check each
// method's decisions step by step. Internal (ATen).
#pragma once

#include <memory>

#include "engine/kv/methods.h"
#include "engine/model/kv_cache.h"

namespace hace::kv {

// A cache compressing with `cfg` (already validated against the model, and a method that
// compresses). new_compressed_session builds its sessions on this.
std::unique_ptr<model::KvCache> make_compressed_cache(const model::CacheShape& shape,
                                                      const model::AttentionSpec& spec,
                                                      const CompressionConfig& cfg);

}  // namespace hace::kv
