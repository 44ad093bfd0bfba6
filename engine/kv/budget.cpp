#include "engine/kv/budget.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <tuple>

namespace hace::kv {

std::vector<std::int64_t> largest_remainder(const std::vector<double>& reals, std::int64_t total) {
    const std::size_t n = reals.size();
    std::vector<std::int64_t> out(n, 0);
    if (n == 0) return out;
    std::vector<double> frac(n);
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double r = std::max(0.0, reals[i]);
        out[i] = static_cast<std::int64_t>(std::floor(r));
        frac[i] = r - static_cast<double>(out[i]);
        sum += out[i];
    }
    std::int64_t rem = total - sum;
    if (rem > 0) {
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return frac[a] > frac[b]; });
        for (std::size_t k = 0; rem > 0; ++k, --rem) ++out[order[k % n]];
    }
    for (std::size_t i = n; rem < 0 && i-- > 0;) {
        const std::int64_t take = std::min(out[i], -rem);
        out[i] -= take;
        rem += take;
    }
    return out;
}

std::vector<std::int64_t> integerise_capped(const std::vector<double>& reals, std::int64_t total,
                                            std::int64_t cap, const std::vector<double>& weights) {
    const std::size_t n = reals.size();
    if (total > cap * static_cast<std::int64_t>(n)) {
        throw std::logic_error("integerise_capped: total exceeds the sum of the caps");
    }
    std::vector<std::int64_t> out = largest_remainder(reals, total);
    for (;;) {
        std::int64_t excess = 0;
        for (auto& v : out) {
            if (v > cap) {
                excess += v - cap;
                v = cap;
            }
        }
        if (excess == 0) return out;
        std::vector<double> share(n, 0.0);
        double wsum = 0.0;
        std::size_t open = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (out[i] < cap) {
                wsum += std::max(0.0, weights.at(i));
                ++open;
            }
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (out[i] >= cap) continue;
            share[i] = wsum > 0.0 ? excess * std::max(0.0, weights[i]) / wsum
                                  : static_cast<double>(excess) / static_cast<double>(open);
        }
        const auto add = largest_remainder(share, excess);
        for (std::size_t i = 0; i < n; ++i) out[i] += add[i];
    }
}

std::vector<double> stage1_uniform(std::int64_t layers, std::int64_t heads, std::int64_t b) {
    return std::vector<double>(static_cast<std::size_t>(layers), static_cast<double>(heads * b));
}

std::vector<double> stage1_pyramid(std::int64_t layers, std::int64_t heads, std::int64_t b,
                                   std::int64_t selectable, double beta) {
    double lo = static_cast<double>(b) / beta;
    double hi = 2.0 * static_cast<double>(b) - lo;
    if (hi >= static_cast<double>(selectable)) {
        hi = static_cast<double>(selectable);
        lo = 2.0 * static_cast<double>(b) - hi;
    }
    std::vector<double> out(static_cast<std::size_t>(layers));
    const double step = layers > 1 ? (hi - lo) / static_cast<double>(layers - 1) : 0.0;
    for (std::int64_t l = 0; l < layers; ++l) {
        const double bl = layers > 1 ? hi - static_cast<double>(l) * step : static_cast<double>(b);
        out[static_cast<std::size_t>(l)] = static_cast<double>(heads) * bl;
    }
    return out;
}

std::vector<double> stage1_cake(const std::vector<double>& preferences, std::int64_t total) {
    double sum = 0.0;
    bool finite = true;
    for (double p : preferences) {
        finite = finite && std::isfinite(p) && p >= 0.0;
        sum += p;
    }
    const auto n = static_cast<double>(preferences.size());
    std::vector<double> out(preferences.size());
    for (std::size_t i = 0; i < preferences.size(); ++i) {
        out[i] = (finite && sum > 0.0) ? static_cast<double>(total) * preferences[i] / sum
                                       : static_cast<double>(total) / n;
    }
    return out;
}

std::int64_t headkv_pool(std::int64_t b, double beta) {
    return static_cast<std::int64_t>(std::floor(static_cast<double>(b) / beta));
}

std::vector<double> stage1_headkv_implied(const std::vector<std::vector<double>>& scores,
                                          std::int64_t b, double beta) {
    const auto layers = static_cast<std::int64_t>(scores.size());
    const auto heads = layers ? static_cast<std::int64_t>(scores[0].size()) : 0;
    const std::int64_t p = headkv_pool(b, beta);
    const std::int64_t m = b - p;
    std::vector<double> out(scores.size());
    for (std::size_t l = 0; l < scores.size(); ++l) {
        const double s_l = std::accumulate(scores[l].begin(), scores[l].end(), 0.0);
        out[l] = static_cast<double>(heads * m) +
                 s_l * static_cast<double>(p) * static_cast<double>(layers * heads);
    }
    return out;
}

std::vector<double> stage2_uniform(std::int64_t layer_total, std::int64_t heads) {
    return std::vector<double>(static_cast<std::size_t>(heads),
                               static_cast<double>(layer_total) / static_cast<double>(heads));
}

std::vector<double> stage2_headkv(std::int64_t layer_total, const std::vector<double>& layer_scores,
                                  std::int64_t m) {
    const auto heads = static_cast<std::int64_t>(layer_scores.size());
    const double s_l = std::accumulate(layer_scores.begin(), layer_scores.end(), 0.0);
    if (!(s_l > 0.0)) return stage2_uniform(layer_total, heads);
    const std::int64_t m_l = std::min(m, layer_total / heads);
    const double pool = static_cast<double>(layer_total - heads * m_l);
    std::vector<double> out(layer_scores.size());
    for (std::size_t h = 0; h < out.size(); ++h) {
        out[h] = static_cast<double>(m_l) + layer_scores[h] / s_l * pool;
    }
    return out;
}

std::vector<double> stage2_ada(std::int64_t layer_total,
                               const std::vector<std::vector<float>>& head_scores, double alpha) {
    const std::size_t heads = head_scores.size();
    // (score, position, head): higher score first, then the smaller position, then lower head.
    std::vector<std::tuple<float, std::int64_t, std::size_t>> all;
    for (std::size_t h = 0; h < heads; ++h) {
        for (std::size_t j = 0; j < head_scores[h].size(); ++j) {
            all.emplace_back(head_scores[h][j], static_cast<std::int64_t>(j), h);
        }
    }
    const auto take = std::min<std::size_t>(static_cast<std::size_t>(std::max<std::int64_t>(0, layer_total)), all.size());
    auto better = [](const auto& a, const auto& b) {
        if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
        if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
        return std::get<2>(a) < std::get<2>(b);
    };
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(take), all.end(), better);
    std::vector<double> counts(heads, 0.0);
    for (std::size_t k = 0; k < take; ++k) counts[std::get<2>(all[k])] += 1.0;
    const double floor_share = alpha * static_cast<double>(layer_total) / static_cast<double>(heads);
    for (auto& c : counts) c = (1.0 - alpha) * c + floor_share;
    return counts;
}

}  // namespace hace::kv
