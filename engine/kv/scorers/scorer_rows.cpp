#include "engine/kv/scorers/scorer_rows.h"

#include <cmath>

namespace hace::kv::scorers {

std::vector<std::vector<float>> group_rows(const at::Tensor& per_query_head, std::int64_t n_kv,
                                           std::int64_t selectable, bool per_query) {
    const at::Tensor s = per_query_head.to(at::kFloat).contiguous();
    const std::int64_t hq = s.size(0), n = s.size(1), g = hq / n_kv;
    std::vector<std::vector<float>> rows;
    if (per_query) {
        for (std::int64_t h = 0; h < hq; ++h) {
            const float* src = s.data_ptr<float>() + h * n;
            rows.emplace_back(src, src + selectable);
        }
        return rows;
    }
    for (std::int64_t kv = 0; kv < n_kv; ++kv) {
        std::vector<float> row(static_cast<std::size_t>(selectable), 0.0f);
        for (std::int64_t h = kv * g; h < (kv + 1) * g; ++h) {
            const float* src = s.data_ptr<float>() + h * n;
            for (std::int64_t j = 0; j < selectable; ++j) {
                row[static_cast<std::size_t>(j)] += src[j] / static_cast<float>(g);
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<std::vector<float>> kv_rows(const at::Tensor& per_kv_head, std::int64_t n_q,
                                        std::int64_t selectable, bool per_query) {
    const at::Tensor s = per_kv_head.to(at::kFloat).contiguous();
    const std::int64_t hkv = s.size(0), n = s.size(1);
    const std::int64_t repeat = per_query ? n_q / hkv : 1;
    std::vector<std::vector<float>> rows;
    for (std::int64_t kv = 0; kv < hkv; ++kv) {
        const float* src = s.data_ptr<float>() + kv * n;
        for (std::int64_t r = 0; r < repeat; ++r) rows.emplace_back(src, src + selectable);
    }
    return rows;
}

WindowStats without_window_stats(const ScorerInput& in, std::vector<std::vector<float>> rows) {
    WindowStats st;
    st.prompt = in.k.size(1);
    st.window = std::min<std::int64_t>(in.w_keep, st.prompt);
    st.selectable = st.prompt - in.w_keep;
    st.entropy = std::nan("");
    st.variance = std::nan("");
    st.scores = std::move(rows);
    return st;
}

}  // namespace hace::kv::scorers
