#include "engine/eval/hiv/hiv_credit.h"

#include <algorithm>
#include <numeric>

#include "engine/core/error.h"

namespace hace::eval {

void add_r2_credit(const float* probs, std::int64_t q_heads, std::int64_t length,
                   std::int64_t span_begin, std::int64_t span_end, std::vector<double>& credit) {
    const std::int64_t span = span_end - span_begin;
    if (span <= 0 || span_begin < 0 || span_end > length) {
        throw InputError("HIV credit: needle span [" + std::to_string(span_begin) + ", " +
                         std::to_string(span_end) + ") is not inside the " +
                         std::to_string(length) + " cached positions");
    }
    credit.resize(static_cast<std::size_t>(q_heads), 0.0);
    std::vector<std::int64_t> order(static_cast<std::size_t>(length));
    for (std::int64_t h = 0; h < q_heads; ++h) {
        const float* row = probs + h * length;
        std::iota(order.begin(), order.end(), 0);
        std::partial_sort(order.begin(), order.begin() + span, order.end(),
                          [row](std::int64_t a, std::int64_t b) {
                              return row[a] != row[b] ? row[a] > row[b] : a < b;
                          });
        double add = 0.0;
        for (std::int64_t i = 0; i < span; ++i) {
            const std::int64_t pos = order[static_cast<std::size_t>(i)];
            if (pos >= span_begin && pos < span_end) add += row[pos];
        }
        credit[static_cast<std::size_t>(h)] += add / static_cast<double>(span);
    }
}

}  // namespace hace::eval
