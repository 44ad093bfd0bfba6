#include "engine/eval/metrics/consistency.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "engine/core/error.h"
#include "engine/eval/metrics/rouge_l.h"

namespace hace::metrics {
namespace {

// log softmax of one row, in double.
std::vector<double> log_softmax(std::span<const float> logits, const char* which) {
    double max_logit = -std::numeric_limits<double>::infinity();
    for (const float v : logits) {
        if (std::isnan(v) || v == std::numeric_limits<float>::infinity()) {
            throw InputError(std::string("KL divergence: ") + which +
                             " logits contain NaN or +infinity");
        }
        max_logit = std::max(max_logit, static_cast<double>(v));
    }
    if (std::isinf(max_logit)) {
        throw InputError(std::string("KL divergence: ") + which + " logits are all -infinity");
    }
    double sum = 0.0;
    for (const float v : logits) sum += std::exp(static_cast<double>(v) - max_logit);
    const double log_z = max_logit + std::log(sum);
    std::vector<double> out(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) out[i] = static_cast<double>(logits[i]) - log_z;
    return out;
}

}  // namespace

double token_agreement_rate(std::span<const std::int32_t> full,
                            std::span<const std::int32_t> compressed) {
    const std::size_t longest = std::max(full.size(), compressed.size());
    if (longest == 0) return 1.0;
    const std::size_t common = std::min(full.size(), compressed.size());
    std::size_t agree = 0;
    for (std::size_t i = 0; i < common; ++i) agree += full[i] == compressed[i] ? 1 : 0;
    return static_cast<double>(agree) / static_cast<double>(longest);
}

std::int64_t first_divergence_step(std::span<const std::int32_t> full,
                                   std::span<const std::int32_t> compressed) {
    const std::size_t common = std::min(full.size(), compressed.size());
    for (std::size_t i = 0; i < common; ++i) {
        if (full[i] != compressed[i]) return static_cast<std::int64_t>(i);
    }
    if (full.size() != compressed.size()) return static_cast<std::int64_t>(common);
    return -1;
}

double output_rouge_l(std::string_view compressed_text, std::string_view full_text) {
    return rouge_l(compressed_text, full_text);
}

double kl_divergence_from_logits(std::span<const float> full_logits,
                                 std::span<const float> compressed_logits) {
    if (full_logits.size() != compressed_logits.size()) {
        throw InputError("KL divergence: vocabulary sizes differ (full " +
                         std::to_string(full_logits.size()) + ", compressed " +
                         std::to_string(compressed_logits.size()) + ")");
    }
    if (full_logits.empty()) throw InputError("KL divergence: empty logits");
    const auto log_p = log_softmax(full_logits, "full");
    const auto log_q = log_softmax(compressed_logits, "compressed");
    double kl = 0.0;
    for (std::size_t i = 0; i < log_p.size(); ++i) {
        const double p = std::exp(log_p[i]);
        if (p == 0.0) continue;
        kl += p * (log_p[i] - log_q[i]);
    }
    return std::max(kl, 0.0);
}

std::optional<double> mean_kl_from_logits(const std::vector<std::vector<float>>& full_steps,
                                          const std::vector<std::vector<float>>& compressed_steps) {
    const std::size_t steps = std::min(full_steps.size(), compressed_steps.size());
    if (steps == 0) return std::nullopt;
    double total = 0.0;
    for (std::size_t t = 0; t < steps; ++t) {
        total += kl_divergence_from_logits(full_steps[t], compressed_steps[t]);
    }
    return total / static_cast<double>(steps);
}

std::optional<double> mean_kl_from_logits(std::span<const float> full, std::size_t full_steps,
                                          std::span<const float> compressed,
                                          std::size_t compressed_steps, std::size_t vocab) {
    if (full.size() != full_steps * vocab || compressed.size() != compressed_steps * vocab) {
        throw InputError("KL divergence: logits buffer size is not steps x vocab");
    }
    const std::size_t steps = std::min(full_steps, compressed_steps);
    if (steps == 0) return std::nullopt;
    double total = 0.0;
    for (std::size_t t = 0; t < steps; ++t) {
        total += kl_divergence_from_logits(full.subspan(t * vocab, vocab),
                                           compressed.subspan(t * vocab, vocab));
    }
    return total / static_cast<double>(steps);
}

}  // namespace hace::metrics
