// The compressed KV cache (ALGORITHMS.md sections 0.3, 5.3, 5.4, 8, 13, 16): per layer one flat
// K and one flat V buffer [entries, d] with per-KV-head segments (offset, length, capacity with
// slack for generated tokens). No head is padded to a common length; decode attention runs over
// each head's own segment. The prefill forward attends to the uncompressed K/V of the layer; only
// what is kept afterwards changes. Kept keys keep their RoPE rotation; new tokens continue at
// absolute positions.
#include "engine/kv/compressed_kv_cache.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <numeric>
#include <tuple>

#include "engine/core/error.h"
#include "engine/kernels/ragged_decode_attention.h"
#include "engine/kv/budget.h"
#include "engine/kv/faithful_budgets.h"
#include "engine/kv/methods.h"
#include "engine/kv/quant/kivi_segment.h"
#include "engine/kv/token_policies.h"
#include "engine/kv/window_stats.h"
#include "engine/model/causal_lm.h"
#include "engine/model/layers.h"

namespace hace::kv {
namespace {

struct Segment {
    std::int64_t offset = 0, length = 0, capacity = 0;
    std::int64_t budget = 0;               // selected prompt entries (window excluded)
    // Selected entries the segment may hold while decoding: beyond limit + w_decode it evicts.
    // The budget, except for a prompt that was not compressed: C - w_decode (the cache fills up
    // to its budget C, then evicts as the references do); and faithful CAKE's last cascade
    // figure, which can exceed the budget (what a layer cut earlier still holds).
    std::int64_t limit = 0;
    // Absolute position of each stored entry: ascending, except for faithful CAKE, which holds
    // its kept prompt entries in score order (see score_order_); the newest entries always
    // follow in position order.
    std::vector<std::int64_t> positions;
    std::vector<float> acc;                // H2O: accumulated attention of each stored entry
};

struct LayerStore {
    at::Tensor k, v;  // [sum of segment capacities, d]
    std::vector<Segment> heads;
    std::vector<std::vector<float>> scores;  // selector scores [h][j < P] (re-selection)
    bool holds_all = false;                  // prompt kept whole until its budget is known
    // KIVI storage (section 6.3): one quantised segment per head replaces k/v once the layer's
    // kept entries are final.
    std::vector<quant::KiviSegment> kivi;
};

class CompressedKvCache final : public model::KvCache {
public:
    CompressedKvCache(const model::CacheShape& shape, const model::AttentionSpec& spec,
                      const CompressionConfig& cfg, const MethodRow& row)
        : shape_(shape), spec_(spec), cfg_(cfg), row_(row),
          layers_(static_cast<std::size_t>(shape.n_layers)) {
        elem_ = static_cast<std::int64_t>(c10::elementSize(shape.dtype));
        score_order_ = cfg.faithful() && row.faithful == FaithfulRule::Cake;
        cascading_ = row.layer_rule == LayerRule::Cake &&
                     cfg.selector.kind == SelectorConfig::Kind::Cake &&
                     row.token == TokenPolicy::Window;
        if (cfg.effective_kv_bits() != 0) {
            kivi_ = quant::KiviParams{cfg.effective_kv_bits(), cfg.kivi_group_for(shape.head_dim),
                                      cfg.kivi_residual};
            quant::validate_kivi_params(*kivi_, static_cast<int>(shape.head_dim));
            // Quantised groups cannot drop entries, so a rolling sliding-window cache is out.
            if (spec.sliding_window > 0 && shape.capacity > spec.sliding_window) {
                throw InputError("--kv-bits: KIVI storage cannot roll a sliding-window cache "
                                 "(window " + std::to_string(spec.sliding_window) + " < " +
                                 std::to_string(shape.capacity) + " tokens)");
            }
        }
    }

    at::Tensor attend(std::int64_t layer, const at::Tensor& q, const at::Tensor& k,
                      const at::Tensor& v) override {
        if (length_ == 0) return prefill_layer(layer, q, k, v);
        if (k.size(1) != 1) throw InputError("compressed cache: only one token per decode step");
        return decode_layer(layer, q, k, v);
    }

    void advance(std::int64_t t) override { length_ += t; }
    std::int64_t length() const override { return length_; }
    std::int64_t capacity() const override { return shape_.capacity; }

    model::KvStats stats() const override {
        model::KvStats s;
        s.full_entries = shape_.n_layers * shape_.n_kv_heads * length_;
        std::int64_t quantised_bytes = 0, plain_entries = 0;
        for (const auto& L : layers_) {
            for (const auto& seg : L.heads) s.kept_entries += seg.length;
            if (L.k.defined()) s.capacity_bytes += 2 * L.k.numel() * elem_;
            if (L.kivi.empty()) {
                for (const auto& seg : L.heads) plain_entries += seg.length;
            }
            for (const auto& q : L.kivi) quantised_bytes += q.bytes();
        }
        s.capacity_bytes += quantised_bytes;
        s.bytes = plain_entries * 2 * shape_.head_dim * elem_ + quantised_bytes;
        return s;
    }

    const model::CompressionReport* report() const override { return &report_; }

private:
    // ---- prefill ---------------------------------------------------------------------------
    at::Tensor prefill_layer(std::int64_t l, const at::Tensor& q, const at::Tensor& k_kv,
                             const at::Tensor& v_kv) {
        const std::int64_t n = k_kv.size(1);
        if (l == 0) begin_prompt(n, q.size(0));
        const at::Tensor out =
            model::causal_gqa_attention(q, k_kv, v_kv, 0, spec_.scale, spec_.sliding_window);
        const auto t0 = std::chrono::steady_clock::now();
        // Query-head granularity (faithful SnapKV/PyramidKV/HeadKV) stores K/V repeated per query
        // head, as those repositories do after repeat_kv: G times the memory, reported as such.
        const std::int64_t rep_g = q.size(0) / shape_.n_kv_heads;
        const at::Tensor k = query_heads_ ? k_kv.repeat_interleave(rep_g, 0) : k_kv;
        const at::Tensor v = query_heads_ ? v_kv.repeat_interleave(rep_g, 0) : v_kv;
        auto& rep = report_.layers[static_cast<std::size_t>(l)];
        if (!report_.compressed) {
            std::vector<std::vector<std::int64_t>> keep(static_cast<std::size_t>(n_seg_));
            for (auto& pos : keep) pos = iota_positions(0, n);
            store_layer(l, k, v, keep, std::vector<std::int64_t>(keep.size(), in_.selectable));
            for (auto& seg : layers_[static_cast<std::size_t>(l)].heads) {
                seg.limit = std::max<std::int64_t>(0, report_.capacity - w_decode_);
            }
            // H2O's decode-time scores start from the prompt's column sums, as in the original.
            if (decode_evicts_ && row_.token == TokenPolicy::HeavyHitter) {
                attach_h2o_scores(l, h2o_column_sums(q, k, spec_.scale, spec_.sliding_window));
            }
        } else if (row_.token != TokenPolicy::Window) {
            store_baseline_layer(l, q, k, v);
        } else {
            WindowStats st =
                compute_window_stats(q, k_kv, spec_.scale, cfg_.selector, w_keep_, query_heads_,
                                     spec_.sliding_window, row_.layer_rule == LayerRule::Cake);
            rep.entropy = st.entropy;
            rep.temporal_variance = st.variance;
            LayerStore& L = layers_[static_cast<std::size_t>(l)];
            L.scores = std::move(st.scores);
            if (row_.layer_rule == LayerRule::Cake) {
                const double pref = std::pow(st.entropy, 1.0 / report_.tau1) *
                                    std::pow(st.variance, 1.0 / report_.tau2);
                rep.preference = pref;
                in_.preferences.push_back(pref);
                store_all(l, k, v);
                if (cascading_ || l + 1 == shape_.n_layers) reallocate_cake(l);
                if (score_order_ && l + 1 == shape_.n_layers) order_by_score();
            } else {
                const auto b = cfg_.faithful() ? faithful_layer_budgets(l, L.scores)
                                               : equal_layer_budgets(l, L.scores);
                store_layer(l, k, v, select(L, b), b);
            }
        }
        if (kivi_) {
            // Quantise each layer as soon as its kept entries are final (at the end for a cascade).
            const std::int64_t last = l + 1 == shape_.n_layers ? l : (cascading_ ? -1 : l);
            for (std::int64_t i = 0; i <= last; ++i) {
                if (layers_[static_cast<std::size_t>(i)].kivi.empty()) quantize_layer(i);
            }
        }
        report_.compression_ms +=
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (l + 1 == shape_.n_layers) finish_report();
        return out;
    }

    void quantize_layer(std::int64_t l) {
        LayerStore& L = layers_[static_cast<std::size_t>(l)];
        const at::Tensor k = L.k.to(at::kFloat).contiguous(), v = L.v.to(at::kFloat).contiguous();
        const std::int64_t d = shape_.head_dim;
        L.kivi.clear();
        for (const Segment& seg : L.heads) {
            L.kivi.emplace_back(*kivi_, static_cast<int>(d));
            L.kivi.back().append_prompt(k.data_ptr<float>() + seg.offset * d,
                                        v.data_ptr<float>() + seg.offset * d, seg.length);
        }
        L.k = at::Tensor();  // the full-precision rows are gone: only the quantised store remains
        L.v = at::Tensor();
    }

    // StreamingLLM and H2O (section 6): the same budget on every KV head of every layer.
    void store_baseline_layer(std::int64_t l, const at::Tensor& q, const at::Tensor& k,
                              const at::Tensor& v) {
        const std::int64_t n = k.size(1);
        std::vector<std::vector<std::int64_t>> keep(static_cast<std::size_t>(n_seg_));
        std::vector<std::vector<float>> sums;
        if (row_.token == TokenPolicy::Streaming) {
            for (auto& pos : keep) pos = streaming_keep(n, {in_.budget, w_keep_});
        } else {
            sums = h2o_column_sums(q, k, spec_.scale, spec_.sliding_window);
            for (std::size_t h = 0; h < keep.size(); ++h) {
                keep[h] = h2o_keep(sums[h], in_.budget, w_keep_);
            }
        }
        store_layer(l, k, v, keep, std::vector<std::int64_t>(keep.size(), in_.budget));
        if (row_.token == TokenPolicy::HeavyHitter) attach_h2o_scores(l, sums);
    }

    // H2O: each stored entry's accumulated attention starts at its prompt column sum.
    void attach_h2o_scores(std::int64_t l, const std::vector<std::vector<float>>& sums) {
        auto& heads = layers_[static_cast<std::size_t>(l)].heads;
        for (std::size_t h = 0; h < heads.size(); ++h) {
            for (std::int64_t pos : heads[h].positions) {
                heads[h].acc.push_back(sums[h][static_cast<std::size_t>(pos)]);
            }
        }
    }

    std::vector<std::int64_t> equal_layer_budgets(std::int64_t l,
                                                  const std::vector<std::vector<float>>& scores) {
        if (totals_.empty()) totals_ = layer_totals(row_.layer_rule, in_);
        return split_layer(row_.head_rule, in_, static_cast<std::size_t>(l),
                           totals_[static_cast<std::size_t>(l)], &scores);
    }

    // Each reference's own per-head budgets (faithful mode), capped at P where the reference's
    // selection saturates.
    std::vector<std::int64_t> faithful_layer_budgets(std::int64_t l,
                                                     const std::vector<std::vector<float>>& scores) {
        std::vector<std::int64_t> b(static_cast<std::size_t>(n_seg_), in_.budget);
        switch (row_.faithful) {
            case FaithfulRule::PyramidKv:
                b.assign(b.size(), plan_.per_layer[static_cast<std::size_t>(l)]);
                break;
            case FaithfulRule::AdaKv:
                b = faithful::adakv_split(scores, in_.budget, cfg_.ada_alpha, cfg_.ada_normalize);
                break;
            case FaithfulRule::HeadKv:
                b = headkv_[static_cast<std::size_t>(l)];
                break;
            default: break;
        }
        for (auto& x : b) x = std::clamp<std::int64_t>(x, 0, in_.selectable);
        return b;
    }

    void begin_prompt(std::int64_t n, std::int64_t hq) {
        const std::int64_t c = cfg_.capacity_for(n);
        const std::int64_t w = std::min(cfg_.selector.window, n);
        const bool faithful = cfg_.faithful();
        w_decode_ = protected_recent(c);
        w_keep_ = std::min(n, w_decode_);
        query_heads_ = faithful && faithful_query_heads(row_);
        n_seg_ = query_heads_ ? hq : shape_.n_kv_heads;
        in_ = AllocationInput{};
        in_.layers = shape_.n_layers;
        in_.heads = shape_.n_kv_heads;
        in_.budget = std::max<std::int64_t>(0, c - w_keep_);
        in_.selectable = n - w_keep_;
        in_.pyramid_beta = cfg_.pyramid_beta;
        in_.headkv_beta = cfg_.headkv_beta;
        in_.ada_alpha = cfg_.ada_alpha;
        in_.head_scores = cfg_.head_scores;
        report_ = {};
        report_.method = cfg_.method;
        report_.mode = cfg_.mode;
        report_.selector = row_.token == TokenPolicy::Streaming     ? "sinks+recent"
                           : row_.token == TokenPolicy::HeavyHitter ? "H2O column sums"
                                                                    : cfg_.selector.name();
        report_.query_heads = query_heads_;
        report_.prompt_tokens = n;
        report_.capacity = c;
        report_.window = w;
        report_.window_keep = w_keep_;
        report_.retention_nominal = cfg_.retention;
        std::tie(report_.tau1, report_.tau2) = resolve_tau(cfg_, c);
        report_.compressed = faithful ? faithful_compresses(n, c, w) : !covers_prompt(in_);
        // Decode-time eviction does not depend on the prefill: an uncompressed prompt fills the
        // cache up to C, then evicts (all of the excess at once for CAKE when n > C).
        decode_evicts_ =
            cfg_.decode_eviction && !kivi_ &&
            (row_.token != TokenPolicy::Window || cfg_.selector.kind == SelectorConfig::Kind::Cake);
        if (decode_evicts_ && faithful && c <= w_decode_ && shape_.capacity > c) {
            throw InputError(
                "faithful " + cfg_.method +
                " needs C > w to evict while decoding (the reference assumes it): C = " +
                std::to_string(c) + ", w = " + std::to_string(w_decode_) + "; use --mode equal");
        }
        report_.layers.resize(static_cast<std::size_t>(shape_.n_layers));
        report_.kv_bits = kivi_ ? kivi_->bits : 0;
        totals_.clear();
    }

    // The recent entries a method protects once the cache outgrows the prompt: equal mode at most
    // half of the budget (section 16.2), the references w; StreamingLLM C - sinks, H2O its recent
    // share (section 6). The prompt's own w_keep is this clamped to n.
    std::int64_t protected_recent(std::int64_t c) const {
        const std::int64_t w = cfg_.selector.window;
        const std::int64_t window = cfg_.faithful() ? w : std::min(w, c / 2);
        switch (row_.token) {
            case TokenPolicy::KeepAll: return 0;  // nothing is selected: every position stays
            case TokenPolicy::Streaming: return streaming_split(c, cfg_.sinks).recent;
            case TokenPolicy::HeavyHitter:
                return std::clamp<std::int64_t>(cfg_.recent.value_or(window), 0, c);
            case TokenPolicy::Window: break;
        }
        return window;
    }

    // The references' skip rules (sections 1.5, 2.3, 3.2.1, 4.2.5, 5.3), and their assumption
    // C > w, which faithful mode cannot reproduce otherwise.
    bool faithful_compresses(std::int64_t n, std::int64_t c, std::int64_t w) {
        bool compresses = false;
        switch (row_.faithful) {
            case FaithfulRule::SnapKv: compresses = n >= c; break;
            // Both skip only when base_capacity > attn_score.size(-1), i.e. C - w > n - w: at
            // n == C they compress (B = P), and rounding or small head budgets still drop tokens.
            case FaithfulRule::AdaKv:
            case FaithfulRule::HeadKv: compresses = n >= c; break;
            case FaithfulRule::Cake: compresses = !faithful::cake_skips(n, c, w); break;
            case FaithfulRule::PyramidKv: compresses = n >= c; break;
            case FaithfulRule::None: break;
        }
        if (compresses && c <= w) {
            throw InputError("faithful " + cfg_.method + " needs C > w (the reference assumes it): "
                             "C = " + std::to_string(c) + ", w = " + std::to_string(w) +
                             " for this prompt; use --mode equal (tiny-budget rule)");
        }
        if (compresses && row_.faithful == FaithfulRule::PyramidKv) {
            plan_ = faithful::pyramid_budgets(shape_.n_layers, c, w, n, cfg_.pyramid_beta);
            compresses = plan_.regime != faithful::PyramidPlan::None;
        }
        if (compresses && row_.faithful == FaithfulRule::HeadKv) {
            headkv_ = faithful::headkv_budgets(cfg_.head_scores_query, c - w, cfg_.headkv_beta);
        }
        return compresses;
    }

    // CAKE Stage 1 over layers 0..l (the whole T), Stage 2 per layer; evict each layer to
    // min(new budget, what it holds): evicted entries never come back (section 5.3).
    void reallocate_cake(std::int64_t l) {
        std::vector<std::int64_t> totals;
        if (cfg_.faithful()) {
            // CAKE's own adjust_budgets on per-layer token counts B_l (same for every KV head).
            const std::int64_t t = in_.budget * in_.layers;
            const auto raw = stage1_cake(in_.preferences, t);
            totals = faithful::cake_adjust_budgets(raw, t, in_.selectable);
        } else {
            totals = layer_totals(LayerRule::Cake, in_);
        }
        for (std::int64_t i = 0; i <= l; ++i) {
            LayerStore& L = layers_[static_cast<std::size_t>(i)];
            auto b = cfg_.faithful()
                         ? std::vector<std::int64_t>(L.heads.size(),
                                                     std::clamp<std::int64_t>(totals[static_cast<std::size_t>(i)], 0, in_.selectable))
                         : split_layer(row_.head_rule, in_, static_cast<std::size_t>(i),
                                       totals[static_cast<std::size_t>(i)], &L.scores);
            // Faithful: the reference records this step's figure as the layer's decode-time
            // budget (modify_llama.py) even where it exceeds what the layer still holds, so a
            // layer cut at an earlier step grows back to it while decoding.
            const auto recorded = b;
            bool unchanged = !L.holds_all;
            for (std::size_t h = 0; h < b.size(); ++h) {
                if (!L.holds_all) b[h] = std::min(b[h], L.heads[h].budget);
                unchanged = unchanged && b[h] == L.heads[h].budget;
            }
            if (!unchanged) shrink_layer(i, b);  // an unchanged layer keeps its buffers
            if (cfg_.faithful()) {
                for (std::size_t h = 0; h < b.size(); ++h) L.heads[h].limit = recorded[h];
            }
        }
    }

    // Top-budget selectable positions per head plus the window. from_held: choose among the
    // entries the layer holds (a cascade shrinking its own earlier choice): under the strict
    // order (score, then smaller position) the top b of all positions lie inside any top b' >= b,
    // so the result is the same, at O(b') instead of O(P) per head.
    std::vector<std::vector<std::int64_t>> select(const LayerStore& L,
                                                  const std::vector<std::int64_t>& budgets,
                                                  bool from_held = false) const {
        std::vector<std::vector<std::int64_t>> keep(budgets.size());
        const auto window = iota_positions(in_.selectable, report_.prompt_tokens);
        std::vector<float> held_scores;
        std::vector<std::int64_t> held;
        for (std::size_t h = 0; h < budgets.size(); ++h) {
            const auto& scores = L.scores[h];
            if (!from_held) {
                keep[h] = top_positions(scores, budgets[h]);
            } else {
                held.clear();
                held_scores.clear();
                for (std::int64_t pos : L.heads[h].positions) {
                    if (pos >= in_.selectable) break;
                    held.push_back(pos);
                    held_scores.push_back(scores[static_cast<std::size_t>(pos)]);
                }
                for (std::int64_t i : top_positions(held_scores, budgets[h])) {
                    keep[h].push_back(held[static_cast<std::size_t>(i)]);
                }
            }
            keep[h].insert(keep[h].end(), window.begin(), window.end());
        }
        return keep;
    }

    // Holds layer l's whole prompt until its budget is known (CAKE's cascade). The prompt K/V
    // [segments, n, d] are used in place when they own their storage (no copy); shrink_layer
    // lays the layer out with decode slack before any decode step.
    void store_all(std::int64_t l, const at::Tensor& k, const at::Tensor& v) {
        const std::int64_t n = k.size(1), d = k.size(2);
        // A tensor that is a view into a larger buffer (V out of the fused QKV projection) is
        // copied, so holding it never keeps that buffer alive.
        auto own = [](const at::Tensor& t) {
            const bool owned = t.is_contiguous() && t.storage_offset() == 0 &&
                               t.storage().nbytes() ==
                                   static_cast<std::size_t>(t.numel()) * t.element_size();
            return owned ? t : t.clone(at::MemoryFormat::Contiguous);
        };
        LayerStore& L = layers_[static_cast<std::size_t>(l)];
        L.k = own(k).view({k.size(0) * n, d});
        L.v = own(v).view({v.size(0) * n, d});
        L.heads.assign(static_cast<std::size_t>(k.size(0)), {});
        for (std::size_t h = 0; h < L.heads.size(); ++h) {
            Segment& s = L.heads[h];
            s.offset = static_cast<std::int64_t>(h) * n;
            s.length = s.capacity = n;
            s.budget = s.limit = in_.selectable;
            s.positions = iota_positions(0, n);
        }
        L.holds_all = true;
    }

    // Lays out one segment per head (kept entries + slack for generated tokens) and allocates the
    // layer's flat K and V buffers; the caller fills the rows.
    void layout(LayerStore& L, const std::vector<std::vector<std::int64_t>>& keep,
                const std::vector<std::int64_t>& budgets, std::int64_t slack,
                const at::TensorOptions& opts) {
        L.heads.assign(keep.size(), {});
        std::int64_t offset = 0;
        for (std::size_t h = 0; h < keep.size(); ++h) {
            Segment& s = L.heads[h];
            s.offset = offset;
            s.length = static_cast<std::int64_t>(keep[h].size());
            s.capacity = s.length + slack;
            s.budget = s.limit = budgets[h];
            s.positions = keep[h];
            offset += s.capacity;
        }
        L.k = at::empty({offset, shape_.head_dim}, opts);
        L.v = at::empty({offset, shape_.head_dim}, opts);
    }

    // Builds layer l's buffers from the prompt K/V [Hkv, n, d] keeping `keep[h]` positions.
    void store_layer(std::int64_t l, const at::Tensor& k, const at::Tensor& v,
                     const std::vector<std::vector<std::int64_t>>& keep,
                     const std::vector<std::int64_t>& budgets) {
        LayerStore& L = layers_[static_cast<std::size_t>(l)];
        const std::int64_t n = k.size(1), d = k.size(2);
        layout(L, keep, budgets, shape_.capacity - n, k.options());
        std::vector<std::int64_t> src, dst;
        for (std::size_t h = 0; h < keep.size(); ++h) {
            const Segment& s = L.heads[h];
            for (std::size_t i = 0; i < keep[h].size(); ++i) {
                src.push_back(static_cast<std::int64_t>(h) * n + keep[h][i]);
                dst.push_back(s.offset + static_cast<std::int64_t>(i));
            }
        }
        gather_rows(L, k.reshape({k.size(0) * n, d}), v.reshape({v.size(0) * n, d}), src, dst);
        L.holds_all = false;
    }

    // Re-selects layer l's prompt entries to `budgets` (subsets of what it holds) and rebuilds
    // its buffers at the new size, releasing the memory of evicted entries.
    void shrink_layer(std::int64_t l, const std::vector<std::int64_t>& budgets) {
        LayerStore& L = layers_[static_cast<std::size_t>(l)];
        const auto keep = select(L, budgets, !L.holds_all);
        // Gather from the current segments: positions -> row index inside the segment.
        const at::Tensor old_k = L.k, old_v = L.v;
        const auto old_heads = L.heads;
        layout(L, keep, budgets, shape_.capacity - report_.prompt_tokens, old_k.options());
        std::vector<std::int64_t> src, dst;
        for (std::size_t h = 0; h < keep.size(); ++h) {
            const Segment& old = old_heads[h];
            std::size_t r = 0;
            for (std::size_t i = 0; i < keep[h].size(); ++i) {
                while (old.positions[r] != keep[h][i]) ++r;  // both ascending; keep is a subset
                src.push_back(old.offset + static_cast<std::int64_t>(r));
                dst.push_back(L.heads[h].offset + static_cast<std::int64_t>(i));
            }
        }
        gather_rows(L, old_k, old_v, src, dst);
        L.holds_all = false;
    }

    // L.k[dst[i]] = k[src[i]] (and V) for all heads of the layer in one gather and one scatter:
    // per-head tensor ops cost more than the copies themselves on small heads.
    void gather_rows(LayerStore& L, const at::Tensor& k, const at::Tensor& v,
                     const std::vector<std::int64_t>& src, const std::vector<std::int64_t>& dst) {
        if (src.empty()) return;
        const at::Tensor s = index_tensor(src), t = index_tensor(dst);
        L.k.index_copy_(0, t, k.index_select(0, s));
        L.v.index_copy_(0, t, v.index_select(0, s));
    }

    // Faithful CAKE: the reference gathers each layer's kept entries in topk order and never
    // sorts them (cake_cache.py), so its cache holds them by descending score (ties: the smaller
    // position first), the window after them. Only the decode-time pooling sees this order.
    void order_by_score() {
        for (auto& L : layers_) {
            std::vector<std::int64_t> src, dst;
            for (std::size_t h = 0; h < L.heads.size(); ++h) {
                Segment& s = L.heads[h];
                const auto position = [&](std::int64_t r) {
                    return s.positions[static_cast<std::size_t>(r)];
                };
                const auto score = [&](std::int64_t r) {
                    return L.scores[h][static_cast<std::size_t>(position(r))];
                };
                std::vector<std::int64_t> rows(s.positions.size());
                std::iota(rows.begin(), rows.end(), 0);
                const auto selected = std::partition_point(
                    rows.begin(), rows.end(), [&](auto r) { return position(r) < in_.selectable; });
                // Rows are in position order, so a stable sort keeps the smaller position first.
                std::stable_sort(rows.begin(), selected,
                                 [&](auto a, auto b) { return score(a) > score(b); });
                std::vector<std::int64_t> positions;
                for (std::size_t i = 0; i < rows.size(); ++i) {
                    src.push_back(s.offset + rows[i]);
                    dst.push_back(s.offset + static_cast<std::int64_t>(i));
                    positions.push_back(position(rows[i]));
                }
                s.positions = std::move(positions);
            }
            gather_rows(L, L.k, L.v, src, dst);  // index_select copies before the scatter
        }
    }

    void finish_report() {
        for (std::int64_t l = 0; l < shape_.n_layers; ++l) {
            auto& rep = report_.layers[static_cast<std::size_t>(l)];
            const LayerStore& L = layers_[static_cast<std::size_t>(l)];
            rep.layer = l;
            rep.budget = 0;
            rep.heads.clear();
            for (std::size_t h = 0; h < L.heads.size(); ++h) {
                rep.budget += L.heads[h].budget;
                // Reported kept positions are ascending whatever the storage order.
                auto kept = L.heads[h].positions;
                std::sort(kept.begin(), kept.end());
                rep.heads.push_back(
                    {static_cast<std::int64_t>(h), L.heads[h].budget, std::move(kept)});
            }
        }
    }

    // ---- decode ----------------------------------------------------------------------------
    at::Tensor decode_layer(std::int64_t l, const at::Tensor& q, const at::Tensor& k,
                            const at::Tensor& v) {
        if (kivi_) return decode_layer_kivi(l, q, k, v);
        if (shape_.dtype == at::kFloat) return decode_layer_f32(l, q, k, v);
        LayerStore& L = layers_[static_cast<std::size_t>(l)];
        const std::int64_t hkv = n_seg_, d = shape_.head_dim;
        const std::int64_t g = q.size(0) / hkv;                // query heads per segment
        const std::int64_t per_kv = n_seg_ / shape_.n_kv_heads;  // segments per KV head
        at::Tensor out = at::empty({1, q.size(0) * d}, q.options());
        for (std::int64_t h = 0; h < hkv; ++h) {
            Segment& s = L.heads[static_cast<std::size_t>(h)];
            if (s.length >= s.capacity) throw InputError("compressed cache: segment is full");
            L.k[s.offset + s.length].copy_(k[h / per_kv][0]);
            L.v[s.offset + s.length].copy_(v[h / per_kv][0]);
            push_position(s);
            drop_outside_window(L, s);
            const at::Tensor keys = L.k.narrow(0, s.offset, s.length);    // [len, d]
            const at::Tensor values = L.v.narrow(0, s.offset, s.length);  // [len, d]
            const at::Tensor qh = q.narrow(0, h * g, g).reshape({g, d});
            at::Tensor probs = at::mm(qh, keys.t()).mul_(spec_.scale).to(at::kFloat).softmax(-1);
            out.narrow(1, h * g * d, g * d)
                .copy_(at::mm(probs.to(values.scalar_type()), values).reshape({1, g * d}));
            if (decode_evicts_) evict_after_step(L, s, probs);
        }
        return out;
    }

    // The float32 path: one call of the ragged kernel per layer instead of a few tensor ops per
    // head (per-op overhead dominates small heads on the CPU).
    at::Tensor decode_layer_f32(std::int64_t l, const at::Tensor& q, const at::Tensor& k,
                                const at::Tensor& v) {
        LayerStore& L = layers_[static_cast<std::size_t>(l)];
        const std::int64_t hkv = n_seg_, d = shape_.head_dim;
        const std::int64_t g = q.size(0) / hkv;                // query heads per segment
        const std::int64_t per_kv = n_seg_ / shape_.n_kv_heads;  // segments per KV head
        const bool evict = decode_evicts_;
        offsets_.resize(static_cast<std::size_t>(hkv));
        lengths_.resize(static_cast<std::size_t>(hkv));
        std::int64_t max_len = 0;
        const at::Tensor kc = k.contiguous(), vc = v.contiguous();  // [Hkv, 1, d]
        for (std::int64_t h = 0; h < hkv; ++h) {
            Segment& s = L.heads[static_cast<std::size_t>(h)];
            if (s.length >= s.capacity) throw InputError("compressed cache: segment is full");
            std::memcpy(L.k.data_ptr<float>() + (s.offset + s.length) * d,
                        kc.data_ptr<float>() + (h / per_kv) * d,
                        static_cast<std::size_t>(d) * sizeof(float));
            std::memcpy(L.v.data_ptr<float>() + (s.offset + s.length) * d,
                        vc.data_ptr<float>() + (h / per_kv) * d,
                        static_cast<std::size_t>(d) * sizeof(float));
            push_position(s);
            drop_outside_window(L, s);
            offsets_[static_cast<std::size_t>(h)] = s.offset;
            lengths_[static_cast<std::size_t>(h)] = s.length;
            max_len = std::max(max_len, s.length);
        }
        const at::Tensor qc = q.reshape({q.size(0), d}).contiguous();
        at::Tensor out = at::empty({1, q.size(0) * d}, q.options());
        kernels::RaggedDecodeArgs a;
        a.q = qc.data_ptr<float>();
        a.k = L.k.data_ptr<float>();
        a.v = L.v.data_ptr<float>();
        a.offsets = offsets_.data();
        a.lengths = lengths_.data();
        a.n_kv_heads = hkv;
        a.group = g;
        a.head_dim = d;
        a.scale = static_cast<float>(spec_.scale);
        a.out = out.data_ptr<float>();
        if (evict) {
            probs_.resize(static_cast<std::size_t>(q.size(0) * max_len));
            a.probs = probs_.data();
            a.probs_stride = max_len;
        }
        kernels::ragged_decode_attention_cpu(a);
        if (evict) {
            for (std::int64_t h = 0; h < hkv; ++h) {
                Segment& s = L.heads[static_cast<std::size_t>(h)];
                const at::Tensor p = at::from_blob(probs_.data() + h * g * max_len, {g, max_len},
                                                   at::TensorOptions().dtype(at::kFloat));
                evict_after_step(L, s, p.narrow(1, 0, s.length));
            }
        }
        return out;
    }

    // KIVI storage: append the new token to each head's quantised segment (its residual) and
    // attend over the dequantised groups + the residual in one softmax.
    at::Tensor decode_layer_kivi(std::int64_t l, const at::Tensor& q, const at::Tensor& k,
                                 const at::Tensor& v) {
        LayerStore& L = layers_[static_cast<std::size_t>(l)];
        const std::int64_t hkv = n_seg_, d = shape_.head_dim;
        const std::int64_t g = q.size(0) / hkv;
        const std::int64_t per_kv = n_seg_ / shape_.n_kv_heads;
        const at::Tensor kc = k.to(at::kFloat).contiguous(), vc = v.to(at::kFloat).contiguous();
        const at::Tensor qc = q.to(at::kFloat).reshape({q.size(0), d}).contiguous();
        at::Tensor out = at::empty({1, q.size(0) * d}, qc.options());
        for (std::int64_t h = 0; h < hkv; ++h) {
            Segment& s = L.heads[static_cast<std::size_t>(h)];
            quant::KiviSegment& store = L.kivi[static_cast<std::size_t>(h)];
            store.append(kc.data_ptr<float>() + (h / per_kv) * d,
                         vc.data_ptr<float>() + (h / per_kv) * d);
            push_position(s);
            store.attend(qc.data_ptr<float>() + h * g * d, static_cast<int>(g),
                         static_cast<float>(spec_.scale), out.data_ptr<float>() + h * g * d);
        }
        return out.to(q.scalar_type());
    }

    void push_position(Segment& s) {
        s.positions.push_back(length_);
        if (row_.token == TokenPolicy::HeavyHitter) s.acc.push_back(0.0f);
        ++s.length;
    }

    // The method's decode-time eviction after a step whose attention probabilities over the
    // segment are `probs` [g, length].
    void evict_after_step(LayerStore& L, Segment& s, const at::Tensor& probs) {
        switch (row_.token) {
            case TokenPolicy::Window:
                if (s.length > s.limit + w_decode_) evict_to_limit(L, s, probs);
                break;
            case TokenPolicy::Streaming: {
                std::int64_t row = 0;
                while ((row = streaming_victim(s.length, {s.limit, w_decode_})) >= 0) {
                    remove_rows(L, s, row, 1);
                }
                break;
            }
            case TokenPolicy::HeavyHitter: {
                const at::Tensor mean = probs.to(at::kFloat).mean(0).contiguous();
                const float* p = mean.data_ptr<float>();
                for (std::int64_t j = 0; j < s.length; ++j) s.acc[static_cast<std::size_t>(j)] += p[j];
                std::int64_t row = 0;
                while ((row = h2o_victim(s.acc, s.limit, w_decode_)) >= 0) {
                    remove_rows(L, s, row, 1);
                }
                break;
            }
            case TokenPolicy::KeepAll: break;
        }
    }

    // With a sliding window (Mistral) an entry whose position is <= current - window can never be
    // attended again: the cache rolls, dropping it from the front of the segment.
    void drop_outside_window(LayerStore& L, Segment& s) {
        if (spec_.sliding_window <= 0) return;
        const std::int64_t oldest_visible = length_ - spec_.sliding_window + 1;
        if (score_order_) {  // the entries to drop can sit anywhere among the kept prompt ones
            std::vector<std::int64_t> rows;
            for (std::int64_t r = 0; r < s.length; ++r) {
                if (s.positions[static_cast<std::size_t>(r)] >= oldest_visible) rows.push_back(r);
            }
            if (static_cast<std::int64_t>(rows.size()) < s.length) keep_rows(L, s, rows);
            return;
        }
        std::int64_t drop = 0;
        while (drop < s.length && s.positions[static_cast<std::size_t>(drop)] < oldest_visible) ++drop;
        if (drop == 0) return;
        remove_rows(L, s, 0, drop);
    }

    // The segment keeps rows `rows` (indices into it), in that order, and nothing else.
    void keep_rows(LayerStore& L, Segment& s, const std::vector<std::int64_t>& rows) {
        const at::Tensor idx = index_tensor(rows);
        const auto n = static_cast<std::int64_t>(rows.size());
        for (at::Tensor* buf : {&L.k, &L.v}) {
            buf->narrow(0, s.offset, n)
                .copy_(buf->narrow(0, s.offset, s.length).index_select(0, idx));
        }
        std::vector<std::int64_t> positions;
        std::vector<float> acc;
        for (std::int64_t r : rows) {
            positions.push_back(s.positions[static_cast<std::size_t>(r)]);
            if (!s.acc.empty()) acc.push_back(s.acc[static_cast<std::size_t>(r)]);
        }
        s.positions = std::move(positions);
        s.acc = std::move(acc);
        s.length = n;
    }

    // Removes rows [first, first + count) of a segment, keeping the rest in order.
    void remove_rows(LayerStore& L, Segment& s, std::int64_t first, std::int64_t count) {
        const std::int64_t tail = s.length - first - count;
        const auto row = static_cast<std::size_t>(shape_.head_dim * elem_);
        for (at::Tensor* buf : {&L.k, &L.v}) {
            auto* base = static_cast<char*>(buf->data_ptr()) +
                         (s.offset + first) * static_cast<std::int64_t>(row);
            std::memmove(base, base + count * static_cast<std::int64_t>(row),
                         static_cast<std::size_t>(tail) * row);
        }
        s.positions.erase(s.positions.begin() + first, s.positions.begin() + first + count);
        if (!s.acc.empty()) s.acc.erase(s.acc.begin() + first, s.acc.begin() + first + count);
        s.length -= count;
    }

    // Section 5.4 per head: score all but the newest w_decode entries by the current query's
    // attention, avg-pool, group-mean; keep the top `limit` (ties: the smaller position), i.e.
    // drop the lowest (ties: the later position goes). One entry per step once the cache is
    // full; the whole excess at once when an uncompressed prompt finds it over C at step 1.
    void evict_to_limit(LayerStore& L, Segment& s, const at::Tensor& probs) {
        const std::int64_t cand = s.length - w_decode_;
        const std::int64_t g = probs.size(0);
        const at::Tensor p = probs.narrow(1, 0, cand).contiguous();
        std::vector<float> score(static_cast<std::size_t>(cand), 0.0f);
        for (std::int64_t h = 0; h < g; ++h) {
            const float* src = p[h].data_ptr<float>();
            const auto pooled =
                pool_scores(std::vector<float>(src, src + cand), cfg_.selector.pool, false);
            for (std::int64_t j = 0; j < cand; ++j) {
                score[static_cast<std::size_t>(j)] +=
                    pooled[static_cast<std::size_t>(j)] / static_cast<float>(g);
            }
        }
        const auto worse = [&](std::int64_t a, std::int64_t b) {
            const float sa = score[static_cast<std::size_t>(a)];
            const float sb = score[static_cast<std::size_t>(b)];
            return sa != sb ? sa < sb
                            : s.positions[static_cast<std::size_t>(a)] >
                                  s.positions[static_cast<std::size_t>(b)];
        };
        std::vector<std::int64_t> rows(static_cast<std::size_t>(cand));
        std::iota(rows.begin(), rows.end(), 0);
        if (score_order_) {
            // The reference's topk order (its evictor has `indices.sort()` commented out): the
            // kept candidates by descending score, then the newest w_decode in position order.
            std::sort(rows.begin(), rows.end(), [&](auto a, auto b) { return worse(b, a); });
            rows.resize(static_cast<std::size_t>(s.limit));
            for (std::int64_t r = cand; r < s.length; ++r) rows.push_back(r);
            keep_rows(L, s, rows);
            return;
        }
        const auto victims = rows.begin() + (cand - s.limit);
        std::partial_sort(rows.begin(), victims, rows.end(), worse);
        std::vector<std::int64_t> drop(rows.begin(), victims);
        std::sort(drop.begin(), drop.end(), std::greater<>());  // from the back: rows stay valid
        for (std::int64_t row : drop) remove_rows(L, s, row, 1);
    }

    static std::vector<std::int64_t> iota_positions(std::int64_t from, std::int64_t to) {
        std::vector<std::int64_t> v(static_cast<std::size_t>(std::max<std::int64_t>(0, to - from)));
        std::iota(v.begin(), v.end(), from);
        return v;
    }

    static at::Tensor index_tensor(const std::vector<std::int64_t>& idx) {
        return at::tensor(at::ArrayRef<std::int64_t>(idx), at::TensorOptions().dtype(at::kLong));
    }

    model::CacheShape shape_;
    model::AttentionSpec spec_;
    CompressionConfig cfg_;
    const MethodRow& row_;
    std::vector<LayerStore> layers_;
    AllocationInput in_;
    std::vector<std::int64_t> totals_;
    model::CompressionReport report_;
    std::int64_t length_ = 0, w_keep_ = 0, elem_ = 4;
    std::int64_t w_decode_ = 0;      // recent entries protected while decoding (w_keep before n)
    bool cascading_ = false;
    bool score_order_ = false;  // faithful CAKE: kept prompt entries stored by score (see Segment)
    bool decode_evicts_ = false;     // the method evicts while decoding (set per prompt)
    std::optional<quant::KiviParams> kivi_;  // quantised storage (--kv-bits / kivi)
    bool query_heads_ = false;       // segments per query head (faithful SnapKV/PyramidKV/HeadKV)
    std::int64_t n_seg_ = 0;         // segments per layer: Hkv, or Hq with query_heads_
    faithful::PyramidPlan plan_;     // faithful PyramidKV budgets of this prompt
    std::vector<std::vector<std::int64_t>> headkv_;  // faithful HeadKV budgets [l][q head]
    std::vector<std::int64_t> offsets_, lengths_;  // decode scratch, reused every step
    std::vector<float> probs_;
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
        throw InputError(std::to_string(max_tokens) + " tokens (prompt + new tokens) exceed " +
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
