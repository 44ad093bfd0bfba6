// Python round, LongBench dataset scores and accuracy.
#include <gtest/gtest.h>

#include "engine/eval/metrics/score_aggregation.h"
#include "tests/support/expect_input_error.h"

namespace {

using namespace hace::metrics;

TEST(PythonRound, ExactTiesGoToEvenOthersFollowTheBinaryValue) {
    EXPECT_EQ(python_round(0.125, 2), 0.12);  // exact tie, 2 is even
    EXPECT_EQ(python_round(0.375, 2), 0.38);  // exact tie, 8 is even
    EXPECT_EQ(python_round(2.675, 2), 2.67);  // stored as 2.67499999...
    EXPECT_EQ(python_round(1.005, 2), 1.0);   // stored as 1.00499999...
    EXPECT_EQ(python_round(-0.125, 2), -0.12);
    EXPECT_EQ(python_round(2.5, 0), 2.0);
    EXPECT_EQ(python_round(3.5, 0), 4.0);
    EXPECT_EQ(python_round(33.333333333333336, 2), 33.33);
    hace::test::expect_input_error([] { python_round(1.0, 16); }, {"ndigits"});
}

TEST(LongBenchDatasetScore, RoundsOneHundredTimesTheMeanToTwoDecimals) {
    EXPECT_EQ(longbench_dataset_score(std::vector<double>{1.0, 0.0, 0.0}), 33.33);
    EXPECT_EQ(longbench_dataset_score(std::vector<double>{0.8, 0.6}), 70.0);
    // 25 samples summing to 3.03125: 100 * 3.03125 / 25 = 12.125 exactly, an exact tie that
    // Python rounds to 12.12 (round half up would give 12.13).
    std::vector<double> scores = {1.0, 1.0, 1.0, 0.03125};
    scores.resize(25, 0.0);
    EXPECT_EQ(longbench_dataset_score(scores), 12.12);
    hace::test::expect_input_error([] { longbench_dataset_score(std::vector<double>{}); },
                                   {"no samples"});
}

TEST(Accuracy, FractionAtOrAboveTheThreshold) {
    const std::vector<double> scores = {1.0, 0.5, 1.0, 0.0};
    EXPECT_DOUBLE_EQ(accuracy(scores), 0.5);
    EXPECT_DOUBLE_EQ(accuracy(scores, 0.5), 0.75);
    hace::test::expect_input_error([] { accuracy(std::vector<double>{}); }, {"no samples"});
}

}  // namespace
