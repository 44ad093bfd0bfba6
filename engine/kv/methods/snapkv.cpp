// SnapKV (ALGORITHMS.md sections 1, 13.2): uniform layers and heads. Faithful mode reproduces
// FasterDecoding/SnapKV: w 32, max pool 7, K/V stored per query head after repeat_kv, and the
// prompt left whole when n < C.
#include "engine/kv/lattice_method.h"

namespace hace::kv {
namespace {

class SnapKv final : public LatticeMethod {
public:
    using LatticeMethod::LatticeMethod;

protected:
    bool faithful_per_query_head() const override { return true; }
};

}  // namespace

std::unique_ptr<KvMethod> make_snapkv(const CompressionConfig& cfg, const MethodRow& row) {
    return std::make_unique<SnapKv>(cfg, row);
}

}  // namespace hace::kv
