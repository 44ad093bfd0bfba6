#include "engine/kv/window_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace hace::kv {

std::vector<float> pool_scores(const std::vector<float>& row, std::int64_t pool, bool max_pool) {
    const auto n = static_cast<std::int64_t>(row.size());
    const std::int64_t half = pool / 2;
    std::vector<float> out(row.size());
    for (std::int64_t j = 0; j < n; ++j) {
        double acc = max_pool ? -std::numeric_limits<double>::infinity() : 0.0;
        for (std::int64_t t = j - half; t <= j + half; ++t) {
            if (t < 0 || t >= n) continue;  // padding: 0 for avg (still divided by pool), -inf for max
            const double v = row[static_cast<std::size_t>(t)];
            acc = max_pool ? std::max(acc, v) : acc + v;
        }
        out[static_cast<std::size_t>(j)] =
            static_cast<float>(max_pool ? acc : acc / static_cast<double>(pool));
    }
    return out;
}

std::vector<std::int64_t> top_positions(const std::vector<float>& scores, std::int64_t budget) {
    const auto n = static_cast<std::int64_t>(scores.size());
    std::vector<std::int64_t> idx(static_cast<std::size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    if (budget >= n) return idx;
    if (budget <= 0) return {};
    auto better = [&](std::int64_t a, std::int64_t b) {
        const float sa = scores[static_cast<std::size_t>(a)], sb = scores[static_cast<std::size_t>(b)];
        return sa != sb ? sa > sb : a < b;
    };
    std::nth_element(idx.begin(), idx.begin() + budget, idx.end(), better);
    idx.resize(static_cast<std::size_t>(budget));
    std::sort(idx.begin(), idx.end());
    return idx;
}

WindowStats compute_window_stats(const at::Tensor& q, const at::Tensor& k, double scale,
                                 const SelectorConfig& sel, std::int64_t w_keep,
                                 bool per_query_head, std::int64_t sliding_window,
                                 bool with_entropy) {
    const std::int64_t hq = q.size(0), n = q.size(1), d = q.size(2);
    const std::int64_t hkv = k.size(0), g = hq / hkv;
    WindowStats st;
    st.prompt = n;
    st.window = std::min(sel.window, n);
    st.selectable = n - std::min(w_keep, n);
    const std::int64_t w = st.window, p = st.selectable;
    const auto f32 = at::TensorOptions().dtype(at::kFloat);

    // Causal mask inside the window: window query i sits at position n - w + i.
    const at::Tensor key_pos = at::arange(n, f32.dtype(at::kLong));
    const at::Tensor query_pos = at::arange(n - w, n, f32.dtype(at::kLong)).unsqueeze(1);
    at::Tensor masked = key_pos.unsqueeze(0) > query_pos;  // [w, n]
    if (sliding_window > 0) masked.logical_or_(key_pos.unsqueeze(0) <= query_pos - sliding_window);

    const at::Tensor q_win = q.narrow(1, n - w, w).to(at::kFloat);  // [Hq, w, d]
    const at::Tensor k_all = k.to(at::kFloat);
    st.scores.resize(static_cast<std::size_t>(per_query_head ? hq : hkv));
    for (std::int64_t kv = 0; kv < hkv; ++kv) {
        const at::Tensor qg = q_win.narrow(0, kv * g, g).reshape({g * w, d});
        at::Tensor logits = at::mm(qg, k_all[kv].t()).mul_(scale).view({g, w, n});
        logits.masked_fill_(masked, -std::numeric_limits<float>::infinity());
        logits = logits.contiguous();
        const at::Tensor a = logits.softmax(-1).contiguous();  // [G, w, n]
        const float* lp = logits.data_ptr<float>();
        // One pass over the probabilities of the selectable columns (not renormalised): the
        // window mean, the unbiased variance over the w queries and the entropy term, accumulated
        // in double. (Fused by hand: separate tensor ops cost several passes and temporaries,
        // which dominated compression time on small models.)
        at::Tensor mean = at::empty({g, p}, f32);
        at::Tensor var = at::empty({g, p}, f32);
        std::vector<double> sum(static_cast<std::size_t>(p)), sumsq(static_cast<std::size_t>(p));
        const float* ap = a.data_ptr<float>();
        double entropy = 0.0, variance = 0.0;
        for (std::int64_t h = 0; h < g; ++h) {
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(sumsq.begin(), sumsq.end(), 0.0);
            for (std::int64_t i = 0; i < w; ++i) {
                const float* row = ap + (h * w + i) * n;
                const float* lrow = lp + (h * w + i) * n;
                double s_a = 0.0, s_al = 0.0;
                for (std::int64_t j = 0; j < p; ++j) {
                    const double x = row[j];
                    sum[static_cast<std::size_t>(j)] += x;
                    sumsq[static_cast<std::size_t>(j)] += x * x;
                    if (with_entropy && row[j] > 0.0f) {
                        s_a += x;
                        s_al += x * static_cast<double>(lrow[j]);
                    }
                }
                if (with_entropy && s_a > 0.0) {
                    // -sum A log A over the selectable columns without one log per entry:
                    // log A_j = l_j - lse, and lse = l_k - log A_k at the row's largest A_k.
                    // Equal to the A log(A + 1e-10) form of section 16.8 within fp32 rounding
                    // (the epsilon moves each term by at most 1e-10).
                    const std::int64_t k = std::max_element(row, row + n) - row;
                    const double lse = static_cast<double>(lrow[k]) - std::log(static_cast<double>(row[k]));
                    entropy += lse * s_a - s_al;
                }
            }
            float* mp = mean[h].data_ptr<float>();
            float* vp = var[h].data_ptr<float>();
            for (std::int64_t j = 0; j < p; ++j) {
                const double s1 = sum[static_cast<std::size_t>(j)];
                const double m = s1 / static_cast<double>(w);
                const double v = w > 1 ? std::max(0.0, (sumsq[static_cast<std::size_t>(j)] - s1 * m) /
                                                           static_cast<double>(w - 1))
                                       : 0.0;
                mp[j] = static_cast<float>(m);
                vp[j] = static_cast<float>(v);
                variance += v;
            }
        }
        st.entropy = with_entropy ? st.entropy + entropy : std::nan("");
        st.variance += variance;

        const bool cake = sel.kind == SelectorConfig::Kind::Cake;
        const at::Tensor per_head = (cake ? mean + sel.gamma * var : mean).contiguous();  // [G, P]
        if (per_query_head) {
            for (std::int64_t h = 0; h < g; ++h) {
                const float* src = per_head[h].data_ptr<float>();
                st.scores[static_cast<std::size_t>(kv * g + h)] =
                    pool_scores(std::vector<float>(src, src + p), sel.pool, !cake);
            }
            continue;
        }
        std::vector<float> row(static_cast<std::size_t>(p), 0.0f);
        if (cake) {
            // Indicator per query head, pooled, then averaged over the group.
            for (std::int64_t h = 0; h < g; ++h) {
                const float* src = per_head[h].data_ptr<float>();
                const auto pooled = pool_scores(std::vector<float>(src, src + p), sel.pool, false);
                for (std::int64_t j = 0; j < p; ++j) {
                    row[static_cast<std::size_t>(j)] +=
                        pooled[static_cast<std::size_t>(j)] / static_cast<float>(g);
                }
            }
        } else {
            // Window mean averaged over the group first, then max pooled.
            const at::Tensor gm = mean.mean(0).contiguous();
            const float* src = gm.data_ptr<float>();
            row = pool_scores(std::vector<float>(src, src + p), sel.pool, true);
        }
        st.scores[static_cast<std::size_t>(kv)] = std::move(row);
    }
    return st;
}

}  // namespace hace::kv
