// The interface of a KV compression method (one file each under engine/kv/methods/, registered
// by one row of the method table in methods.cpp). The compressed cache (compressed_kv_cache.cpp)
// owns the ragged store and the prompt-level bookkeeping every method shares (C, the protected
// window, the report); a method decides, per layer of the prefill, which prompt entries each head
// keeps, and, while decoding, which entries to evict. Internal (ATen).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "engine/kv/allocator.h"
#include "engine/kv/methods.h"
#include "engine/kv/ragged_store.h"
#include "engine/model/compression_report.h"
#include "engine/model/kv_cache.h"

namespace hace::kv {

// What the cache knows about the prompt being compressed; methods read it and fill the report.
struct PromptState {
    const CompressionConfig& cfg;
    const MethodRow& row;
    const model::CacheShape& shape;
    const model::AttentionSpec& spec;
    RaggedStore& store;
    model::CompressionReport& report;
    AllocationInput in;          // L, H, B = C - w_keep, P = n - w_keep, method parameters
    std::int64_t w_keep = 0;     // recent prompt entries every head keeps
    std::int64_t w_decode = 0;   // recent entries protected while decoding
    std::int64_t n_seg = 0;      // segments per layer: Hkv, or Hq for per-query-head storage
    bool query_heads = false;    // per-query-head storage (faithful SnapKV/PyramidKV/HeadKV)
    bool decode_evicts = false;  // the method evicts while decoding (this prompt)
    std::int64_t slack() const { return shape.capacity - report.prompt_tokens; }
};

class KvMethod {
public:
    virtual ~KvMethod() = default;

    // ---- before the prompt ----
    // Entries stored per generated token carry a score the method accumulates (entry_scores).
    virtual bool accumulates_entry_scores() const { return false; }
    // Segments per query head instead of per KV head.
    virtual bool per_query_head(const CompressionConfig&) const { return false; }
    // The recent entries protected once the cache outgrows the prompt, for capacity C; the
    // prompt's own w_keep is this clamped to n. Default: w in faithful mode, min(w, floor(C/2))
    // in equal mode (section 16.2).
    virtual std::int64_t protected_recent(const CompressionConfig& cfg, std::int64_t c) const;
    // Whether the method evicts while decoding, given the configuration.
    virtual bool evicts_while_decoding(const CompressionConfig& cfg) const = 0;
    // The report's "selector" label.
    virtual std::string selector_label(const CompressionConfig& cfg) const = 0;
    // Whether this prompt is compressed at all: equal mode compresses unless every position fits
    // (section 16.13); faithful methods apply their reference's skip rule and may prepare
    // per-prompt plans here. `w` is the observation window min(w, n).
    virtual bool compresses(PromptState& st, std::int64_t n, std::int64_t c, std::int64_t w);

    // ---- prefill, layer by layer ----
    // Layer l of a compressed prompt: q [Hq, n, d], k/v as stored (per segment) [n_seg, n, d],
    // k_kv [Hkv, n, d] the KV-head keys. Stores the layer's kept entries in st.store.
    virtual void prefill_layer(PromptState& st, std::int64_t l, const at::Tensor& q,
                               const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& k_kv) = 0;
    // Layer l of a prompt that is not compressed (every entry kept); `h2o`-style methods attach
    // their decode-time scores here.
    virtual void prefill_uncompressed_layer(PromptState& st, std::int64_t l, const at::Tensor& q,
                                            const at::Tensor& k);
    // The last layer whose kept entries are final after layer l (KIVI quantises them at once):
    // l, or -1 while a cascade may still shrink earlier layers.
    virtual std::int64_t final_through(const PromptState& st, std::int64_t l) const;
    // After the last layer, before the report is written.
    virtual void finish_prompt(PromptState&) {}

    // ---- decode ----
    // After a decode step over segment s whose attention probabilities are `probs` [G, length].
    virtual void after_decode_step(PromptState&, StoreLayer&, Segment&, const StepProbs&) {}
};

}  // namespace hace::kv
