// CPU twin of top-k selection and compaction (contract: topk_compact.h).
#include "engine/kernels/topk_compact.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/kernels/score_order.h"

namespace hace::kernels {

void validate_topk_compact_args(const TopkCompactArgs& a) {
    auto fail = [](const char* what) {
        throw std::invalid_argument(std::string("topk_compact: ") + what);
    };
    if (a.segments < 0 || a.segments_per_kv_head < 1) fail("bad segments or segments_per_kv_head");
    if (a.prompt < 0 || a.selectable < 0 || a.selectable > a.prompt)
        fail("need 0 <= selectable <= prompt");
    if (a.head_dim < 1 || a.src_row_stride < a.head_dim || a.src_head_stride < 0)
        fail("bad head_dim or source strides");
    if (a.segments == 0) return;
    if (a.budgets == nullptr || a.offsets == nullptr || a.lengths == nullptr ||
        a.positions == nullptr || a.k_src == nullptr || a.v_src == nullptr || a.k_dst == nullptr ||
        a.v_dst == nullptr)
        fail("null pointer");
    if (a.selectable > 0 && (a.scores == nullptr || a.scores_stride < a.selectable))
        fail("null scores or scores_stride < selectable");
}

void topk_compact_cpu(const TopkCompactArgs& a) {
    validate_topk_compact_args(a);
    const std::int64_t p = a.selectable, n = a.prompt, d = a.head_dim;
    std::vector<std::int64_t> order(static_cast<std::size_t>(p));
    std::vector<std::uint32_t> keys(static_cast<std::size_t>(p));
    for (std::int64_t s = 0; s < a.segments; ++s) {
        const std::int64_t b = std::clamp<std::int64_t>(a.budgets[s], 0, p);
        std::int64_t* pos = a.positions + a.offsets[s];
        if (b == p) {
            std::iota(pos, pos + p, std::int64_t{0});
        } else if (b > 0) {
            const float* row = a.scores + s * a.scores_stride;
            for (std::int64_t j = 0; j < p; ++j)
                keys[static_cast<std::size_t>(j)] = score_order_key(row[j]);
            std::iota(order.begin(), order.end(), std::int64_t{0});
            auto better = [&](std::int64_t x, std::int64_t y) {
                const std::uint32_t kx = keys[static_cast<std::size_t>(x)];
                const std::uint32_t ky = keys[static_cast<std::size_t>(y)];
                return kx != ky ? kx > ky : x < y;
            };
            std::nth_element(order.begin(), order.begin() + b, order.end(), better);
            std::sort(order.begin(), order.begin() + b);
            std::copy(order.begin(), order.begin() + b, pos);
        }
        std::iota(pos + b, pos + b + (n - p), p);
        const std::int64_t len = b + n - p;
        a.lengths[s] = len;

        const std::int64_t src_head = s / a.segments_per_kv_head;
        const float* ks = a.k_src + src_head * a.src_head_stride;
        const float* vs = a.v_src + src_head * a.src_head_stride;
        float* kd = a.k_dst + a.offsets[s] * d;
        float* vd = a.v_dst + a.offsets[s] * d;
        const auto bytes = static_cast<std::size_t>(d) * sizeof(float);
        for (std::int64_t r = 0; r < len; ++r) {
            std::memcpy(kd + r * d, ks + pos[r] * a.src_row_stride, bytes);
            std::memcpy(vd + r * d, vs + pos[r] * a.src_row_stride, bytes);
        }
    }
}

}  // namespace hace::kernels
