// Agreement with the full-cache generation: token agreement, first divergence, text ROUGE-L and
// the KL divergence of next-token distributions, on hand-computed cases.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "engine/eval/metrics/consistency.h"
#include "engine/eval/metrics/rouge_l.h"
#include "tests/support/expect_input_error.h"

namespace {

using namespace hace::metrics;
using Ids = std::vector<std::int32_t>;
using Rows = std::vector<std::vector<float>>;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

TEST(TokenAgreement, CountsAlignedMatchesOverTheLongerOutput) {
    EXPECT_DOUBLE_EQ(token_agreement_rate(Ids{1, 2, 3, 4}, Ids{1, 2, 5}), 2.0 / 4.0);
    EXPECT_DOUBLE_EQ(token_agreement_rate(Ids{1, 2, 5}, Ids{1, 2, 3, 4}), 2.0 / 4.0);
    EXPECT_DOUBLE_EQ(token_agreement_rate(Ids{7, 8}, Ids{7, 8}), 1.0);
    EXPECT_DOUBLE_EQ(token_agreement_rate(Ids{1, 2, 3}, Ids{0, 2, 3}),
                     2.0 / 3.0);  // no re-alignment
    EXPECT_DOUBLE_EQ(token_agreement_rate(Ids{}, Ids{}), 1.0);
    EXPECT_DOUBLE_EQ(token_agreement_rate(Ids{}, Ids{5}), 0.0);
}

TEST(FirstDivergence, FirstUnequalStepOrTheShorterLength) {
    EXPECT_EQ(first_divergence_step(Ids{1, 2, 3}, Ids{1, 2, 3}), -1);
    EXPECT_EQ(first_divergence_step(Ids{1, 9, 3}, Ids{1, 2, 3}), 1);
    EXPECT_EQ(first_divergence_step(Ids{1, 2, 3}, Ids{1, 2}), 2);
    EXPECT_EQ(first_divergence_step(Ids{}, Ids{4}), 0);
    EXPECT_EQ(first_divergence_step(Ids{}, Ids{}), -1);
}

TEST(OutputRougeL, IsTheRougeLOfCompressedAgainstFull) {
    EXPECT_DOUBLE_EQ(output_rouge_l("a b c", "a c"), rouge_l("a b c", "a c"));
    EXPECT_DOUBLE_EQ(output_rouge_l("same text", "same text"), 0.999999995);
}

TEST(KlDivergence, HandComputedDistributions) {
    // P = (1/2, 1/2), Q = (3/4, 1/4): KL = 1/2 ln(2/3) + 1/2 ln 2 = 1/2 ln(4/3).
    EXPECT_NEAR(
        kl_divergence_from_logits(std::vector<float>{0, 0}, std::vector<float>{std::log(3.0f), 0}),
        0.5 * std::log(4.0 / 3.0), 1e-7);
    EXPECT_EQ(kl_divergence_from_logits(std::vector<float>{1, 2, 3}, std::vector<float>{1, 2, 3}),
              0.0);
    // Softmax is shift-invariant.
    EXPECT_NEAR(kl_divergence_from_logits(std::vector<float>{1000, 1000},
                                          std::vector<float>{3 + std::log(3.0f), 3}),
                0.5 * std::log(4.0 / 3.0), 1e-6);
}

TEST(KlDivergence, StableForExtremeLogits) {
    // P ~ (1, e^-1000), Q ~ (e^-1000, 1): KL = 1000 nats, which naive exponentials lose.
    EXPECT_NEAR(kl_divergence_from_logits(std::vector<float>{1000, 0}, std::vector<float>{0, 1000}),
                1000.0, 1e-9);
    // P = (1, 0) against Q = (1/2, 1/2): ln 2; the masked token contributes nothing.
    EXPECT_NEAR(kl_divergence_from_logits(std::vector<float>{0, kNegInf}, std::vector<float>{0, 0}),
                std::log(2.0), 1e-12);
    // Q gives zero probability to a token P can emit.
    EXPECT_TRUE(std::isinf(
        kl_divergence_from_logits(std::vector<float>{0, 0}, std::vector<float>{0, kNegInf})));
}

TEST(KlDivergence, MeanOverTheStepsBothRunsHave) {
    const Rows full = {{0, 0}, {1, 1}, {5, 0}};
    const Rows compressed = {{std::log(3.0f), 0}, {1, 1}};
    const double expected = 0.5 * (0.5 * std::log(4.0 / 3.0) + 0.0);
    const auto mean = mean_kl_from_logits(full, compressed);
    ASSERT_TRUE(mean.has_value());
    EXPECT_NEAR(*mean, expected, 1e-7);
    const std::vector<float> flat_full = {0, 0, 1, 1, 5, 0};
    const std::vector<float> flat_comp = {std::log(3.0f), 0, 1, 1};
    const auto flat = mean_kl_from_logits(flat_full, 3, flat_comp, 2, 2);
    ASSERT_TRUE(flat.has_value());
    EXPECT_DOUBLE_EQ(*flat, *mean);
    EXPECT_FALSE(mean_kl_from_logits(full, Rows{}).has_value());
}

TEST(KlDivergence, RejectsBadInput) {
    hace::test::expect_input_error(
        [] {
            kl_divergence_from_logits(std::vector<float>{0, 0}, std::vector<float>{0, 0, 0});
        },
        {"vocabulary sizes differ"});
    hace::test::expect_input_error(
        [] {
            kl_divergence_from_logits(std::vector<float>{0, std::nanf("")},
                                      std::vector<float>{0, 0});
        },
        {"full", "NaN"});
    hace::test::expect_input_error(
        [] {
            kl_divergence_from_logits(std::vector<float>{0, 0},
                                      std::vector<float>{kNegInf, kNegInf});
        },
        {"compressed", "-infinity"});
    hace::test::expect_input_error(
        [] {
            mean_kl_from_logits(std::vector<float>{0, 0, 0}, 2, std::vector<float>{0, 0}, 1, 2);
        },
        {"steps x vocab"});
}

}  // namespace
