// AdaKV (ALGORITHMS.md sections 3, 16.11): uniform layers, head budgets from the layer's
// flattened top-k with the alpha safeguard. Faithful mode reproduces FFY0/AdaKV's GQA variant:
// w 32, group mean, max pool 7, its own rounding and optional score normalisation.
#include "engine/kv/faithful_budgets.h"
#include "engine/kv/lattice_method.h"

namespace hace::kv {
namespace {

class AdaKv final : public LatticeMethod {
public:
    using LatticeMethod::LatticeMethod;

protected:
    std::vector<std::int64_t> faithful_layer_budgets(
        PromptState& st, std::int64_t, const std::vector<std::vector<float>>& scores) override {
        return faithful::adakv_split(scores, st.in.budget, cfg_.ada_alpha, cfg_.ada_normalize);
    }
};

}  // namespace

std::unique_ptr<KvMethod> make_adakv(const CompressionConfig& cfg, const MethodRow& row) {
    return std::make_unique<AdaKv>(cfg, row);
}

}  // namespace hace::kv
