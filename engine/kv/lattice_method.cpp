#include "engine/kv/lattice_method.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "engine/core/error.h"
#include "engine/kv/budget.h"
#include "engine/kv/faithful_budgets.h"

namespace hace::kv {

LatticeMethod::LatticeMethod(const CompressionConfig& cfg, const MethodRow& row)
    : cfg_(cfg), row_(row), scorer_(make_token_scorer(cfg)) {
    // CAKE re-allocates layer by layer only with its own scorer (section 5.3); other scorers
    // under the CAKE layer rule allocate once the last layer's preference is known.
    cascading_ =
        row.layer_rule == LayerRule::Cake && cfg.selector.kind == SelectorConfig::Kind::Cake;
}

bool LatticeMethod::per_query_head(const CompressionConfig& cfg) const {
    return cfg.faithful() && faithful_per_query_head();
}

bool LatticeMethod::evicts_while_decoding(const CompressionConfig& cfg) const {
    return cfg.decode_eviction && scorer_->evicts_while_decoding();
}

std::string LatticeMethod::selector_label(const CompressionConfig& cfg) const {
    return cfg.selector.name();
}

bool LatticeMethod::faithful_skip_rule(std::int64_t n, std::int64_t c, std::int64_t) const {
    return n >= c;
}

bool LatticeMethod::compresses(PromptState& st, std::int64_t n, std::int64_t c, std::int64_t w) {
    scores_.assign(static_cast<std::size_t>(st.shape.n_layers), {});
    totals_.clear();
    if (!cfg_.faithful()) return !covers_prompt(st.in);
    const bool compress = faithful_skip_rule(n, c, w);
    if (compress && c <= w) {
        throw InputError("faithful " + cfg_.method +
                         " needs C > w (the reference assumes it): "
                         "C = " +
                         std::to_string(c) + ", w = " + std::to_string(w) +
                         " for this prompt; use --mode equal (tiny-budget rule)");
    }
    return compress && prepare_faithful(st, n, c, w);
}

std::int64_t LatticeMethod::final_through(const PromptState& st, std::int64_t l) const {
    return l + 1 == st.shape.n_layers ? l : (cascading_ ? -1 : l);
}

void LatticeMethod::prefill_uncompressed_layer(PromptState& st, std::int64_t l, const at::Tensor&,
                                               const at::Tensor&) {
    // The reference's evictor sees the uncompressed prompt in its own storage order too.
    if (score_order_) st.store.layer(l).score_ordered = true;
}

void LatticeMethod::prefill_layer(PromptState& st, std::int64_t l, const at::Tensor& q,
                                  const at::Tensor& k, const at::Tensor& v,
                                  const at::Tensor& k_kv) {
    auto& rep = st.report.layers[static_cast<std::size_t>(l)];
    const bool cake = row_.layer_rule == LayerRule::Cake;
    WindowStats stats = scorer_->score({q, k_kv, v, st.spec.scale, st.spec.sliding_window,
                                        st.w_keep, st.query_heads, cake, l, cfg_});
    if (cake && !scorer_->window_statistics()) {
        // CAKE's preference reads the observation window's attention whatever ranks the tokens.
        SelectorConfig window = sel_cake();
        window.window = cfg_.selector.window;
        const WindowStats w = compute_window_stats(q, k_kv, st.spec.scale, window, st.w_keep, false,
                                                   st.spec.sliding_window, true);
        stats.entropy = w.entropy;
        stats.variance = w.variance;
    }
    rep.entropy = stats.entropy;
    rep.temporal_variance = stats.variance;
    scores_[static_cast<std::size_t>(l)] = std::move(stats.scores);
    if (score_order_) st.store.layer(l).score_ordered = true;
    if (cake) {
        const double pref = std::pow(rep.entropy, 1.0 / st.report.tau1) *
                            std::pow(rep.temporal_variance, 1.0 / st.report.tau2);
        rep.preference = pref;
        st.in.preferences.push_back(pref);
        st.store.hold_all(l, k, v, st.in.selectable);
        if (cascading_ || l + 1 == st.shape.n_layers) reallocate_cascade(st, l);
        return;
    }
    std::vector<std::int64_t> b;
    if (cfg_.faithful()) {
        // Capped at P where the reference's selection saturates.
        b = faithful_layer_budgets(st, l, layer_scores(l));
        for (auto& x : b) x = std::clamp<std::int64_t>(x, 0, st.in.selectable);
    } else {
        b = equal_layer_budgets(st, l);
    }
    st.store.store(l, k, v, select(st, l, b, false), b, st.shape.capacity - k.size(1));
}

std::vector<std::int64_t> LatticeMethod::equal_layer_budgets(PromptState& st, std::int64_t l) {
    if (totals_.empty()) totals_ = layer_totals(row_.layer_rule, st.in);
    return split_layer(row_.head_rule, st.in, static_cast<std::size_t>(l),
                       totals_[static_cast<std::size_t>(l)], &layer_scores(l));
}

std::vector<std::int64_t> LatticeMethod::faithful_layer_budgets(
    PromptState& st, std::int64_t, const std::vector<std::vector<float>>&) {
    return std::vector<std::int64_t>(static_cast<std::size_t>(st.n_seg), st.in.budget);
}

// CAKE Stage 1 over layers 0..l (the whole T), Stage 2 per layer; evict each layer to
// min(new budget, what it holds): evicted entries never come back (section 5.3).
void LatticeMethod::reallocate_cascade(PromptState& st, std::int64_t l) {
    const bool faithful = faithful_cascade();
    std::vector<std::int64_t> totals;
    if (faithful) {
        // CAKE's own adjust_budgets on per-layer token counts B_l (same for every KV head).
        const std::int64_t t = st.in.budget * st.in.layers;
        const auto raw = stage1_cake(st.in.preferences, t);
        totals = faithful::cake_adjust_budgets(raw, t, st.in.selectable);
    } else {
        totals = layer_totals(LayerRule::Cake, st.in);
    }
    for (std::int64_t i = 0; i <= l; ++i) {
        StoreLayer& L = st.store.layer(i);
        const std::int64_t total = totals[static_cast<std::size_t>(i)];
        auto b = faithful
                     ? std::vector<std::int64_t>(
                           L.heads.size(), std::clamp<std::int64_t>(total, 0, st.in.selectable))
                     : split_layer(row_.head_rule, st.in, static_cast<std::size_t>(i), total,
                                   &layer_scores(i));
        // Faithful: the reference records this step's figure as the layer's decode-time budget
        // (modify_llama.py) even where it exceeds what the layer still holds, so a layer cut at
        // an earlier step grows back to it while decoding.
        const auto recorded = b;
        bool unchanged = !L.holds_all;
        for (std::size_t h = 0; h < b.size(); ++h) {
            if (!L.holds_all) b[h] = std::min(b[h], L.heads[h].budget);
            unchanged = unchanged && b[h] == L.heads[h].budget;
        }
        if (!unchanged) {  // an unchanged layer keeps its buffers
            st.store.shrink(i, select(st, i, b, !L.holds_all), b, st.slack());
        }
        if (faithful) {
            for (std::size_t h = 0; h < b.size(); ++h) L.heads[h].limit = recorded[h];
        }
    }
}

// Under the strict order (score, then smaller position) the top b of all positions lie inside any
// top b' >= b, so choosing among the held entries gives the same result at O(b') per head.
std::vector<std::vector<std::int64_t>> LatticeMethod::select(
    const PromptState& st, std::int64_t l, const std::vector<std::int64_t>& budgets,
    bool from_held) const {
    const StoreLayer& L = st.store.layer(l);
    const auto& layer = layer_scores(l);
    std::vector<std::vector<std::int64_t>> keep(budgets.size());
    const auto window = RaggedStore::iota_positions(st.in.selectable, st.report.prompt_tokens);
    std::vector<float> held_scores;
    std::vector<std::int64_t> held;
    for (std::size_t h = 0; h < budgets.size(); ++h) {
        const auto& scores = layer[h];
        if (!from_held) {
            keep[h] = top_positions(scores, budgets[h]);
        } else {
            held.clear();
            held_scores.clear();
            for (std::int64_t pos : L.heads[h].positions) {
                if (pos >= st.in.selectable) break;
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

void LatticeMethod::after_decode_step(PromptState& st, StoreLayer& L, Segment& s,
                                      const StepProbs& probs) {
    if (s.length > s.limit + st.w_decode) evict_to_limit(st, L, s, probs);
}

// Section 5.4 per head: score all but the newest w_decode entries by the scorer's reading of the
// current query's attention; keep the top `limit` (ties: the smaller position), i.e. drop the
// lowest (ties: the later position goes). One entry per step once the cache is full; the whole
// excess at once when an uncompressed prompt finds it over C at step 1.
void LatticeMethod::evict_to_limit(PromptState& st, StoreLayer& L, Segment& s,
                                   const StepProbs& probs) {
    const std::int64_t cand = s.length - st.w_decode;
    const auto score = scorer_->decode_scores(probs, cand);
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
        // The reference's topk order (its evictor has `indices.sort()` commented out): the kept
        // candidates by descending score, then the newest w_decode in position order.
        std::sort(rows.begin(), rows.end(), [&](auto a, auto b) { return worse(b, a); });
        rows.resize(static_cast<std::size_t>(s.limit));
        for (std::int64_t r = cand; r < s.length; ++r) rows.push_back(r);
        st.store.keep_rows(L, s, rows);
        return;
    }
    const auto victims = rows.begin() + (cand - s.limit);
    std::partial_sort(rows.begin(), victims, rows.end(), worse);
    std::vector<std::int64_t> drop(rows.begin(), victims);
    std::sort(drop.begin(), drop.end(), std::greater<>());  // from the back: rows stay valid
    for (std::int64_t row : drop) st.store.remove_rows(L, s, row, 1);
}

}  // namespace hace::kv
