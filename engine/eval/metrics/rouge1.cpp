// rouge_score tokenize.tokenize + rouge_scorer._score_ngrams for n = 1, in its operation order.
#include "engine/eval/metrics/rouge1.h"

#include <algorithm>
#include <map>

#include "engine/eval/metrics/porter_stemmer.h"
#include "engine/eval/metrics/python_text.h"

namespace hace::metrics {
namespace {

bool is_token_char(char32_t c) {
    return (c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9');
}

}  // namespace

std::vector<std::string> rouge_tokens(std::string_view text, bool stem) {
    const std::u32string lowered = pytext::lower(pytext::decode_utf8(text));
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < lowered.size()) {
        if (!is_token_char(lowered[i])) {
            ++i;
            continue;
        }
        std::string token;
        while (i < lowered.size() && is_token_char(lowered[i])) {
            token.push_back(static_cast<char>(lowered[i++]));
        }
        if (stem && token.size() > 3) token = porter_stem(token);
        if (!token.empty()) tokens.push_back(std::move(token));
    }
    return tokens;
}

double rouge1_f(std::string_view prediction, std::string_view reference, bool stem) {
    const auto pred = rouge_tokens(prediction, stem);
    const auto ref = rouge_tokens(reference, stem);
    std::map<std::string_view, long> pred_counts;
    std::map<std::string_view, long> ref_counts;
    for (const auto& t : pred) ++pred_counts[t];
    for (const auto& t : ref) ++ref_counts[t];
    long overlap = 0;
    for (const auto& [token, count] : ref_counts) {
        auto it = pred_counts.find(token);
        if (it != pred_counts.end()) overlap += std::min(count, it->second);
    }
    const double precision =
        static_cast<double>(overlap) / static_cast<double>(std::max<std::size_t>(pred.size(), 1));
    const double recall =
        static_cast<double>(overlap) / static_cast<double>(std::max<std::size_t>(ref.size(), 1));
    if (precision + recall > 0) return 2 * precision * recall / (precision + recall);
    return 0.0;
}

double niah_rouge1_score(std::string_view response, std::string_view needle) {
    return 10.0 * rouge1_f(response, needle, true);
}

}  // namespace hace::metrics
