// Helpers the scorer files share: laying per-KV-head or per-query-head score rows out as the
// lattice expects them. Internal (ATen).
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "engine/kv/token_scorer.h"

namespace hace::kv::scorers {

// Scores per query head [Hq, n] (float32) -> the rows the lattice expects over the selectable
// positions j < P: per query head as they are, else the mean over each KV head's group of G.
std::vector<std::vector<float>> group_rows(const at::Tensor& per_query_head, std::int64_t n_kv,
                                           std::int64_t selectable, bool per_query);
// Scores per KV head [Hkv, n] (float32) -> rows over j < P, repeated for each query head of the
// group when the lattice stores per query head.
std::vector<std::vector<float>> kv_rows(const at::Tensor& per_kv_head, std::int64_t n_q,
                                        std::int64_t selectable, bool per_query);
// A WindowStats with these rows and no window statistics (NaN entropy and variance).
WindowStats without_window_stats(const ScorerInput& in, std::vector<std::vector<float>> rows);

}  // namespace hace::kv::scorers
