// SEL-CAKE and SEL-SNAP (ALGORITHMS.md sections 1, 5.1, 16.1): statistics of the attention that
// the last w prompt queries pay to each selectable position (window_stats.h). SEL-CAKE also
// evicts while decoding (section 5.4): the step's attention, avg-pooled per query head, averaged
// over the group.
#include <cmath>

#include "engine/kv/methods.h"
#include "engine/kv/token_scorer.h"

namespace hace::kv {
namespace {

class WindowScorer final : public TokenScorer {
public:
    explicit WindowScorer(const SelectorConfig& sel) : sel_(sel) {}

    WindowStats score(const ScorerInput& in) const override {
        return compute_window_stats(in.q, in.k, in.scale, sel_, in.w_keep, in.per_query_head,
                                    in.sliding_window, in.with_entropy);
    }
    bool window_statistics() const override { return true; }
    bool evicts_while_decoding() const override { return sel_.kind == SelectorConfig::Kind::Cake; }

    std::vector<float> decode_scores(const StepProbs& probs, std::int64_t cand) const override {
        const std::int64_t g = probs.group;
        std::vector<float> score(static_cast<std::size_t>(cand), 0.0f);
        for (std::int64_t h = 0; h < g; ++h) {
            const float* src = probs.row(h);
            const auto pooled = pool_scores(std::vector<float>(src, src + cand), sel_.pool, false);
            for (std::int64_t j = 0; j < cand; ++j) {
                score[static_cast<std::size_t>(j)] +=
                    pooled[static_cast<std::size_t>(j)] / static_cast<float>(g);
            }
        }
        return score;
    }

private:
    SelectorConfig sel_;
};

}  // namespace

std::unique_ptr<TokenScorer> make_window_scorer(const CompressionConfig& cfg) {
    return std::make_unique<WindowScorer>(cfg.selector);
}

}  // namespace hace::kv
