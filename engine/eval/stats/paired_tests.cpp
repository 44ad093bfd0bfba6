#include "engine/eval/stats/paired_tests.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "engine/eval/stats/random_stream.h"

namespace hace::stats {

PermutationResult sign_flip_test(std::span<const double> d, std::uint64_t seed,
                                 std::int64_t random_flips) {
    PermutationResult r;
    double observed = 0.0, scale = 0.0;
    for (const double v : d) {
        observed += v;
        scale += std::abs(v);
    }
    observed = std::abs(observed);
    if (d.empty() || scale == 0.0) {
        if (!d.empty() && d.size() <= static_cast<std::size_t>(kExactFlipLimit)) {
            r.flips = std::int64_t{1} << d.size();
        }
        return r;
    }
    // Sums within this of the observed one count as ties (float rounding of equal sums).
    const double threshold = observed - 1e-9 * scale;
    const std::size_t n = d.size();
    if (n <= static_cast<std::size_t>(kExactFlipLimit)) {
        const std::uint64_t total = std::uint64_t{1} << n;
        std::uint64_t hits = 0;
        for (std::uint64_t mask = 0; mask < total; ++mask) {
            double sum = 0.0;
            for (std::size_t i = 0; i < n; ++i) sum += (mask >> i) & 1 ? -d[i] : d[i];
            if (std::abs(sum) >= threshold) ++hits;
        }
        r.exact = true;
        r.flips = static_cast<std::int64_t>(total);
        r.p = static_cast<double>(hits) / static_cast<double>(total);
        return r;
    }
    if (random_flips < 1) throw std::invalid_argument("sign_flip_test: random_flips must be >= 1");
    RandomStream rng(seed);
    std::int64_t hits = 0;
    for (std::int64_t k = 0; k < random_flips; ++k) {
        double sum = 0.0;
        for (std::size_t i = 0; i < n; ++i) sum += rng.coin() ? -d[i] : d[i];
        if (std::abs(sum) >= threshold) ++hits;
    }
    r.exact = false;
    r.flips = random_flips;
    r.seed = seed;
    r.p = static_cast<double>(1 + hits) / static_cast<double>(1 + random_flips);
    return r;
}

std::vector<double> holm_adjust(std::span<const double> p) {
    const std::size_t m = p.size();
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    std::vector<double> adjusted(m);
    double running = 0.0;
    for (std::size_t j = 0; j < m; ++j) {
        const double v = std::min(1.0, static_cast<double>(m - j) * p[order[j]]);
        running = std::max(running, v);
        adjusted[order[j]] = running;
    }
    return adjusted;
}

std::optional<std::int64_t> samples_for_power(double sd, double effect, double alpha,
                                              double power) {
    if (!std::isfinite(sd) || !std::isfinite(effect) || effect == 0.0) return std::nullopt;
    if (!(alpha > 0.0 && alpha < 1.0) || !(power > 0.0 && power < 1.0)) {
        throw std::invalid_argument("samples_for_power: alpha and power must lie in (0, 1)");
    }
    if (sd == 0.0) return 1;
    const double z = normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power);
    const double n = std::pow(z * sd / effect, 2.0);
    // A hair below an integer is that integer (rounding in the quantiles).
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(n - 1e-9)));
}

double sample_sd(std::span<const double> v) {
    if (v.size() < 2) return 0.0;
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    double ss = 0.0;
    for (const double x : v) ss += (x - mean) * (x - mean);
    return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

}  // namespace hace::stats
