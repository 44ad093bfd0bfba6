// CAKE (ALGORITHMS.md sections 5, 16.12) and HACE-LayerOnly, which reduces to it (section 13.4):
// layer budgets by preference, re-allocated layer by layer as the prefill goes (the cascade of
// lattice_method.cpp). Faithful mode reproduces antgroup/cakekv: its skip rule, adjust_budgets,
// the last cascade step's figure as the decode-time budget, and kept entries held in topk order.
#include <algorithm>
#include <numeric>

#include "engine/kv/faithful_budgets.h"
#include "engine/kv/lattice_method.h"

namespace hace::kv {
namespace {

class Cake final : public LatticeMethod {
public:
    Cake(const CompressionConfig& cfg, const MethodRow& row) : LatticeMethod(cfg, row) {
        score_order_ = cfg.faithful();
    }

    void prefill_layer(PromptState& st, std::int64_t l, const at::Tensor& q, const at::Tensor& k,
                       const at::Tensor& v, const at::Tensor& k_kv) override {
        LatticeMethod::prefill_layer(st, l, q, k, v, k_kv);
        if (score_order_ && l + 1 == st.shape.n_layers) {
            for (std::int64_t i = 0; i < st.shape.n_layers; ++i) order_by_score(st, i);
        }
    }

protected:
    bool faithful_skip_rule(std::int64_t n, std::int64_t c, std::int64_t w) const override {
        return !faithful::cake_skips(n, c, w);
    }
    bool faithful_cascade() const override { return cfg_.faithful(); }

private:
    // The reference gathers each layer's kept entries in topk order and never sorts them
    // (cake_cache.py), so its cache holds them by descending score (ties: the smaller position
    // first), the window after them. Only the decode-time pooling sees this order.
    void order_by_score(PromptState& st, std::int64_t l) {
        const StoreLayer& L = st.store.layer(l);
        std::vector<std::vector<std::int64_t>> order(L.heads.size());
        for (std::size_t h = 0; h < L.heads.size(); ++h) {
            const Segment& s = L.heads[h];
            const auto position = [&](std::int64_t r) {
                return s.positions[static_cast<std::size_t>(r)];
            };
            const auto score = [&](std::int64_t r) {
                return layer_scores(l)[h][static_cast<std::size_t>(position(r))];
            };
            std::vector<std::int64_t> rows(s.positions.size());
            std::iota(rows.begin(), rows.end(), 0);
            const auto selected = std::partition_point(
                rows.begin(), rows.end(), [&](auto r) { return position(r) < st.in.selectable; });
            // Rows are in position order, so a stable sort keeps the smaller position first.
            std::stable_sort(rows.begin(), selected,
                             [&](auto a, auto b) { return score(a) > score(b); });
            order[h] = std::move(rows);
        }
        st.store.reorder(l, order);
    }
};

}  // namespace

std::unique_ptr<KvMethod> make_cake(const CompressionConfig& cfg, const MethodRow& row) {
    return std::make_unique<Cake>(cfg, row);
}

}  // namespace hace::kv
