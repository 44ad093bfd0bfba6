#include "engine/eval/metrics/scorer.h"

#include <algorithm>
#include <array>
#include <utility>

#include "engine/core/error.h"
#include "engine/eval/metrics/keyword_recall.h"
#include "engine/eval/metrics/qa_scores.h"
#include "engine/eval/metrics/rouge1.h"
#include "engine/eval/metrics/rouge_l.h"

namespace hace::metrics {
namespace {

constexpr std::array<std::pair<Metric, std::string_view>, 6> kNames = {{
    {Metric::qa_f1, "qa_f1"},
    {Metric::qa_f1_zh, "qa_f1_zh"},
    {Metric::rouge_l, "rouge_l"},
    {Metric::rouge1, "rouge1"},
    {Metric::exact_match, "em"},
    {Metric::keyword_recall, "keyword_recall"},
}};

double score_pair(Metric metric, std::string_view prediction, std::string_view reference) {
    switch (metric) {
        case Metric::qa_f1:
            return qa_f1(prediction, reference);
        case Metric::qa_f1_zh:
            return qa_f1_zh(prediction, reference);
        case Metric::rouge_l:
            return rouge_l(prediction, reference);
        case Metric::rouge1:
            return rouge1_f(prediction, reference, true);
        case Metric::exact_match:
            return exact_match(prediction, reference);
        case Metric::keyword_recall:
            return keyword_recall(prediction, reference);
    }
    return 0.0;
}

}  // namespace

std::string_view metric_name(Metric metric) {
    for (const auto& [m, name] : kNames) {
        if (m == metric) return name;
    }
    return "unknown";
}

std::optional<Metric> metric_from_name(std::string_view name) {
    for (const auto& [m, n] : kNames) {
        if (n == name) return m;
    }
    return std::nullopt;
}

const std::vector<Metric>& all_metrics() {
    static const std::vector<Metric> metrics = [] {
        std::vector<Metric> out;
        for (const auto& entry : kNames) out.push_back(entry.first);
        return out;
    }();
    return metrics;
}

double score_sample(Metric metric, std::string_view prediction,
                    const std::vector<std::string>& references) {
    if (references.empty()) {
        throw InputError(std::string(metric_name(metric)) + ": a sample has no reference answer");
    }
    if (metric == Metric::keyword_recall) return keyword_recall(prediction, references.front());
    double best = 0.0;
    for (const auto& reference : references) {
        best = std::max(best, score_pair(metric, prediction, reference));
    }
    return best;
}

}  // namespace hace::metrics
