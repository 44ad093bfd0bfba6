// HeadKV (ALGORITHMS.md sections 4.2, 16.12) and HACE-HeadOnly, which reduces to it (section
// 13.4): head budgets from retrieval-reasoning head scores. Faithful mode reproduces
// FYYFU/HeadKV: w 8, max pool 7, budgets round(s p L H + m) per query head.
#include "engine/kv/faithful_budgets.h"
#include "engine/kv/lattice_method.h"

namespace hace::kv {
namespace {

class HeadKv final : public LatticeMethod {
public:
    using LatticeMethod::LatticeMethod;

protected:
    bool faithful_per_query_head() const override { return true; }

    bool prepare_faithful(PromptState&, std::int64_t, std::int64_t c, std::int64_t w) override {
        budgets_ = faithful::headkv_budgets(cfg_.head_scores_query, c - w, cfg_.headkv_beta);
        return true;
    }

    std::vector<std::int64_t> faithful_layer_budgets(
        PromptState&, std::int64_t l, const std::vector<std::vector<float>>&) override {
        return budgets_[static_cast<std::size_t>(l)];
    }

private:
    std::vector<std::vector<std::int64_t>> budgets_;  // this prompt's [layer][query head]
};

}  // namespace

std::unique_ptr<KvMethod> make_headkv(const CompressionConfig& cfg, const MethodRow& row) {
    return std::make_unique<HeadKv>(cfg, row);
}

}  // namespace hace::kv
