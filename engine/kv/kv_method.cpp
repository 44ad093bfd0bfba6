#include "engine/kv/kv_method.h"

#include <algorithm>

namespace hace::kv {

std::int64_t KvMethod::protected_recent(const CompressionConfig& cfg, std::int64_t c) const {
    const std::int64_t w = cfg.selector.window;
    return cfg.faithful() ? w : std::min(w, c / 2);
}

bool KvMethod::compresses(PromptState& st, std::int64_t, std::int64_t, std::int64_t) {
    return !covers_prompt(st.in);
}

void KvMethod::prefill_uncompressed_layer(PromptState&, std::int64_t, const at::Tensor&,
                                          const at::Tensor&) {}

std::int64_t KvMethod::final_through(const PromptState&, std::int64_t l) const {
    return l;
}

}  // namespace hace::kv
