// Every pair of shared/data/scorer-vectors/longbench_scores.jsonl, scored by the official Python
// code (LongBench qa_f1_score and rouge_score, rouge_score's ROUGE-1 with stemming), must come out
// of the C++ scorers within 1e-9, per answer and as the max over answers.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/eval/metrics/qa_scores.h"
#include "engine/eval/metrics/rouge1.h"
#include "engine/eval/metrics/rouge_l.h"
#include "engine/eval/metrics/scorer.h"
#include "tests/support/test_data.h"

namespace {

using hace::metrics::Metric;

constexpr double kTolerance = 1e-9;

struct Vector {
    int line = 0;
    nlohmann::json j;
};

std::vector<Vector> load_vectors() {
    const auto path = hace::test::shared_data() / "scorer-vectors/longbench_scores.jsonl";
    std::ifstream in(path);
    std::vector<Vector> out;
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
        ++line;
        if (!text.empty()) out.push_back({line, nlohmann::json::parse(text)});
    }
    return out;
}

double score_one(const std::string& metric, const std::string& prediction,
                 const std::string& answer) {
    if (metric == "qa_f1") return hace::metrics::qa_f1(prediction, answer);
    if (metric == "rouge_l") return hace::metrics::rouge_l(prediction, answer);
    return hace::metrics::rouge1_f(prediction, answer, true);
}

Metric metric_of(const std::string& field) {
    if (field == "qa_f1") return Metric::qa_f1;
    if (field == "rouge_l") return Metric::rouge_l;
    return Metric::rouge1;
}

void check_metric(const std::string& field) {
    const auto path = hace::test::shared_data() / "scorer-vectors/longbench_scores.jsonl";
    HACE_REQUIRE_PATH(path);
    const auto vectors = load_vectors();
    ASSERT_EQ(vectors.size(), 200u);
    int compared = 0;
    for (const auto& v : vectors) {
        const auto prediction = v.j.at("prediction").get<std::string>();
        const auto answers = v.j.at("answers").get<std::vector<std::string>>();
        const auto expected = v.j.at(field + "_per_answer").get<std::vector<double>>();
        ASSERT_EQ(expected.size(), answers.size()) << "line " << v.line;
        for (std::size_t a = 0; a < answers.size(); ++a) {
            EXPECT_NEAR(score_one(field, prediction, answers[a]), expected[a], kTolerance)
                << field << " line " << v.line << " answer " << a << " ("
                << v.j.at("category").get<std::string>() << ")";
            ++compared;
        }
        EXPECT_NEAR(hace::metrics::score_sample(metric_of(field), prediction, answers),
                    v.j.at(field).get<double>(), kTolerance)
            << field << " max, line " << v.line;
        ++compared;
    }
    EXPECT_GT(compared, 400);
}

TEST(ScorerVectors, QaF1MatchesLongBench) {
    check_metric("qa_f1");
}
TEST(ScorerVectors, RougeLMatchesLongBenchRouge) {
    check_metric("rouge_l");
}
TEST(ScorerVectors, Rouge1StemmedMatchesRougeScore) {
    check_metric("rouge1_f_stem");
}

}  // namespace
