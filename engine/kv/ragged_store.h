// The ragged storage of a compressed KV cache (ALGORITHMS.md sections 0.3, 6.3, 8): per layer one
// flat K and one flat V buffer [entries, d] holding one segment per head (offset, length,
// capacity with slack for generated tokens), the absolute position of every stored entry, and
// optionally KIVI-quantised segments. It knows no method: which entries to keep, and when to
// evict, is decided by the method policies (kv_method.h) through the operations below. No head is
// padded to a common length; decode attention runs over each head's own segment. Internal (ATen).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <ATen/ATen.h>

#include "engine/kv/quant/kivi_segment.h"
#include "engine/model/kv_cache.h"

namespace hace::kv {

struct Segment {
    std::int64_t offset = 0, length = 0, capacity = 0;
    std::int64_t budget = 0;  // selected prompt entries (window excluded)
    // Selected entries the segment may hold while decoding, for the methods that evict then.
    std::int64_t limit = 0;
    // Absolute position of each stored entry. Ascending unless the layer is `score_ordered`; the
    // newest entries always follow in position order.
    std::vector<std::int64_t> positions;
    // A per-entry number a method keeps with the rows (H2O's accumulated attention); moves with
    // its row on every compaction. Empty when the method keeps none.
    std::vector<float> entry_scores;
};

// A decode step's attention probabilities over one segment: `group` rows (its query heads),
// row h at data + h * stride, entries [0, length) in the segment's storage order. Raw rows, not
// a tensor: methods read them once per segment per step, where tensor views cost more than the
// reading (0.4 ms of a 10 ms bf16 decode step with hace at 5 %, 144 segments).
struct StepProbs {
    const float* data = nullptr;
    std::int64_t group = 0, stride = 0, length = 0;
    const float* row(std::int64_t h) const { return data + h * stride; }
};

struct StoreLayer {
    at::Tensor k, v;  // [sum of segment capacities, d]
    std::vector<Segment> heads;
    bool holds_all = false;  // the whole prompt is held until its budget is known
    // The kept prompt entries sit in an order of the method's choosing, not by position.
    bool score_ordered = false;
    // KIVI storage: one quantised segment per head replaces k/v once the layer is final.
    std::vector<quant::KiviSegment> kivi;
};

class RaggedStore {
public:
    // `entry_scores`: every appended entry gets a 0 entry score (a method that accumulates).
    RaggedStore(const model::CacheShape& shape, std::optional<quant::KiviParams> kivi,
                bool entry_scores);

    std::int64_t n_layers() const { return static_cast<std::int64_t>(layers_.size()); }
    StoreLayer& layer(std::int64_t l) { return layers_[static_cast<std::size_t>(l)]; }
    const StoreLayer& layer(std::int64_t l) const { return layers_[static_cast<std::size_t>(l)]; }
    const std::optional<quant::KiviParams>& kivi() const { return kivi_; }
    const model::CacheShape& shape() const { return shape_; }

    // ---- prefill -----------------------------------------------------------------------------
    // Layer l keeps positions keep[h] (ascending) of the prompt K/V [segments, n, d], each head
    // with `budget[h]` and room for `slack` more entries.
    void store(std::int64_t l, const at::Tensor& k, const at::Tensor& v,
               const std::vector<std::vector<std::int64_t>>& keep,
               const std::vector<std::int64_t>& budgets, std::int64_t slack);
    // Holds layer l's whole prompt (no slack) until the method knows its budget; the K/V are used
    // in place when they own their storage.
    void hold_all(std::int64_t l, const at::Tensor& k, const at::Tensor& v,
                  std::int64_t selectable);
    // Re-lays layer l out keeping keep[h] (an ascending subset of what head h holds), releasing
    // the memory of the rest.
    void shrink(std::int64_t l, const std::vector<std::vector<std::int64_t>>& keep,
                const std::vector<std::int64_t>& budgets, std::int64_t slack);
    // Reorders every segment of layer l: rows[h] lists its rows in their new order.
    void reorder(std::int64_t l, const std::vector<std::vector<std::int64_t>>& rows);
    // Replaces layer l's full-precision rows by KIVI segments.
    void quantize(std::int64_t l);

    // ---- compaction --------------------------------------------------------------------------
    // Segment h of layer l keeps rows `rows` (indices into it), in that order, and nothing else.
    void keep_rows(StoreLayer& L, Segment& s, const std::vector<std::int64_t>& rows);
    // Removes rows [first, first + count) of a segment, keeping the rest in order.
    void remove_rows(StoreLayer& L, Segment& s, std::int64_t first, std::int64_t count);

    // ---- decode ------------------------------------------------------------------------------
    // Called per segment after a decode step with the step's attention probabilities over the
    // segment [G, length] (float32), for the method's eviction.
    using StepHook = std::function<void(StoreLayer&, Segment&, const StepProbs& probs)>;
    // Appends the token at `position` (k/v [Hkv, 1, d]) to every segment of layer l, drops what a
    // sliding window can no longer see, and attends q [Hq, 1, d] over each segment. `hook` (may
    // be empty) sees every segment's probabilities afterwards. Returns [1, Hq * d].
    at::Tensor decode(std::int64_t l, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                      std::int64_t position, std::int64_t sliding_window, double scale,
                      const StepHook& hook);

    // The batched decode path (model::KvCache::decode_segments): appends the token at `position`
    // (k/v [Hkv * d] float32 rows) to every segment of layer l, drops what a sliding window can no
    // longer see, and appends one kernel segment per head segment over its rows (q/out rows
    // [Hq * d]). With `want_probs` the segments carry room for the step's probabilities, which
    // finish_decode_segments then hands to `hook`. float32 and bf16 storage; not for a layer held
    // in KIVI segments (false, nothing stored).
    bool decode_segments(std::int64_t l, const float* q, const float* k, const float* v, float* out,
                         std::int64_t position, std::int64_t sliding_window, double scale,
                         bool want_probs, std::vector<kernels::AttentionSegment>& segments);
    void finish_decode_segments(std::int64_t l, const StepHook& hook);

    model::KvStats stats(std::int64_t tokens_seen) const;
    // Kept positions per head of layer l, ascending whatever the storage order.
    std::vector<std::vector<std::int64_t>> kept_positions(std::int64_t l) const;

    static std::vector<std::int64_t> iota_positions(std::int64_t from, std::int64_t to);

private:
    void layout(StoreLayer& L, const std::vector<std::vector<std::int64_t>>& keep,
                const std::vector<std::int64_t>& budgets, std::int64_t slack,
                const at::TensorOptions& opts);
    void gather_rows(StoreLayer& L, const at::Tensor& k, const at::Tensor& v,
                     const std::vector<std::int64_t>& src, const std::vector<std::int64_t>& dst);
    void push_position(Segment& s, std::int64_t position);
    void drop_outside_window(StoreLayer& L, Segment& s, std::int64_t position,
                             std::int64_t sliding_window);
    at::Tensor decode_generic(StoreLayer& L, const at::Tensor& q, const at::Tensor& k,
                              const at::Tensor& v, std::int64_t position, std::int64_t window,
                              double scale, const StepHook& hook);
    at::Tensor decode_f32(StoreLayer& L, const at::Tensor& q, const at::Tensor& k,
                          const at::Tensor& v, std::int64_t position, std::int64_t window,
                          double scale, const StepHook& hook);
    at::Tensor decode_kivi(StoreLayer& L, const at::Tensor& q, const at::Tensor& k,
                           const at::Tensor& v, std::int64_t position, double scale);

    model::CacheShape shape_;
    std::optional<quant::KiviParams> kivi_;
    bool entry_scores_ = false;
    std::int64_t elem_ = 4;
    std::vector<StoreLayer> layers_;
    std::vector<std::int64_t> offsets_, lengths_;  // decode scratch, reused every step
    std::vector<float> probs_;
    std::int64_t probs_stride_ = 0;  // of the last decode_segments; 0: no probabilities
};

}  // namespace hace::kv
