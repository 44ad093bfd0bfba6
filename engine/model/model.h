// A loaded causal language model and its per-sequence decoding session. No torch types here:
// front ends and tests use this API only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/core/dtype.h"
#include "engine/model/compression_report.h"
#include "engine/model/model_config.h"

namespace hace::model {

using TokenId = std::int32_t;

struct LoadOptions {
    std::optional<DType> dtype;  // run dtype; default f32 on CPU
    std::string device = "cpu";
};

struct KvStats {
    std::int64_t full_entries = 0;    // L x Hkv x tokens seen
    std::int64_t kept_entries = 0;    // entries actually stored
    std::int64_t bytes = 0;           // kept_entries x 2 (K and V) x head_dim x element size
    std::int64_t capacity_bytes = 0;  // bytes reserved (kept + slack)
};

// One prompt forward of a session as its cache saw it (model/prompt_recording.h): what another
// session of the same model needs to be prefilled with the same prompt without running the
// forward again (prefill sharing of batched sweeps). Immutable once made.
class PromptRecording {
public:
    virtual ~PromptRecording() = default;
    virtual std::span<const TokenId> ids() const = 0;  // the prompt it recorded
    virtual std::int64_t bytes() const = 0;            // memory it holds
};

// One sequence being decoded. Owns its KV cache, preallocated for `max_tokens` positions.
class Session {
public:
    virtual ~Session() = default;
    // Runs the prompt (positions 0..n-1). Returns logits of the last position ([vocab]), or of
    // every position ([n * vocab], row-major) when all_positions is set.
    virtual std::vector<float> prefill(std::span<const TokenId> ids,
                                       bool all_positions = false) = 0;
    // prefill(ids) of an empty session that also records the forward into *recording.
    virtual std::vector<float> prefill_recorded(
        std::span<const TokenId> ids, std::shared_ptr<const PromptRecording>* recording) = 0;
    // Fills an empty session from a recording of a session of the same model (any cache)
    // instead of running the forward: the cache receives the very calls the forward made, so it
    // ends as prefill(recording.ids()) would leave it. Returns the recorded last logits.
    virtual std::vector<float> prefill_replayed(const PromptRecording& recording) = 0;
    // Appends one token at the next position and returns its next-token logits ([vocab]).
    virtual std::vector<float> decode_step(TokenId id) = 0;
    // decode_step into the caller's buffer (logits.size() == vocab): a decode loop that reuses
    // one buffer allocates nothing per step on the fast path.
    virtual void decode_step_into(TokenId id, std::span<float> logits) {
        const std::vector<float> v = decode_step(id);
        std::copy(v.begin(), v.end(), logits.begin());
    }
    virtual std::int64_t position() const = 0;  // tokens in the sequence so far
    virtual std::int64_t capacity() const = 0;  // most tokens this session can hold
    virtual KvStats kv_stats() const = 0;
    // The compression decisions made at prefill (nullptr for the full cache).
    virtual const CompressionReport* compression_report() const { return nullptr; }
};

class Model {
public:
    virtual ~Model() = default;
    virtual const ModelConfig& config() const = 0;
    virtual DType run_dtype() const = 0;
    virtual std::string device() const = 0;
    virtual std::int64_t weight_bytes() const = 0;  // bytes of weights held in the run dtype
    // max_tokens: prompt + generated tokens; must not exceed config().max_positions.
    virtual std::unique_ptr<Session> new_session(std::int64_t max_tokens) const = 0;
    // One decode step of several sequences together: sessions[b] (distinct sessions of this
    // model, each at its own position, over its own cache) appends ids[b] and receives its
    // next-token logits in logits[b * vocab, (b + 1) * vocab). Each row's logits are those
    // sessions[b]->decode_step_into(ids[b]) gives. The default runs the rows one by one; a family
    // with a batched decode path reads every weight once for all rows.
    virtual void decode_batch(std::span<Session* const> sessions, std::span<const TokenId> ids,
                              std::span<float> logits) const;
};

// Loads a Hugging Face model folder (config.json + safetensors). Throws InputError on bad input.
std::unique_ptr<Model> load_model(const std::filesystem::path& dir, const LoadOptions& opts = {});
// A model of the given shape with seeded random weights (for speed at real shapes).
std::unique_ptr<Model> random_model(const ModelConfig& cfg, const LoadOptions& opts,
                                    std::uint64_t seed);

// Intra-op threads of the compute backend (0 = all hardware threads).
void set_compute_threads(int n);
int compute_threads();
// Backend description for run metadata ("LibTorch 1.13.0, 2 threads, ...").
std::string backend_description();

}  // namespace hace::model
