// One table of the answer metrics, by their CLI names, and the per-sample score over several
// references (LongBench eval.py: score = max over the answers, starting from 0).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hace::metrics {

enum class Metric {
    qa_f1,           // qa_scores.h qa_f1
    qa_f1_zh,        // qa_scores.h qa_f1_zh (jieba-free)
    rouge_l,         // rouge_l.h
    rouge1,          // rouge1.h rouge1_f with stemming (0..1, not x10)
    exact_match,     // qa_scores.h exact_match; CLI name "em"
    keyword_recall,  // keyword_recall.h; the needle is the first reference
};

// "qa_f1", "qa_f1_zh", "rouge_l", "rouge1", "em", "keyword_recall".
std::string_view metric_name(Metric metric);
std::optional<Metric> metric_from_name(std::string_view name);
const std::vector<Metric>& all_metrics();

// One sample's score. keyword_recall scores against references[0] (the needle); every other
// metric takes the maximum over the references, starting from 0. Throws InputError when
// references is empty.
double score_sample(Metric metric, std::string_view prediction,
                    const std::vector<std::string>& references);

}  // namespace hace::metrics
