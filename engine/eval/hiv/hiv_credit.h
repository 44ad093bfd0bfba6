// Per-step head credit of the retrieval-reasoning (R2) protocol (ALGORITHMS.md section 4.4),
// which the HIV test adopts unchanged (section 12 item 1). Pure C++.
#pragma once

#include <cstdint>
#include <vector>

namespace hace::eval {

// One decode step of one layer: probs [q_heads, length] (row-major) over all cached positions.
// For each query head take its |S| most-attended positions (ties: the smaller position); each
// that lies in the real-needle span S = [span_begin, span_end) adds its attention / |S| to the
// head's credit. credit has q_heads entries (accumulated over steps).
void add_r2_credit(const float* probs, std::int64_t q_heads, std::int64_t length,
                   std::int64_t span_begin, std::int64_t span_end, std::vector<double>& credit);

}  // namespace hace::eval
