#include "engine/model/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "engine/core/error.h"

namespace hace::model {

std::int32_t argmax(std::span<const float> logits) {
    std::int32_t best = 0;
    for (std::size_t i = 1; i < logits.size(); ++i) {
        if (logits[i] > logits[static_cast<std::size_t>(best)]) best = static_cast<std::int32_t>(i);
    }
    return best;
}

Sampler::Sampler(const SamplingParams& p) : p_(p), rng_(p.seed) {
    if (p.temperature < 0.0 || !std::isfinite(p.temperature)) {
        throw InputError("temperature must be >= 0, got " + std::to_string(p.temperature));
    }
    if (p.top_k < 0) throw InputError("top-k must be >= 0, got " + std::to_string(p.top_k));
    if (!(p.top_p > 0.0 && p.top_p <= 1.0)) {
        throw InputError("top-p must be in (0, 1], got " + std::to_string(p.top_p));
    }
}

std::int32_t Sampler::next(std::span<const float> logits) {
    if (p_.temperature == 0.0) return argmax(logits);

    // Candidates sorted by logit, descending; ties by id so the order is deterministic.
    std::vector<std::int32_t> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::int32_t a, std::int32_t b) { return logits[a] > logits[b]; });
    std::size_t keep = order.size();
    if (p_.top_k > 0) keep = std::min<std::size_t>(keep, static_cast<std::size_t>(p_.top_k));

    std::vector<double> probs(keep);
    const double top = logits[order[0]] / p_.temperature;
    double sum = 0.0;
    for (std::size_t i = 0; i < keep; ++i) {
        probs[i] = std::exp(logits[order[i]] / p_.temperature - top);
        sum += probs[i];
    }
    for (auto& q : probs) q /= sum;

    if (p_.top_p < 1.0) {
        // Nucleus: the smallest prefix whose mass reaches top_p (the token crossing it is kept).
        double cum = 0.0;
        std::size_t n = 0;
        while (n < keep) {
            cum += probs[n++];
            if (cum >= p_.top_p) break;
        }
        keep = n;
        probs.resize(keep);
        sum = std::accumulate(probs.begin(), probs.end(), 0.0);
        for (auto& q : probs) q /= sum;
    }

    // 53 random bits -> [0, 1); independent of the standard library's distribution classes so the
    // same seed gives the same tokens on every platform.
    const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    double cum = 0.0;
    for (std::size_t i = 0; i < keep; ++i) {
        cum += probs[i];
        if (u < cum) return order[i];
    }
    return order[keep - 1];
}

}  // namespace hace::model
