// Budget arithmetic of the allocator lattice (ALGORITHMS.md sections 13.1-13.3 and 16): the real
// Stage 1 layer totals and Stage 2 head splits, and the one integerisation with caps and
// water-filling that every method shares. Pure functions over plain numbers; no cache access.
#pragma once

#include <cstdint>
#include <vector>

namespace hace::kv {

// Largest-remainder rounding of non-negative reals to integers that sum to `total`: floors first,
// then +1 by descending fractional part, ties to the lower index. If the floors already exceed
// `total` (reals summing above it), units are taken back from the largest-index items first.
std::vector<std::int64_t> largest_remainder(const std::vector<double>& reals, std::int64_t total);

// Section 16.6: largest-remainder rounding to `total`, then clamp items above `cap` and hand the
// integer excess to the items still below the cap in proportion to `weights` (equally where the
// weights of all those items are zero), again by largest remainder; repeat until nothing exceeds
// the cap. Requires total <= cap * reals.size().
std::vector<std::int64_t> integerise_capped(const std::vector<double>& reals, std::int64_t total,
                                            std::int64_t cap, const std::vector<double>& weights);

// ---- Stage 1: real layer totals T_l with sum L*H*B -------------------------------------------
std::vector<double> stage1_uniform(std::int64_t layers, std::int64_t heads, std::int64_t b);
// Equal-mode PyramidKV (section 16.7): min = B/beta, max = 2B - min, capped at P (then
// min = 2B - max), linear steps from max (layer 0) to min (last layer); T_l = H * B_l.
std::vector<double> stage1_pyramid(std::int64_t layers, std::int64_t heads, std::int64_t b,
                                   std::int64_t selectable, double beta);
// CAKE: T_l = T * Pref_l / sum(Pref) over the given layers; UNIFORM when the preferences are not
// all finite and their sum is not positive (section 16.8). `total` is the whole T.
std::vector<double> stage1_cake(const std::vector<double>& preferences, std::int64_t total);
// HEADKV_IMPLIED: T_l = H*m + S_l*p*L*H with p = floor(B/beta), m = B - p, S_l = sum_h s[l][h]
// (scores normalised over all L*H heads).
std::vector<double> stage1_headkv_implied(const std::vector<std::vector<double>>& scores,
                                          std::int64_t b, double beta);

// ---- Stage 2: real head budgets of one layer with sum T_l --------------------------------------
std::vector<double> stage2_uniform(std::int64_t layer_total, std::int64_t heads);
// HEADKV_SPLIT: m_l = min(m, floor(T_l/H)); b_h = m_l + s_h/S_l * (T_l - H*m_l); uniform when
// S_l = 0.
std::vector<double> stage2_headkv(std::int64_t layer_total, const std::vector<double>& layer_scores,
                                  std::int64_t m);
// ADA_SPLIT (section 16.11): c_h = how many of the layer's T_l globally best (head, position)
// scores belong to head h; b_h = (1 - alpha) * c_h + alpha * T_l / H.
std::vector<double> stage2_ada(std::int64_t layer_total,
                               const std::vector<std::vector<float>>& head_scores, double alpha);

// HeadKV p = floor(B/beta) and m = B - p.
std::int64_t headkv_pool(std::int64_t b, double beta);

}  // namespace hace::kv
