// token_f1 follows LongBench metrics.f1_score operation by operation so the doubles agree exactly.
#include "engine/eval/metrics/qa_scores.h"

#include <algorithm>
#include <map>

#include "engine/eval/metrics/answer_normalization.h"

namespace hace::metrics {

double token_f1(const std::vector<std::string>& prediction,
                const std::vector<std::string>& reference) {
    std::map<std::string_view, long> counts;
    for (const auto& t : reference) ++counts[t];
    long common = 0;
    for (const auto& t : prediction) {
        auto it = counts.find(t);
        if (it != counts.end() && it->second > 0) {
            --it->second;
            ++common;
        }
    }
    if (common == 0) return 0.0;
    const double precision =
        1.0 * static_cast<double>(common) / static_cast<double>(prediction.size());
    const double recall = 1.0 * static_cast<double>(common) / static_cast<double>(reference.size());
    return (2 * precision * recall) / (precision + recall);
}

double qa_f1(std::string_view prediction, std::string_view reference) {
    return token_f1(answer_tokens(prediction), answer_tokens(reference));
}

double qa_f1_zh(std::string_view prediction, std::string_view reference) {
    return token_f1(zh_answer_tokens(prediction), zh_answer_tokens(reference));
}

double exact_match(std::string_view prediction, std::string_view reference) {
    return normalize_answer(prediction) == normalize_answer(reference) ? 1.0 : 0.0;
}

}  // namespace hace::metrics
