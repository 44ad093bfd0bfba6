// EXPECTED-ATTENTION (docs/scorers.md section 4; Devoto et al. 2025, "Expected Attention: KV
// cache compression by estimating attention from future queries' distribution"). Future queries
// are modelled as a Gaussian q ~ N(mu, Sigma) fitted, per query head, to the last w prompt
// queries; the expected unnormalised attention of key k is then
//   E[exp(s q.k)] = exp(s mu.k + s^2/2 k^T Sigma k)            (the Gaussian's moment generator),
// normalised over the prompt's keys and weighted by the value norm ||v|| (an entry's attention
// matters in proportion to what it adds to the output). The first `sinks` positions are always
// kept, as the paper does for attention sinks. Scores are averaged over the query heads of a KV
// head.
//
// Reading recorded in the params: the paper fits the statistics to pre-RoPE queries and averages
// the rotation over the next positions; the cache sees queries after RoPE only, so the window's
// rotated queries stand in for the future ones (they sit at the nearest positions; the low RoPE
// frequencies that carry long-range attention barely move over a few hundred positions).
#include <limits>

#include "engine/kv/methods.h"
#include "engine/kv/scorers/scorer_rows.h"

namespace hace::kv {
namespace {

class ExpectedAttentionScorer final : public TokenScorer {
public:
    ExpectedAttentionScorer(std::int64_t window, std::int64_t sinks)
        : window_(window), sinks_(sinks) {}

    WindowStats score(const ScorerInput& in) const override {
        const std::int64_t n = in.k.size(1), hq = in.q.size(0), hkv = in.k.size(0);
        const std::int64_t g = hq / hkv, w = std::min(window_, n);
        const at::Tensor q = in.q.narrow(1, n - w, w).to(at::kDouble);         // [Hq, w, d]
        const at::Tensor keys = in.k.to(at::kDouble).repeat_interleave(g, 0);  // [Hq, n, d]
        const at::Tensor mu = q.mean(1, /*keepdim=*/true);                     // [Hq, 1, d]
        const at::Tensor centred = q - mu;
        // Unbiased covariance; a single query has none.
        const at::Tensor sigma = w > 1 ? at::bmm(centred.transpose(1, 2), centred).div_(w - 1)
                                       : at::zeros({hq, q.size(2), q.size(2)}, q.options());
        const double s = in.scale;
        const at::Tensor linear = at::bmm(mu, keys.transpose(1, 2)).squeeze(1).mul_(s);   // [Hq, n]
        const at::Tensor quad = (at::bmm(keys, sigma) * keys).sum(-1).mul_(0.5 * s * s);  // [Hq, n]
        const at::Tensor expected = (linear + quad).softmax(-1);                          // [Hq, n]
        const at::Tensor vnorm = in.v.to(at::kDouble).norm(2, -1).repeat_interleave(g, 0);
        at::Tensor score = (expected * vnorm).to(at::kFloat);
        const std::int64_t sinks = std::min(sinks_, n);
        if (sinks > 0) score.narrow(1, 0, sinks).fill_(std::numeric_limits<float>::max());
        return scorers::without_window_stats(
            in, scorers::group_rows(score, hkv, n - in.w_keep, in.per_query_head));
    }

private:
    std::int64_t window_, sinks_;
};

}  // namespace

std::unique_ptr<TokenScorer> make_expected_attention_scorer(const CompressionConfig& cfg) {
    return std::make_unique<ExpectedAttentionScorer>(cfg.selector.window, cfg.sinks);
}

}  // namespace hace::kv
