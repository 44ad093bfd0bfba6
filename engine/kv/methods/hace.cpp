// HACE (ALGORITHMS.md section 13): CAKE's layer budgets (Stage 1, cascading with SEL-CAKE) times
// HeadKV's head split (Stage 2). No reference repository: equal mode only. The lattice itself is
// the whole method (lattice_method.cpp); this file is its row's factory.
#include "engine/kv/lattice_method.h"

namespace hace::kv {

std::unique_ptr<KvMethod> make_lattice(const CompressionConfig& cfg, const MethodRow& row) {
    return std::make_unique<LatticeMethod>(cfg, row);
}

}  // namespace hace::kv
