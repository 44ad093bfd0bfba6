#include "engine/kv/token_scorer.h"

#include "engine/core/error.h"
#include "engine/kv/methods.h"
#include "engine/kv/scorers.h"

namespace hace::kv {

std::vector<float> TokenScorer::decode_scores(const StepProbs&, std::int64_t) const {
    throw std::logic_error("this scorer does not evict while decoding");
}

std::unique_ptr<TokenScorer> make_token_scorer(const CompressionConfig& cfg) {
    const ScorerRow* row = find_scorer(selector_id(cfg.selector));
    if (!row) throw InputError("unknown selector \"" + selector_id(cfg.selector) + "\"");
    return row->make(cfg);
}

}  // namespace hace::kv
