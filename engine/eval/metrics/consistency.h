// How closely a compressed-cache generation follows the full-cache generation of the same prompt:
// token agreement, first divergence, ROUGE-L of the texts, and the mean KL divergence of the
// next-token distributions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hace::metrics {

// (number of positions i < min(|full|, |compressed|) where full[i] == compressed[i]) divided by
// max(|full|, |compressed|); 1 when both are empty. Positions are compared as they stand, with no
// re-alignment after a divergence, and tokens one output has beyond the other's end count as
// disagreements. Symmetric; in 0..1.
double token_agreement_rate(std::span<const std::int32_t> full,
                            std::span<const std::int32_t> compressed);

// The first step (0-based) where the two outputs differ: the first unequal position, or the
// shorter length when one output is a strict prefix of the other; -1 when they are identical.
std::int64_t first_divergence_step(std::span<const std::int32_t> full,
                                   std::span<const std::int32_t> compressed);

// ROUGE-L (rouge_l.h, the `rouge` package's F) of the compressed output text as prediction
// against the full-cache output text as reference; 0 when either has no sentence.
double output_rouge_l(std::string_view compressed_text, std::string_view full_text);

// KL(P_full || P_compressed) in nats for one step, where P = softmax(logits) computed in double
// with the maximum subtracted (log-sum-exp). Terms with P_full = 0 contribute 0; a token with
// P_full > 0 and P_compressed = 0 makes it +infinity. Rounding can make a near-zero divergence
// come out slightly negative; it is clamped at 0. Throws InputError on different vocabulary
// sizes, an empty vocabulary, NaN or +infinity logits, or an all -infinity row.
double kl_divergence_from_logits(std::span<const float> full_logits,
                                 std::span<const float> compressed_logits);

// Mean of kl_divergence_from_logits over the steps both runs have (the first
// min(|full|, |compressed|) steps); std::nullopt when there is none. Each inner vector is one
// step's logits over the vocabulary.
std::optional<double> mean_kl_from_logits(const std::vector<std::vector<float>>& full_steps,
                                          const std::vector<std::vector<float>>& compressed_steps);
// The same for row-major [steps, vocab] buffers.
std::optional<double> mean_kl_from_logits(std::span<const float> full, std::size_t full_steps,
                                          std::span<const float> compressed,
                                          std::size_t compressed_steps, std::size_t vocab);

}  // namespace hace::metrics
