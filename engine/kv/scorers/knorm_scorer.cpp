// KNORM (docs/scorers.md section 2; Devoto et al. 2024, "A simple and effective L2 norm-based
// strategy for KV cache compression"): keys with a low L2 norm draw high attention, so the
// entries whose keys (after RoPE, as cached) have the lowest norm are kept. Score = -||k_j||.
// No queries are read: the scorer is query-agnostic by construction.
#include "engine/kv/methods.h"
#include "engine/kv/scorers/scorer_rows.h"

namespace hace::kv {
namespace {

class KnormScorer final : public TokenScorer {
public:
    WindowStats score(const ScorerInput& in) const override {
        const at::Tensor norms = in.k.to(at::kFloat).norm(2, -1).neg();  // [Hkv, n]
        const std::int64_t p = in.k.size(1) - in.w_keep;
        return scorers::without_window_stats(
            in, scorers::kv_rows(norms, in.q.size(0), p, in.per_query_head));
    }
};

}  // namespace

std::unique_ptr<TokenScorer> make_knorm_scorer(const CompressionConfig&) {
    return std::make_unique<KnormScorer>();
}

}  // namespace hace::kv
