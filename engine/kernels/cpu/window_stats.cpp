// CPU twin of the window-statistics kernel (contract: window_stats.h).
//
// Per query head, two passes over key tiles: pass 1 keeps each window row's running maximum and
// normaliser (rescaled when the maximum grows), pass 2 recomputes the logits of the selectable
// columns only and accumulates per column the sum and the sum of squares of the probabilities
// over the w rows, plus the entropy terms. Memory is O(G * P + d * tile), never n x n. A key
// tile is loaded (transposed) once and used by every window row.
#include "engine/kernels/window_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace hace::kernels {
namespace {

constexpr std::int64_t kKeyTile = 64;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

std::size_t idx(std::int64_t i) {
    return static_cast<std::size_t>(i);
}

// Keys [lo, hi] visible to the window query at prompt position p.
struct Visible {
    std::int64_t lo, hi;
};

Visible visible_keys(std::int64_t p, std::int64_t sliding_window) {
    return {sliding_window > 0 ? std::max<std::int64_t>(0, p - sliding_window + 1) : 0, p};
}

// True when no window row sees any key of [j0, j1): spans grow with the row and the last row
// sees up to n - 1, so only the first row's sliding-window start can exclude a tile.
bool tile_masked(const WindowStatsArgs& a, std::int64_t j1) {
    return j1 <= visible_keys(a.prompt - a.window, a.sliding_window).lo;
}

// Keys [j0, j1) of one KV head transposed into kt[c * kKeyTile + t] (zero beyond j1), so that
// the logits of a row are formed key-parallel: a fixed-length inner loop the compiler
// vectorises, with each dot product still summed in order over c.
void load_key_tile(const WindowStatsArgs& a, const float* kg, std::int64_t j0, std::int64_t j1,
                   std::vector<float>& kt) {
    std::fill(kt.begin(), kt.end(), 0.0f);
    for (std::int64_t j = j0; j < j1; ++j) {
        const float* kj = kg + j * a.k_row_stride;
        for (std::int64_t c = 0; c < a.head_dim; ++c) kt[idx(c * kKeyTile + (j - j0))] = kj[c];
    }
}

// Logits of window row `qi` against the loaded tile into out[0 .. j1 - j0); masked keys -inf.
void row_logits(const WindowStatsArgs& a, const float* qi, const std::vector<float>& kt,
                Visible vis, std::int64_t j0, std::int64_t j1, float* out) {
    std::fill(out, out + kKeyTile, 0.0f);
    for (std::int64_t c = 0; c < a.head_dim; ++c) {
        const float qc = qi[c];
        const float* row = kt.data() + c * kKeyTile;
        for (std::int64_t t = 0; t < kKeyTile; ++t) out[t] += qc * row[t];
    }
    for (std::int64_t j = j0; j < j1; ++j)
        out[j - j0] = (j < vis.lo || j > vis.hi) ? kNegInf : out[j - j0] * a.scale;
}

// Pools one row as kv::pool_scores does: window j - pool/2 .. j + pool/2 clipped to the row;
// average divides by `pool` whatever the clipping, max ignores the padding.
void pool_row(const float* in, std::int64_t n, std::int64_t pool, bool max_pool, float* out) {
    const std::int64_t half = pool / 2;
    for (std::int64_t j = 0; j < n; ++j) {
        const std::int64_t lo = std::max<std::int64_t>(0, j - half);
        const std::int64_t hi = std::min<std::int64_t>(n - 1, j + half);
        double acc = max_pool ? -std::numeric_limits<double>::infinity() : 0.0;
        for (std::int64_t t = lo; t <= hi; ++t)
            acc = max_pool ? std::max(acc, static_cast<double>(in[t])) : acc + in[t];
        out[j] = static_cast<float>(max_pool ? acc : acc / static_cast<double>(pool));
    }
}

struct RowStats {
    std::vector<float> max;   // per window row
    std::vector<float> inv;   // 1 / normaliser
    std::vector<double> lse;  // max + log(normaliser)
};

// Pass 1 for query head h of KV head g.
RowStats row_stats(const WindowStatsArgs& a, const float* qh, const float* kg,
                   std::vector<float>& kt, std::vector<float>& tile) {
    const std::int64_t w = a.window, n = a.prompt;
    RowStats rs;
    rs.max.assign(idx(w), kNegInf);
    std::vector<double> z(idx(w), 0.0);
    for (std::int64_t j0 = 0; j0 < n; j0 += kKeyTile) {
        const std::int64_t j1 = std::min(n, j0 + kKeyTile);
        if (tile_masked(a, j1)) continue;
        load_key_tile(a, kg, j0, j1, kt);
        for (std::int64_t i = 0; i < w; ++i) {
            const Visible vis = visible_keys(n - w + i, a.sliding_window);
            if (j1 <= vis.lo || j0 > vis.hi) continue;
            row_logits(a, qh + i * a.head_dim, kt, vis, j0, j1, tile.data());
            const float tmax = *std::max_element(tile.begin(), tile.begin() + (j1 - j0));
            float& m = rs.max[idx(i)];
            if (tmax > m) {
                z[idx(i)] *= std::exp(static_cast<double>(m) - static_cast<double>(tmax));
                m = tmax;
            }
            for (std::int64_t t = 0; t < j1 - j0; ++t) {
                if (tile[idx(t)] != kNegInf) z[idx(i)] += std::exp(tile[idx(t)] - m);
            }
        }
    }
    rs.inv.resize(idx(w));
    rs.lse.resize(idx(w));
    for (std::int64_t i = 0; i < w; ++i) {
        // Every row sees at least its own position, so z >= 1.
        rs.inv[idx(i)] = static_cast<float>(1.0 / z[idx(i)]);
        rs.lse[idx(i)] = static_cast<double>(rs.max[idx(i)]) + std::log(z[idx(i)]);
    }
    return rs;
}

}  // namespace

void validate_window_stats_args(const WindowStatsArgs& a) {
    auto fail = [](const char* what) {
        throw std::invalid_argument(std::string("window_stats: ") + what);
    };
    if (a.n_kv_heads < 1 || a.n_q_heads < a.n_kv_heads || a.n_q_heads % a.n_kv_heads != 0)
        fail("n_q_heads must be a positive multiple of n_kv_heads");
    if (a.head_dim < 1 || a.k_row_stride < a.head_dim || a.k_head_stride < 0)
        fail("bad head_dim or key strides");
    if (a.prompt < 1 || a.window < 1 || a.window > a.prompt) fail("need 1 <= window <= prompt");
    if (a.selectable < 0 || a.selectable > a.prompt) fail("need 0 <= selectable <= prompt");
    if (a.pool < 1 || a.sliding_window < 0) fail("bad pool or sliding_window");
    if (a.q == nullptr || a.k == nullptr || a.entropy == nullptr || a.variance == nullptr)
        fail("null input or statistics pointer");
    if (a.selectable > 0 && (a.scores == nullptr || a.scores_stride < a.selectable))
        fail("null scores or scores_stride < selectable");
}

void window_stats_cpu(const WindowStatsArgs& a) {
    validate_window_stats_args(a);
    const std::int64_t w = a.window, p = a.selectable, d = a.head_dim;
    const std::int64_t group = a.n_q_heads / a.n_kv_heads;
    const bool cake = a.selector == WindowSelector::Cake;
    const float gamma = static_cast<float>(a.gamma);
    double entropy = 0.0, variance = 0.0;

    std::vector<float> tile(idx(kKeyTile)), kt(idx(kKeyTile * d));
    std::vector<double> sum(idx(p)), sumsq(idx(p));
    std::vector<float> per_head(idx(group * p));  // indicator (CAKE) or window mean (SNAP)
    std::vector<float> pooled(idx(p)), group_row(idx(p));

    for (std::int64_t g = 0; g < a.n_kv_heads; ++g) {
        const float* kg = a.k + g * a.k_head_stride;
        for (std::int64_t hh = 0; hh < group; ++hh) {
            const float* qh = a.q + (g * group + hh) * w * d;
            const RowStats rs = row_stats(a, qh, kg, kt, tile);
            std::fill(sum.begin(), sum.end(), 0.0);
            std::fill(sumsq.begin(), sumsq.end(), 0.0);
            // Pass 2: probabilities of the selectable columns (not renormalised).
            for (std::int64_t j0 = 0; j0 < p; j0 += kKeyTile) {
                const std::int64_t j1 = std::min(p, j0 + kKeyTile);
                if (tile_masked(a, j1)) continue;
                load_key_tile(a, kg, j0, j1, kt);
                for (std::int64_t i = 0; i < w; ++i) {
                    const Visible vis = visible_keys(a.prompt - w + i, a.sliding_window);
                    if (j1 <= vis.lo || j0 > vis.hi) continue;
                    row_logits(a, qh + i * d, kt, vis, j0, j1, tile.data());
                    const float m = rs.max[idx(i)], inv = rs.inv[idx(i)];
                    for (std::int64_t t = 0; t < j1 - j0; ++t) {
                        const float l = tile[idx(t)];
                        if (l == kNegInf) continue;
                        const float prob = std::exp(l - m) * inv;
                        const double x = prob;
                        sum[idx(j0 + t)] += x;
                        sumsq[idx(j0 + t)] += x * x;
                        // -A log A with log A = l - lse; underflowed probabilities add nothing.
                        if (a.with_entropy && prob > 0.0f)
                            entropy += x * (rs.lse[idx(i)] - static_cast<double>(l));
                    }
                }
            }
            float* ph = per_head.data() + hh * p;
            for (std::int64_t j = 0; j < p; ++j) {
                const double s1 = sum[idx(j)];
                const double mean = s1 / static_cast<double>(w);
                const double var =
                    w > 1 ? std::max(0.0, (sumsq[idx(j)] - s1 * mean) / static_cast<double>(w - 1))
                          : 0.0;
                variance += var;
                const float mf = static_cast<float>(mean);
                if (cake) {
                    const float weighted = gamma * static_cast<float>(var);
                    ph[j] = mf + weighted;
                } else {
                    ph[j] = mf;
                }
            }
        }

        if (a.per_query_head) {
            for (std::int64_t hh = 0; hh < group; ++hh)
                pool_row(per_head.data() + hh * p, p, a.pool, !cake,
                         a.scores + (g * group + hh) * a.scores_stride);
            continue;
        }
        float* out = a.scores + g * a.scores_stride;
        if (cake) {
            // Pool each query head's indicator, then average over the group.
            std::fill(group_row.begin(), group_row.end(), 0.0f);
            for (std::int64_t hh = 0; hh < group; ++hh) {
                pool_row(per_head.data() + hh * p, p, a.pool, false, pooled.data());
                for (std::int64_t j = 0; j < p; ++j)
                    group_row[idx(j)] += pooled[idx(j)] / static_cast<float>(group);
            }
            std::copy(group_row.begin(), group_row.end(), out);
        } else {
            // Average the window means over the group, then max pool.
            for (std::int64_t j = 0; j < p; ++j) {
                float s = 0.0f;
                for (std::int64_t hh = 0; hh < group; ++hh) s += per_head[idx(hh * p + j)];
                group_row[idx(j)] = s / static_cast<float>(group);
            }
            pool_row(group_row.data(), p, a.pool, true, out);
        }
    }
    *a.entropy = a.with_entropy ? entropy : std::nan("");
    *a.variance = variance;
}

}  // namespace hace::kernels
