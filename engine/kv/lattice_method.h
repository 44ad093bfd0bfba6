// The allocator lattice (ALGORITHMS.md section 13) as a method: an allocator (the row's layer and
// head rules: uniform, pyramid, CAKE layer preference, head scores, HACE's two stages, AdaKV's
// flattened top-k) times a token scorer (the configuration's selector: SEL-CAKE, SEL-SNAP,
// random, knorm, ...). The methods of the lattice (snapkv.cpp, cake.cpp, hace.cpp, ...) derive
// from it and add their reference repository's rules for faithful mode. With the CAKE layer rule
// and a scorer that evicts while decoding, layers are re-allocated as the prefill goes (CAKE's
// cascade, section 5.3). Internal (ATen).
#pragma once

#include <memory>
#include <vector>

#include "engine/kv/kv_method.h"
#include "engine/kv/token_scorer.h"

namespace hace::kv {

class LatticeMethod : public KvMethod {
public:
    LatticeMethod(const CompressionConfig& cfg, const MethodRow& row);

    bool per_query_head(const CompressionConfig& cfg) const override;
    bool evicts_while_decoding(const CompressionConfig& cfg) const override;
    std::string selector_label(const CompressionConfig& cfg) const override;
    bool compresses(PromptState& st, std::int64_t n, std::int64_t c, std::int64_t w) override;
    void prefill_layer(PromptState& st, std::int64_t l, const at::Tensor& q, const at::Tensor& k,
                       const at::Tensor& v, const at::Tensor& k_kv) override;
    void prefill_uncompressed_layer(PromptState& st, std::int64_t l, const at::Tensor& q,
                                    const at::Tensor& k) override;
    std::int64_t final_through(const PromptState& st, std::int64_t l) const override;
    void after_decode_step(PromptState& st, StoreLayer& L, Segment& s,
                           const StepProbs& probs) override;

protected:
    // ---- faithful mode: the reference repository's rules (overridden per method) ----
    // Stores per query head after repeat_kv (SnapKV, PyramidKV, HeadKV).
    virtual bool faithful_per_query_head() const { return false; }
    // The reference's skip rule: compress when n >= C unless overridden.
    virtual bool faithful_skip_rule(std::int64_t n, std::int64_t c, std::int64_t w) const;
    // Per-prompt plans once the prompt is known to be compressed; false: nothing to compress.
    virtual bool prepare_faithful(PromptState&, std::int64_t, std::int64_t, std::int64_t) {
        return true;
    }
    // The reference's per-segment budgets of layer l (uniform B unless overridden).
    virtual std::vector<std::int64_t> faithful_layer_budgets(
        PromptState& st, std::int64_t l, const std::vector<std::vector<float>>& scores);
    // CAKE's cascade in faithful mode: the reference's integer layer budgets, the same for every
    // head, and its recorded decode-time limits (cake.cpp).
    virtual bool faithful_cascade() const { return false; }

    // Top-budget selectable positions per segment plus the protected window. from_held: choose
    // among the entries the layer holds (a cascade shrinking its own earlier choice).
    std::vector<std::vector<std::int64_t>> select(const PromptState& st, std::int64_t l,
                                                  const std::vector<std::int64_t>& budgets,
                                                  bool from_held) const;
    const std::vector<std::vector<float>>& layer_scores(std::int64_t l) const {
        return scores_[static_cast<std::size_t>(l)];
    }

    const CompressionConfig& cfg_;
    const MethodRow& row_;
    // Faithful CAKE holds kept prompt entries by descending score (cake.cpp).
    bool score_order_ = false;

private:
    std::vector<std::int64_t> equal_layer_budgets(PromptState& st, std::int64_t l);
    void reallocate_cascade(PromptState& st, std::int64_t l);
    void evict_to_limit(PromptState& st, StoreLayer& L, Segment& s, const StepProbs& probs);

    std::unique_ptr<TokenScorer> scorer_;
    bool cascading_ = false;
    std::vector<std::vector<std::vector<float>>> scores_;  // [l][segment][j < P]
    std::vector<std::int64_t> totals_;                     // equal-mode Stage 1 totals
};

}  // namespace hace::kv
