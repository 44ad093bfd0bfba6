// TOVA (docs/scorers.md section 3; Oren et al. 2024, "Transformers are Multi-State RNNs"): the
// score of a cached entry is the attention the current query pays it, averaged over the query
// heads that share the KV head. At prefill the current query is the last prompt token's; while
// decoding, every step's query scores the segment again and the lowest-scored entry goes once
// the segment is over its budget (the lattice's evictor, without pooling). TOVA's cache is a
// fixed-size multi-state RNN: nothing accumulates across steps.
#include <limits>

#include "engine/kv/methods.h"
#include "engine/kv/scorers/scorer_rows.h"

namespace hace::kv {
namespace {

class TovaScorer final : public TokenScorer {
public:
    WindowStats score(const ScorerInput& in) const override {
        const std::int64_t n = in.k.size(1), hq = in.q.size(0), hkv = in.k.size(0);
        const std::int64_t g = hq / hkv;
        const at::Tensor last = in.q.narrow(1, n - 1, 1).to(at::kFloat);      // [Hq, 1, d]
        const at::Tensor keys = in.k.to(at::kFloat).repeat_interleave(g, 0);  // [Hq, n, d]
        at::Tensor logits = at::bmm(last, keys.transpose(1, 2)).squeeze(1).mul_(in.scale);
        if (in.sliding_window > 0 && n > in.sliding_window) {
            // The last query sees only the keys inside its window, as the model's attention does.
            logits.narrow(1, 0, n - in.sliding_window)
                .fill_(-std::numeric_limits<float>::infinity());
        }
        const at::Tensor probs = logits.softmax(-1);  // [Hq, n]
        return scorers::without_window_stats(
            in, scorers::group_rows(probs, hkv, n - in.w_keep, in.per_query_head));
    }

    bool evicts_while_decoding() const override { return true; }

    std::vector<float> decode_scores(const StepProbs& probs, std::int64_t cand) const override {
        const std::int64_t g = probs.group;
        std::vector<float> score(static_cast<std::size_t>(cand), 0.0f);
        for (std::int64_t h = 0; h < g; ++h) {
            const float* src = probs.row(h);
            for (std::int64_t j = 0; j < cand; ++j) {
                score[static_cast<std::size_t>(j)] += src[j] / static_cast<float>(g);
            }
        }
        return score;
    }
};

}  // namespace

std::unique_ptr<TokenScorer> make_tova_scorer(const CompressionConfig&) {
    return std::make_unique<TovaScorer>();
}

}  // namespace hace::kv
