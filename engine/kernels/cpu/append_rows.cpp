// CPU twin of the in-place append (contract: append_rows.h).
#include "engine/kernels/append_rows.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace hace::kernels {

void validate_append_rows_args(const AppendRowsArgs& a) {
    auto fail = [](const char* what) {
        throw std::invalid_argument(std::string("append_rows: ") + what);
    };
    if (a.segments < 0 || a.segments_per_kv_head < 1 || a.head_dim < 1)
        fail("bad segments, segments_per_kv_head or head_dim");
    if (a.segments > 0 && (a.k_new == nullptr || a.v_new == nullptr || a.offsets == nullptr ||
                           a.lengths == nullptr || a.k == nullptr || a.v == nullptr))
        fail("null pointer");
}

void append_rows_cpu(const AppendRowsArgs& a) {
    validate_append_rows_args(a);
    const std::int64_t d = a.head_dim;
    const auto bytes = static_cast<std::size_t>(d) * sizeof(float);
    std::int64_t full = 0;
    for (std::int64_t s = 0; s < a.segments; ++s) {
        if (a.capacities != nullptr && a.lengths[s] >= a.capacities[s]) {
            ++full;
            continue;
        }
        const std::int64_t row = a.offsets[s] + a.lengths[s];
        const std::int64_t src = s / a.segments_per_kv_head;
        std::memcpy(a.k + row * d, a.k_new + src * d, bytes);
        std::memcpy(a.v + row * d, a.v_new + src * d, bytes);
        if (a.positions != nullptr) a.positions[row] = a.position;
        ++a.lengths[s];
    }
    if (a.n_full != nullptr) *a.n_full = full;
}

}  // namespace hace::kernels
