// Prefill sharing (internal, ATen): one prompt forward recorded as its cache saw it, and replayed
// into other caches of the same model. A family forward hands each layer's (q, k, v) to
// KvCache::attend and calls advance(T) at the end; every cache attends the prompt over the
// prompt's own K/V (the full cache and every compressing cache call causal_gqa_attention on the
// tensors as passed), so the calls, the layer outputs and the last logits do not depend on the
// cache. Replaying the calls into another empty cache therefore leaves it exactly as its own
// forward would: a compressing cache makes its decisions on bit-identical inputs.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "engine/model/kv_cache.h"
#include "engine/model/model.h"

namespace hace::model {

class CausalLm;

class RecordedPrompt final : public PromptRecording {
public:
    struct Layer {
        // As the family passed them (views included, so a replay sees the same layouts); a view
        // keeps its base (the fused QKV projection) alive, and bytes() counts the bases.
        at::Tensor q, k, v;
    };

    RecordedPrompt(const CausalLm& model, std::span<const TokenId> ids)
        : model_(&model), ids_(ids.begin(), ids.end()) {}

    std::span<const TokenId> ids() const override { return ids_; }
    std::int64_t bytes() const override;
    const CausalLm* model() const { return model_; }

    std::vector<Layer> layers;       // in the order attend() was called (layer 0, 1, ...)
    std::vector<float> last_logits;  // [vocab] of the last prompt position
    std::map<std::string, double> sequence_state;  // what the forward left (KvCache)

private:
    const CausalLm* model_;
    std::vector<TokenId> ids_;
};

// Passes every call to `inner` (an empty cache) and keeps each attend()'s tensors in `into`.
// The sequence state the forward writes stays on this wrapper: copy it with finish().
class RecordingKvCache final : public KvCache {
public:
    RecordingKvCache(KvCache& inner, RecordedPrompt& into) : inner_(inner), into_(into) {}

    at::Tensor attend(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
                      const at::Tensor& v) override;
    void advance(std::int64_t t) override { inner_.advance(t); }
    std::int64_t length() const override { return inner_.length(); }
    std::int64_t capacity() const override { return inner_.capacity(); }
    KvStats stats() const override { return inner_.stats(); }
    const CompressionReport* report() const override { return inner_.report(); }
    // After the forward: its sequence state into the inner cache and the recording.
    void finish();

private:
    KvCache& inner_;
    RecordedPrompt& into_;
};

// Runs the recorded forward's cache calls on `cache` (empty): for every layer in order
// store(l, q_l, k_l, v_l) (attend() without the output, which the replay does not need),
// advance(T), and the sequence state.
void replay_prompt(const RecordedPrompt& recording, KvCache& cache);

}  // namespace hace::model
