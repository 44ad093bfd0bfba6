#include "engine/eval/metrics/head_specialization.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/core/error.h"

namespace hace::metrics {

HeadSpecialization head_specialization(std::span<const double> per_head) {
    if (per_head.empty()) throw InputError("head specialization: no head values");
    double sum = 0.0;
    for (const double v : per_head) {
        if (!std::isfinite(v) || v < 0.0) {
            throw InputError("head specialization: head values must be finite and >= 0, got " +
                             std::to_string(v));
        }
        sum += v;
    }
    HeadSpecialization out;
    const auto n = static_cast<double>(per_head.size());
    if (sum == 0.0) return out;
    if (per_head.size() > 1) {
        double entropy = 0.0;
        for (const double v : per_head) {
            const double p = v / sum;
            if (p > 0.0) entropy -= p * std::log(p);
        }
        out.entropy_score = std::clamp(1.0 - entropy / std::log(n), 0.0, 1.0);
    }
    std::vector<double> sorted(per_head.begin(), per_head.end());
    std::sort(sorted.begin(), sorted.end());
    double weighted = 0.0;
    for (std::size_t k = 0; k < sorted.size(); ++k) {
        weighted += (2.0 * static_cast<double>(k + 1) - n - 1.0) * sorted[k];
    }
    out.gini = std::max(0.0, weighted / (n * sum));
    return out;
}

ModelSpecialization model_specialization(const std::vector<std::vector<double>>& per_layer) {
    if (per_layer.empty()) throw InputError("head specialization: no layers");
    ModelSpecialization out;
    for (std::size_t l = 0; l < per_layer.size(); ++l) {
        try {
            out.layers.push_back(head_specialization(per_layer[l]));
        } catch (const InputError& e) {
            throw InputError("layer " + std::to_string(l) + ": " + e.what());
        }
        out.mean_entropy_score += out.layers.back().entropy_score;
        out.mean_gini += out.layers.back().gini;
    }
    out.mean_entropy_score /= static_cast<double>(per_layer.size());
    out.mean_gini /= static_cast<double>(per_layer.size());
    return out;
}

}  // namespace hace::metrics
