#include <map>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/model/sampler.h"

namespace hace::model {
namespace {

TEST(Sampler, GreedyPicksTheFirstMaximum) {
    const std::vector<float> logits = {0.5f, 2.0f, -1.0f, 2.0f};
    EXPECT_EQ(argmax(logits), 1);
    Sampler s({});
    EXPECT_EQ(s.next(logits), 1);
}

TEST(Sampler, TopKOneIsGreedy) {
    const std::vector<float> logits = {0.1f, 0.3f, 3.0f, 0.2f};
    Sampler s({1.0, 1, 1.0, 123});
    for (int i = 0; i < 20; ++i) EXPECT_EQ(s.next(logits), 2);
}

TEST(Sampler, TopPKeepsTheSmallestNucleus) {
    // Probabilities (T=1): ~0.665, 0.245, 0.090 -> top_p 0.7 keeps ids 0 and 1 only.
    const std::vector<float> logits = {2.0f, 1.0f, 0.0f};
    Sampler s({1.0, 0, 0.7, 5});
    std::map<int, int> counts;
    for (int i = 0; i < 2000; ++i) counts[s.next(logits)]++;
    EXPECT_EQ(counts.count(2), 0u);
    EXPECT_GT(counts[1], 300);  // ~27% of draws after renormalising 0.665 : 0.245
    EXPECT_GT(counts[0], 1200);
}

TEST(Sampler, FrequenciesFollowTheSoftmax) {
    const std::vector<float> logits = {0.0f, std::log(3.0f)};  // p = 0.25, 0.75
    Sampler s({1.0, 0, 1.0, 99});
    int ones = 0;
    for (int i = 0; i < 8000; ++i) ones += s.next(logits) == 1;
    EXPECT_NEAR(ones / 8000.0, 0.75, 0.03);
}

TEST(Sampler, RejectsBadParameters) {
    EXPECT_THROW(Sampler({-1.0, 0, 1.0, 0}), InputError);
    EXPECT_THROW(Sampler({1.0, -2, 1.0, 0}), InputError);
    EXPECT_THROW(Sampler({1.0, 0, 0.0, 0}), InputError);
    EXPECT_THROW(Sampler({1.0, 0, 1.5, 0}), InputError);
}

}  // namespace
}  // namespace hace::model
