// PyramidKV (ALGORITHMS.md sections 2, 16.7): layer budgets falling linearly with depth, uniform
// heads. Faithful mode reproduces KVCache-Factory's three regimes (faithful_budgets.h): w 8, max
// pool 7, per query head.
#include "engine/kv/faithful_budgets.h"
#include "engine/kv/lattice_method.h"

namespace hace::kv {
namespace {

class PyramidKv final : public LatticeMethod {
public:
    using LatticeMethod::LatticeMethod;

protected:
    bool faithful_per_query_head() const override { return true; }

    bool prepare_faithful(PromptState& st, std::int64_t n, std::int64_t c,
                          std::int64_t w) override {
        plan_ = faithful::pyramid_budgets(st.shape.n_layers, c, w, n, cfg_.pyramid_beta);
        return plan_.regime != faithful::PyramidPlan::None;
    }

    std::vector<std::int64_t> faithful_layer_budgets(
        PromptState& st, std::int64_t l, const std::vector<std::vector<float>>&) override {
        return std::vector<std::int64_t>(static_cast<std::size_t>(st.n_seg),
                                         plan_.per_layer[static_cast<std::size_t>(l)]);
    }

private:
    faithful::PyramidPlan plan_;  // this prompt's budgets
};

}  // namespace

std::unique_ptr<KvMethod> make_pyramidkv(const CompressionConfig& cfg, const MethodRow& row) {
    return std::make_unique<PyramidKv>(cfg, row);
}

}  // namespace hace::kv
