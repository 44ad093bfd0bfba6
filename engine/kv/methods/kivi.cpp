// KIVI (ALGORITHMS.md section 6.3): every token kept, stored 2- or 4-bit quantised by the ragged
// store (quant/kivi_segment.h). Nothing is selected, so the prompt is never "compressed" in the
// eviction sense: C = n and the protected window is empty.
#include "engine/kv/kv_method.h"

namespace hace::kv {
namespace {

class Kivi final : public KvMethod {
public:
    std::int64_t protected_recent(const CompressionConfig&, std::int64_t) const override {
        return 0;
    }
    bool evicts_while_decoding(const CompressionConfig&) const override { return false; }
    std::string selector_label(const CompressionConfig& cfg) const override {
        return cfg.selector.name();
    }
    // Unreachable (every position fits C = n); keeps everything should a caller force it.
    void prefill_layer(PromptState& st, std::int64_t l, const at::Tensor&, const at::Tensor& k,
                       const at::Tensor& v, const at::Tensor&) override {
        const std::int64_t n = k.size(1);
        std::vector<std::vector<std::int64_t>> keep(static_cast<std::size_t>(st.n_seg),
                                                    RaggedStore::iota_positions(0, n));
        st.store.store(l, k, v, keep, std::vector<std::int64_t>(keep.size(), n),
                       st.shape.capacity - n);
    }
};

}  // namespace

std::unique_ptr<KvMethod> make_kivi(const CompressionConfig&, const MethodRow&) {
    return std::make_unique<Kivi>();
}

}  // namespace hace::kv
