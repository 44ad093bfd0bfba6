// The compressed KV cache (ALGORITHMS.md sections 0.3, 8, 13, 16): the prompt-level bookkeeping
// every method shares (C, the protected window, the report, KIVI storage) over a ragged store
// (ragged_store.h), with the method's policy (kv_method.h, one file per method) deciding what each
// head keeps. The prefill forward attends to the uncompressed K/V of the layer; only what is kept
// afterwards changes. Kept keys keep their RoPE rotation; new tokens continue at absolute
// positions.
#include "engine/kv/compressed_kv_cache.h"

#include <chrono>
#include <tuple>

#include "engine/core/error.h"
#include "engine/kv/kv_method.h"
#include "engine/model/causal_lm.h"
#include "engine/model/layers.h"

namespace hace::kv {
namespace {

std::optional<quant::KiviParams> kivi_params(const model::CacheShape& shape,
                                             const model::AttentionSpec& spec,
                                             const CompressionConfig& cfg) {
    if (cfg.effective_kv_bits() == 0) return std::nullopt;
    const quant::KiviParams kivi{cfg.effective_kv_bits(), cfg.kivi_group_for(shape.head_dim),
                                 cfg.kivi_residual};
    quant::validate_kivi_params(kivi, static_cast<int>(shape.head_dim));
    // Quantised groups cannot drop entries, so a rolling sliding-window cache is out.
    if (spec.sliding_window > 0 && shape.capacity > spec.sliding_window) {
        throw InputError("--kv-bits: KIVI storage cannot roll a sliding-window cache (window " +
                         std::to_string(spec.sliding_window) + " < " +
                         std::to_string(shape.capacity) + " tokens)");
    }
    return kivi;
}

class CompressedKvCache final : public model::KvCache {
public:
    CompressedKvCache(const model::CacheShape& shape, const model::AttentionSpec& spec,
                      const CompressionConfig& cfg, const MethodRow& row)
        : shape_(shape),
          spec_(spec),
          cfg_(cfg),
          row_(row),
          method_(row.make(cfg_, row_)),
          store_(shape, kivi_params(shape, spec, cfg), method_->accumulates_entry_scores()),
          st_{cfg_, row_, shape_, spec_, store_, report_, {}, 0, 0, 0, false, false} {
        hook_ = [this](StoreLayer& L, Segment& s, const StepProbs& probs) {
            method_->after_decode_step(st_, L, s, probs);
        };
    }

    at::Tensor attend(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
                      const at::Tensor& v) override {
        if (length_ == 0) return prefill_layer(layer, q, k, v, true);
        if (k.size(1) != 1) throw InputError("compressed cache: only one token per decode step");
        return store_.decode(layer, q, k, v, length_, spec_.sliding_window, spec_.scale,
                             st_.decode_evicts ? hook_ : no_hook_);
    }

    // A replayed prompt: the prefill's decisions read q/k/v, never the attention output.
    void store(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
               const at::Tensor& v) override {
        if (length_ == 0) return (void)prefill_layer(layer, q, k, v, false);
        (void)attend(layer, q, k, v);
    }

    // Decode steps only: the prefill (length 0) goes through attend(), which compresses.
    bool decode_segments(std::int64_t layer, const float* q, const float* k, const float* v,
                         float* out, std::vector<kernels::AttentionSegment>& segments) override {
        if (length_ == 0) return false;
        return store_.decode_segments(layer, q, k, v, out, length_, spec_.sliding_window,
                                      spec_.scale, st_.decode_evicts, segments);
    }
    void finish_decode_segments(std::int64_t layer) override {
        store_.finish_decode_segments(layer, st_.decode_evicts ? hook_ : no_hook_);
    }

    void advance(std::int64_t t) override { length_ += t; }
    std::int64_t length() const override { return length_; }
    std::int64_t capacity() const override { return shape_.capacity; }
    model::KvStats stats() const override { return store_.stats(length_); }
    const model::CompressionReport* report() const override { return &report_; }

private:
    // want_output: false when the caller discards the attention output (store()).
    at::Tensor prefill_layer(std::int64_t l, const at::Tensor& q, const at::Tensor& k_kv,
                             const at::Tensor& v_kv, bool want_output) {
        const std::int64_t n = k_kv.size(1);
        if (l == 0) begin_prompt(n, q.size(0));
        const at::Tensor out =
            want_output
                ? model::causal_gqa_attention(q, k_kv, v_kv, 0, spec_.scale, spec_.sliding_window)
                : at::Tensor();
        const auto t0 = std::chrono::steady_clock::now();
        // Query-head granularity (faithful SnapKV/PyramidKV/HeadKV) stores K/V repeated per query
        // head, as those repositories do after repeat_kv: G times the memory, reported as such.
        const std::int64_t rep_g = q.size(0) / shape_.n_kv_heads;
        const at::Tensor k = st_.query_heads ? k_kv.repeat_interleave(rep_g, 0) : k_kv;
        const at::Tensor v = st_.query_heads ? v_kv.repeat_interleave(rep_g, 0) : v_kv;
        if (!report_.compressed) {
            std::vector<std::vector<std::int64_t>> keep(static_cast<std::size_t>(st_.n_seg));
            for (auto& pos : keep) pos = RaggedStore::iota_positions(0, n);
            store_.store(l, k, v, keep, std::vector<std::int64_t>(keep.size(), st_.in.selectable),
                         shape_.capacity - n);
            // The cache fills up to its budget C while decoding, then evicts as the references do.
            for (auto& seg : store_.layer(l).heads) {
                seg.limit = std::max<std::int64_t>(0, report_.capacity - st_.w_decode);
            }
            method_->prefill_uncompressed_layer(st_, l, q, k);
        } else {
            method_->prefill_layer(st_, l, q, k, v, k_kv);
        }
        if (store_.kivi()) {
            // Quantise each layer as soon as its kept entries are final (at the end for a cascade).
            for (std::int64_t i = 0; i <= method_->final_through(st_, l); ++i) {
                if (store_.layer(i).kivi.empty()) store_.quantize(i);
            }
        }
        report_.compression_ms +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count();
        if (l + 1 == shape_.n_layers) {
            method_->finish_prompt(st_);
            finish_report();
        }
        return out;
    }

    void begin_prompt(std::int64_t n, std::int64_t hq) {
        const std::int64_t c = cfg_.capacity_for(n);
        const std::int64_t w = std::min(cfg_.selector.window, n);
        st_.w_decode = method_->protected_recent(cfg_, c);
        st_.w_keep = std::min(n, st_.w_decode);
        st_.query_heads = method_->per_query_head(cfg_);
        st_.n_seg = st_.query_heads ? hq : shape_.n_kv_heads;
        AllocationInput& in = st_.in;
        in = AllocationInput{};
        in.layers = shape_.n_layers;
        in.heads = shape_.n_kv_heads;
        in.budget = std::max<std::int64_t>(0, c - st_.w_keep);
        in.selectable = n - st_.w_keep;
        in.pyramid_beta = cfg_.pyramid_beta;
        in.headkv_beta = cfg_.headkv_beta;
        in.ada_alpha = cfg_.ada_alpha;
        in.head_scores = cfg_.head_scores;
        report_ = {};
        report_.method = cfg_.method;
        report_.mode = cfg_.mode;
        report_.selector = method_->selector_label(cfg_);
        report_.query_heads = st_.query_heads;
        report_.prompt_tokens = n;
        report_.capacity = c;
        report_.window = w;
        report_.window_keep = st_.w_keep;
        report_.retention_nominal = cfg_.retention;
        std::tie(report_.tau1, report_.tau2) = resolve_tau(cfg_, c);
        report_.compressed = method_->compresses(st_, n, c, w);
        // Decode-time eviction does not depend on the prefill: an uncompressed prompt fills the
        // cache up to C, then evicts (all of the excess at once for CAKE when n > C).
        st_.decode_evicts = method_->evicts_while_decoding(cfg_) && !store_.kivi();
        if (st_.decode_evicts && cfg_.faithful() && c <= st_.w_decode && shape_.capacity > c) {
            throw InputError(
                "faithful " + cfg_.method +
                " needs C > w to evict while decoding (the reference assumes it): C = " +
                std::to_string(c) + ", w = " + std::to_string(st_.w_decode) + "; use --mode equal");
        }
        report_.layers.resize(static_cast<std::size_t>(shape_.n_layers));
        report_.kv_bits = store_.kivi() ? store_.kivi()->bits : 0;
    }

    void finish_report() {
        for (std::int64_t l = 0; l < shape_.n_layers; ++l) {
            auto& rep = report_.layers[static_cast<std::size_t>(l)];
            const StoreLayer& L = store_.layer(l);
            auto kept = store_.kept_positions(l);  // ascending whatever the storage order
            rep.layer = l;
            rep.budget = 0;
            rep.heads.clear();
            for (std::size_t h = 0; h < L.heads.size(); ++h) {
                rep.budget += L.heads[h].budget;
                rep.heads.push_back(
                    {static_cast<std::int64_t>(h), L.heads[h].budget, std::move(kept[h])});
            }
        }
    }

    model::CacheShape shape_;
    model::AttentionSpec spec_;
    CompressionConfig cfg_;
    const MethodRow& row_;
    std::unique_ptr<KvMethod> method_;
    RaggedStore store_;
    model::CompressionReport report_;
    PromptState st_;
    RaggedStore::StepHook hook_, no_hook_;
    std::int64_t length_ = 0;
};

}  // namespace

std::unique_ptr<model::Session> new_compressed_session(const model::Model& model,
                                                       std::int64_t max_tokens,
                                                       const CompressionConfig& cfg) {
    const MethodRow& row = method_by_id(cfg.method);
    cfg.validate(model.config());
    if (!row.compresses) return model.new_session(max_tokens);
    const auto* lm = dynamic_cast<const model::CausalLm*>(&model);
    if (!lm) throw InputError("this model does not support compressed caches");
    if (max_tokens <= 0 || max_tokens > model.config().max_positions) {
        throw InputError(
            std::to_string(max_tokens) + " tokens (prompt + new tokens) exceed " +
            "max_position_embeddings = " + std::to_string(model.config().max_positions));
    }
    return model::make_session(
        *lm, make_compressed_cache(lm->cache_shape(max_tokens), lm->attention_spec(), cfg));
}

std::unique_ptr<model::KvCache> make_compressed_cache(const model::CacheShape& shape,
                                                      const model::AttentionSpec& spec,
                                                      const CompressionConfig& cfg) {
    return std::make_unique<CompressedKvCache>(shape, spec, cfg, method_by_id(cfg.method));
}

}  // namespace hace::kv
