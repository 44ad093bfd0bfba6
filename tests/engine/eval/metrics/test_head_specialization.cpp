// Head Specialization Score: normalised-entropy score and Gini coefficient on hand-computed layers.
#include <cmath>

#include <gtest/gtest.h>

#include "engine/eval/metrics/head_specialization.h"
#include "tests/support/expect_input_error.h"

namespace {

using namespace hace::metrics;
using Values = std::vector<double>;

TEST(HeadSpecialization, UniformLayerScoresZero) {
    const auto s = head_specialization(Values{3, 3, 3, 3});
    EXPECT_NEAR(s.entropy_score, 0.0, 1e-12);
    EXPECT_NEAR(s.gini, 0.0, 1e-12);
}

TEST(HeadSpecialization, OneHeadHoldingEverythingScoresOne) {
    const auto s = head_specialization(Values{0, 0, 5, 0});
    EXPECT_DOUBLE_EQ(s.entropy_score, 1.0);
    EXPECT_DOUBLE_EQ(s.gini, 3.0 / 4.0);  // (H - 1) / H
}

TEST(HeadSpecialization, TwoUnequalHeads) {
    // p = (1/4, 3/4): H = -(1/4 ln 1/4 + 3/4 ln 3/4), score = 1 - H / ln 2.
    const double entropy = -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
    const auto s = head_specialization(Values{1, 3});
    EXPECT_NEAR(s.entropy_score, 1.0 - entropy / std::log(2.0), 1e-12);
    // sum |xi - xj| = 4 over ordered pairs, / (2 * 2^2 * mean 2) = 1/4.
    EXPECT_NEAR(s.gini, 0.25, 1e-12);
}

TEST(HeadSpecialization, DegenerateLayersScoreZero) {
    const auto single = head_specialization(Values{7});
    EXPECT_EQ(single.entropy_score, 0.0);
    EXPECT_EQ(single.gini, 0.0);
    const auto zeros = head_specialization(Values{0, 0, 0});
    EXPECT_EQ(zeros.entropy_score, 0.0);
    EXPECT_EQ(zeros.gini, 0.0);
}

TEST(HeadSpecialization, ModelMeanOverLayers) {
    const auto m = model_specialization({{1, 1}, {0, 5}});
    ASSERT_EQ(m.layers.size(), 2u);
    EXPECT_NEAR(m.mean_entropy_score, 0.5, 1e-12);  // (0 + 1) / 2
    EXPECT_NEAR(m.mean_gini, 0.25, 1e-12);          // (0 + 1/2) / 2
}

TEST(HeadSpecialization, RejectsBadValues) {
    hace::test::expect_input_error([] { head_specialization(Values{}); }, {"no head values"});
    hace::test::expect_input_error([] { head_specialization(Values{1, -1}); }, {">= 0"});
    hace::test::expect_input_error(
        [] {
            model_specialization({{1, 2}, {1, NAN}});
        },
        {"layer 1", "finite"});
    hace::test::expect_input_error([] { model_specialization({}); }, {"no layers"});
}

}  // namespace
