// The KV cache as a family forward sees it: per layer, append the new tokens' K/V and attend the
// new queries over every visible entry. Internal (ATen). The full (uncompressed) cache lives
// here; compressed caches implement the same interface, so no family knows which one it runs on.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "engine/kernels/decode_attention.h"
#include "engine/model/compression_report.h"
#include "engine/model/model.h"

namespace hace::model {

struct AttentionSpec {
    double scale = 1.0;               // logits = q.k * scale (1/sqrt(d) unless a family says so)
    std::int64_t sliding_window = 0;  // > 0: query i sees key j iff 0 <= i - j < window
};

class KvCache {
public:
    virtual ~KvCache() = default;
    // q [Hq, T, d], k/v [Hkv, T, d] (rotated as the family stores them) of T new tokens at
    // positions length()..length()+T-1 of `layer`. Stores k/v and returns the attention output
    // [T, Hq * d]. Every layer of one forward is called before advance(T).
    virtual at::Tensor attend(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
                              const at::Tensor& v) = 0;
    // attend() without the attention output, for a replayed prompt forward that has no use for
    // it (prompt_recording.h): the cache stores and decides exactly as attend() would. A cache
    // whose storage does not need the output overrides this to skip computing it.
    virtual void store(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
                       const at::Tensor& v) {
        (void)attend(layer, q, k, v);
    }
    // The batched decode path (kernels/decode_attention.h): stores one new token of `layer`
    // (k/v [Hkv * d] as float32 rows, rotated) and appends one segment per stored KV-head segment
    // to `segments`, reading its queries from q [Hq * d] and writing its output to out [Hq * d].
    // The caller runs decode_attention_segments over the segments of every sequence of a step at
    // once, then calls finish_decode_segments(layer) on each cache that returned true, before the
    // next layer. Pointers stay valid until then. Returns false, having stored nothing, when this
    // cache has no such path (the caller then goes through attend()).
    virtual bool decode_segments(std::int64_t layer, const float* q, const float* k, const float* v,
                                 float* out, std::vector<kernels::AttentionSegment>& segments) {
        return false;
    }
    // After the kernel ran: what the cache does with this step's attention (decode-time
    // eviction reads the probabilities it asked for in its segments).
    virtual void finish_decode_segments(std::int64_t layer) {}
    virtual void advance(std::int64_t t) = 0;
    virtual std::int64_t length() const = 0;    // positions seen (absolute position of the next)
    virtual std::int64_t capacity() const = 0;  // most positions this cache can hold
    virtual KvStats stats() const = 0;
    // Decisions of a compressing cache after prefill; nullptr for the full cache.
    virtual const CompressionReport* report() const { return nullptr; }

    // Values a family forward keeps for this sequence between calls (e.g. Qwen v1's NTK alpha,
    // chosen by the sequence's first forward). Keys are the family's own.
    std::map<std::string, double>& sequence_state() { return sequence_state_; }

private:
    std::map<std::string, double> sequence_state_;
};

struct CacheShape {
    std::int64_t n_layers = 0;
    std::int64_t n_kv_heads = 0;
    std::int64_t head_dim = 0;
    std::int64_t capacity = 0;
    at::ScalarType dtype = at::kFloat;
    std::int64_t n_q_heads = 0;  // query heads (0: unknown; decode_segments then declines)
};

// Preallocated [Hkv, capacity, d] K and V per layer; new tokens are written in place (no per-step
// allocation or copy of the cache).
std::unique_ptr<KvCache> make_full_cache(const CacheShape& shape, const AttentionSpec& spec);

}  // namespace hace::model
