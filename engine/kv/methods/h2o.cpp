// H2O, the heavy-hitter oracle (ALGORITHMS.md section 6.1): per KV head, keep the `recent`
// newest tokens plus the `heavy` older tokens that received the most attention, summed over all
// queries. Prefill sums come from a streaming softmax (never an n x n matrix, so H2O runs at the
// context lengths of the other methods — KVF's dense version does not, SimLayerKV #1). The
// decode-time variant of the original keeps accumulating each new query's attention and evicts
// the lowest-scored non-recent entry whenever the cache exceeds heavy + recent.
#include <algorithm>
#include <numeric>

#include "engine/kv/kv_method.h"
#include "engine/kv/token_policies.h"
#include "engine/kv/window_stats.h"

namespace hace::kv {
namespace {

// Mask of the keys [k0, k1) that query rows [r0, r1) may not see: j > i, or (sliding window)
// i - j >= window.
at::Tensor invisible(std::int64_t r0, std::int64_t r1, std::int64_t k0, std::int64_t k1,
                     std::int64_t sliding_window) {
    const auto opts = at::TensorOptions().dtype(at::kLong);
    const at::Tensor i = at::arange(r0, r1, opts).unsqueeze(1);
    const at::Tensor j = at::arange(k0, k1, opts).unsqueeze(0);
    at::Tensor mask = j.gt(i);
    if (sliding_window > 0) mask = mask.logical_or(i.sub(j).ge(sliding_window));
    return mask;
}

// Query rows per chunk so that one chunk's logits of a group stay near 8 M floats.
std::int64_t chunk_rows(std::int64_t group, std::int64_t n) {
    const std::int64_t budget = 8LL << 20;
    return std::clamp<std::int64_t>(budget / std::max<std::int64_t>(1, group * n), 1, 512);
}

std::vector<std::vector<float>> to_rows(const at::Tensor& sums) {  // [Hkv, n] float
    const at::Tensor c = sums.contiguous();
    std::vector<std::vector<float>> rows(static_cast<std::size_t>(c.size(0)));
    for (std::int64_t h = 0; h < c.size(0); ++h) {
        const float* p = c[h].data_ptr<float>();
        rows[static_cast<std::size_t>(h)].assign(p, p + c.size(1));
    }
    return rows;
}

}  // namespace

std::vector<std::vector<float>> h2o_column_sums(const at::Tensor& q, const at::Tensor& k,
                                                double scale, std::int64_t sliding_window) {
    const std::int64_t hq = q.size(0), n = q.size(1), hkv = k.size(0);
    const std::int64_t g = hq / hkv;
    const std::int64_t rows = chunk_rows(g, n);
    at::Tensor sums = at::zeros({hkv, n}, at::TensorOptions().dtype(at::kFloat));
    for (std::int64_t h = 0; h < hkv; ++h) {
        const at::Tensor qg = q.narrow(0, h * g, g).to(at::kFloat);  // [G, n, d]
        const at::Tensor kh = k[h].to(at::kFloat);                   // [n, d]
        at::Tensor col = sums[h];
        for (std::int64_t r0 = 0; r0 < n; r0 += rows) {
            const std::int64_t r1 = std::min(n, r0 + rows);
            const std::int64_t k0 =
                sliding_window > 0 ? std::max<std::int64_t>(0, r0 - sliding_window + 1) : 0;
            at::Tensor logits = at::matmul(qg.narrow(1, r0, r1 - r0), kh.narrow(0, k0, r1 - k0).t())
                                    .mul_(scale);  // [G, c, r1 - k0]
            logits.masked_fill_(invisible(r0, r1, k0, r1, sliding_window), -INFINITY);
            // Pass 1: each row's maximum and normaliser; pass 2: the normalised probabilities,
            // accumulated per key (mean over the group's query heads).
            const at::Tensor row_max = std::get<0>(logits.max(-1, true));
            logits.sub_(row_max).exp_();
            const at::Tensor normaliser = logits.sum(-1, true);
            logits.div_(normaliser);
            col.narrow(0, k0, r1 - k0)
                .add_(logits.sum(at::IntArrayRef{0, 1}).div_(static_cast<double>(g)));
        }
    }
    return to_rows(sums);
}

std::vector<std::vector<float>> h2o_column_sums_dense(const at::Tensor& q, const at::Tensor& k,
                                                      double scale, std::int64_t sliding_window) {
    const std::int64_t hq = q.size(0), n = q.size(1), hkv = k.size(0);
    const std::int64_t g = hq / hkv;
    const at::Tensor kr = k.to(at::kFloat).repeat_interleave(g, 0);  // [Hq, n, d]
    at::Tensor logits = at::matmul(q.to(at::kFloat), kr.transpose(1, 2)).mul_(scale);
    logits.masked_fill_(invisible(0, n, 0, n, sliding_window), -INFINITY);
    const at::Tensor probs = logits.softmax(-1).sum(1);  // [Hq, n]
    return to_rows(probs.view({hkv, g, n}).mean(1));
}

std::vector<std::int64_t> h2o_keep(const std::vector<float>& column_sums, std::int64_t heavy,
                                   std::int64_t recent) {
    const auto n = static_cast<std::int64_t>(column_sums.size());
    const std::int64_t older = std::max<std::int64_t>(0, n - recent);
    std::vector<float> candidates(column_sums.begin(), column_sums.begin() + older);
    std::vector<std::int64_t> keep = top_positions(candidates, heavy);
    for (std::int64_t j = older; j < n; ++j) keep.push_back(j);
    return keep;
}

std::int64_t h2o_victim(const std::vector<float>& acc, std::int64_t heavy, std::int64_t recent) {
    const auto length = static_cast<std::int64_t>(acc.size());
    if (length <= heavy + recent) return -1;
    const std::int64_t candidates = length - recent;
    std::int64_t worst = 0;
    for (std::int64_t j = 1; j < candidates; ++j) {
        if (acc[static_cast<std::size_t>(j)] <= acc[static_cast<std::size_t>(worst)]) worst = j;
    }
    return worst;
}

namespace {

// The method: heavy hitters + recent on every KV head of every layer; while decoding (the
// original) every stored entry accumulates the attention it receives and the lowest goes.
class H2o final : public KvMethod {
public:
    bool accumulates_entry_scores() const override { return true; }
    std::int64_t protected_recent(const CompressionConfig& cfg, std::int64_t c) const override {
        const std::int64_t window = KvMethod::protected_recent(cfg, c);
        return std::clamp<std::int64_t>(cfg.recent.value_or(window), 0, c);
    }
    bool evicts_while_decoding(const CompressionConfig& cfg) const override {
        return cfg.decode_eviction;
    }
    std::string selector_label(const CompressionConfig&) const override {
        return "H2O column sums";
    }

    void prefill_layer(PromptState& st, std::int64_t l, const at::Tensor& q, const at::Tensor& k,
                       const at::Tensor& v, const at::Tensor&) override {
        const auto sums = h2o_column_sums(q, k, st.spec.scale, st.spec.sliding_window);
        std::vector<std::vector<std::int64_t>> keep(static_cast<std::size_t>(st.n_seg));
        for (std::size_t h = 0; h < keep.size(); ++h) {
            keep[h] = h2o_keep(sums[h], st.in.budget, st.w_keep);
        }
        st.store.store(l, k, v, keep, std::vector<std::int64_t>(keep.size(), st.in.budget),
                       st.shape.capacity - k.size(1));
        attach_scores(st, l, sums);
    }

    // The decode-time scores start from the prompt's column sums, as in the original.
    void prefill_uncompressed_layer(PromptState& st, std::int64_t l, const at::Tensor& q,
                                    const at::Tensor& k) override {
        if (st.decode_evicts) {
            attach_scores(st, l, h2o_column_sums(q, k, st.spec.scale, st.spec.sliding_window));
        }
    }

    void after_decode_step(PromptState& st, StoreLayer& L, Segment& s,
                           const StepProbs& probs) override {
        // The group mean of the step's attention, summed over the group in head order and
        // divided once, as torch's mean(0) reduces a [G, n] float tensor.
        for (std::int64_t j = 0; j < s.length; ++j) {
            float sum = 0.0f;
            for (std::int64_t h = 0; h < probs.group; ++h) sum += probs.row(h)[j];
            s.entry_scores[static_cast<std::size_t>(j)] += sum / static_cast<float>(probs.group);
        }
        std::int64_t row = 0;
        while ((row = h2o_victim(s.entry_scores, s.limit, st.w_decode)) >= 0) {
            st.store.remove_rows(L, s, row, 1);
        }
    }

private:
    static void attach_scores(PromptState& st, std::int64_t l,
                              const std::vector<std::vector<float>>& sums) {
        auto& heads = st.store.layer(l).heads;
        for (std::size_t h = 0; h < heads.size(); ++h) {
            for (std::int64_t pos : heads[h].positions) {
                heads[h].entry_scores.push_back(sums[h][static_cast<std::size_t>(pos)]);
            }
        }
    }
};

}  // namespace

std::unique_ptr<KvMethod> make_h2o(const CompressionConfig&, const MethodRow&) {
    return std::make_unique<H2o>();
}

}  // namespace hace::kv
