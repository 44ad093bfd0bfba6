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

#include "engine/kv/kv_method.h"
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

namespace {

// The method: the same budget on every KV head of every layer.
class StreamingLlm final : public KvMethod {
public:
    std::int64_t protected_recent(const CompressionConfig& cfg, std::int64_t c) const override {
        return streaming_split(c, cfg.sinks).recent;
    }
    bool evicts_while_decoding(const CompressionConfig& cfg) const override {
        return cfg.decode_eviction;
    }
    std::string selector_label(const CompressionConfig&) const override { return "sinks+recent"; }

    void prefill_layer(PromptState& st, std::int64_t l, const at::Tensor&, const at::Tensor& k,
                       const at::Tensor& v, const at::Tensor&) override {
        const std::int64_t n = k.size(1);
        std::vector<std::vector<std::int64_t>> keep(static_cast<std::size_t>(st.n_seg),
                                                    streaming_keep(n, {st.in.budget, st.w_keep}));
        st.store.store(l, k, v, keep, std::vector<std::int64_t>(keep.size(), st.in.budget),
                       st.shape.capacity - n);
    }

    void after_decode_step(PromptState& st, StoreLayer& L, Segment& s, const StepProbs&) override {
        std::int64_t row = 0;
        while ((row = streaming_victim(s.length, {s.limit, st.w_decode})) >= 0) {
            st.store.remove_rows(L, s, row, 1);
        }
    }
};

}  // namespace

std::unique_ptr<KvMethod> make_streamingllm(const CompressionConfig&, const MethodRow&) {
    return std::make_unique<StreamingLlm>();
}

}  // namespace hace::kv
