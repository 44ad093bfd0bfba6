#include "engine/eval/stats/intervals.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/eval/stats/random_stream.h"

namespace hace::stats {
namespace {

double normal_cdf(double x) {
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// Type-7 quantile of sorted values.
double quantile_sorted(const std::vector<double>& sorted, double q) {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    const double frac = pos - static_cast<double>(lo);
    return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

void check_level(double level) {
    if (!(level > 0.0 && level < 1.0)) {
        throw std::invalid_argument("confidence level must lie in (0, 1)");
    }
}

Interval percentile_interval(std::vector<double>& means, double level) {
    std::sort(means.begin(), means.end());
    const double tail = (1.0 - level) / 2.0;
    return {quantile_sorted(means, tail), quantile_sorted(means, 1.0 - tail)};
}

}  // namespace

double normal_quantile(double p) {
    if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("normal_quantile: p must lie in (0, 1)");
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < 200 && hi - lo > 0.0; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi) break;
        (normal_cdf(mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

Interval bootstrap_mean_ci(std::span<const double> values, double level, int resamples,
                           std::uint64_t seed) {
    if (values.empty()) throw std::invalid_argument("bootstrap_mean_ci: no values");
    if (resamples < 1) throw std::invalid_argument("bootstrap_mean_ci: resamples must be >= 1");
    check_level(level);
    const std::size_t n = values.size();
    RandomStream rng(seed);
    std::vector<double> means(static_cast<std::size_t>(resamples));
    for (auto& m : means) {
        double sum = 0.0;
        for (std::size_t i = 0; i < n; ++i) sum += values[rng.below(n)];
        m = sum / static_cast<double>(n);
    }
    return percentile_interval(means, level);
}

Interval wilson_interval(std::int64_t successes, std::int64_t n, double level) {
    if (n <= 0 || successes < 0 || successes > n) {
        throw std::invalid_argument("wilson_interval: need 0 <= successes <= n and n > 0");
    }
    check_level(level);
    const double z = normal_quantile(0.5 + level / 2.0);
    const double nn = static_cast<double>(n);
    const double p = static_cast<double>(successes) / nn;
    const double z2 = z * z;
    const double denom = 1.0 + z2 / nn;
    const double centre = (p + z2 / (2.0 * nn)) / denom;
    const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
    return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

Interval paired_bootstrap_ci(std::span<const double> a, std::span<const double> b, double level,
                             int resamples, std::uint64_t seed) {
    if (a.size() != b.size()) throw std::invalid_argument("paired_bootstrap_ci: unequal lengths");
    std::vector<double> d(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
    return bootstrap_mean_ci(d, level, resamples, seed);
}

}  // namespace hace::stats
