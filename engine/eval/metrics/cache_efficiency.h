// Cache Efficiency Ratio (CER): task score bought per percent of KV cache kept.
#pragma once

namespace hace::metrics {

// CER = score / (100 * retention), with score on a 0..100 scale (a LongBench dataset score, or a
// NIAH score x 100) and retention the kept fraction of the full cache in (0, 1] (ALGORITHMS.md
// §9.2), so the divisor is the retention percentage: 40 points at retention 0.05 give 40 / 5 = 8;
// the full cache (retention 1) gives score / 100. Throws InputError when retention is outside
// (0, 1] or either argument is not finite.
double cache_efficiency_ratio(double score, double retention);

}  // namespace hace::metrics
