// Hand-computed ROUGE-L (the `rouge` package as LongBench uses it) and ROUGE-1 (rouge_score).
#include <gtest/gtest.h>

#include "engine/eval/metrics/rouge1.h"
#include "engine/eval/metrics/rouge_l.h"

namespace {

using namespace hace::metrics;

// The package's F from its union-LCS count and distinct word counts.
double package_f(double llcs, double m_ref, double n_hyp) {
    const double r = llcs / m_ref;
    const double p = llcs / n_hyp;
    return 2.0 * ((p * r) / (p + r + 1e-8));
}

TEST(RougeL, SingleSentence) {
    // LCS of [a b c] and [a c] is a c: R = 2/2, P = 2/3.
    EXPECT_DOUBLE_EQ(rouge_l("a b c", "a c"), package_f(2, 2, 3));
    EXPECT_DOUBLE_EQ(rouge_l("Paris", "Paris"), 0.999999995);
    EXPECT_EQ(rouge_l("Paris", "paris"), 0.0);  // case-sensitive
}

TEST(RougeL, CountsDistinctWords) {
    // "a a a" has one distinct word, so m = n = LCS_union = 1.
    EXPECT_DOUBLE_EQ(rouge_l("a a a", "a"), package_f(1, 1, 1));
}

TEST(RougeL, SentencesAndTheirUnionLcs) {
    // Lin's example: LCS(r, c1) = w1 w2, LCS(r, c2) = w1 w3 w5, union 4 words; m = 5, n = 5.
    EXPECT_DOUBLE_EQ(rouge_l("w1 w2 w6. w1 w3 w5", "w1 w2 w3 w4 w5"), package_f(4, 5, 5));
    // A whitespace-only sentence is one empty word: hypothesis words {Paris, ""}.
    EXPECT_DOUBLE_EQ(rouge_l("Paris. ", "Paris"), package_f(1, 1, 2));
    EXPECT_DOUBLE_EQ(rouge_l("Paris. France.", "Paris France"), package_f(2, 2, 2));
}

TEST(RougeL, TieBreakPicksTheLaterWordOfTheReference) {
    // LCS([a b], [b a]) has length 1; the package reads back "b" (it moves left on ties), so the
    // second sentence "b" adds nothing: union {b}, m = 2, n = 2. Reading back "a" would give 2.
    EXPECT_DOUBLE_EQ(rouge_l("b a. b", "a b"), package_f(1, 2, 2));
}

TEST(RougeL, NoSentenceScoresZero) {
    EXPECT_EQ(rouge_l("", "Paris"), 0.0);
    EXPECT_EQ(rouge_l("...", "Paris"), 0.0);
    EXPECT_EQ(rouge_l("Paris", ""), 0.0);
}

TEST(Rouge1, TokenizerLowersSplitsOnNonAlphanumericsAndStems) {
    EXPECT_EQ(rouge_tokens("The cats are RUNNING!", true),
              (std::vector<std::string>{"the", "cat", "are", "run"}));
    EXPECT_EQ(rouge_tokens("The cats are RUNNING!", false),
              (std::vector<std::string>{"the", "cats", "are", "running"}));
    EXPECT_EQ(rouge_tokens("café 3.14", true), (std::vector<std::string>{"caf", "3", "14"}));
    EXPECT_TRUE(rouge_tokens("北京", true).empty());
}

TEST(Rouge1, UnigramCountF) {
    // [the cat are run] vs [a cat run]: overlap 2, P = 1/2, R = 2/3, F = 4/7.
    EXPECT_DOUBLE_EQ(rouge1_f("The cats are running", "a cat runs"), 4.0 / 7.0);
    EXPECT_DOUBLE_EQ(rouge1_f("needles", "needle"), 1.0);
    EXPECT_EQ(rouge1_f("needles", "needle", false), 0.0);
    // Counts: [x x y] vs [x]: overlap min(1, 2) = 1, P = 1/3, R = 1, F = 1/2.
    EXPECT_DOUBLE_EQ(rouge1_f("x x y", "x"), 0.5);
    EXPECT_EQ(rouge1_f("北京", "北京"), 0.0);
    EXPECT_DOUBLE_EQ(niah_rouge1_score("x x y", "x"), 5.0);
}

}  // namespace
