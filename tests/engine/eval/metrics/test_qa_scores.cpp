// Hand-computed cases for LongBench normalisation, qa_f1, the jieba-free qa_f1_zh, exact match,
// keyword recall and the metric table.
#include <gtest/gtest.h>

#include "engine/eval/metrics/answer_normalization.h"
#include "engine/eval/metrics/keyword_recall.h"
#include "engine/eval/metrics/qa_scores.h"
#include "engine/eval/metrics/scorer.h"
#include "tests/support/expect_input_error.h"

namespace {

using namespace hace::metrics;
using Tokens = std::vector<std::string>;

TEST(AnswerNormalization, LowersDropsPunctuationAndArticles) {
    EXPECT_EQ(normalize_answer("  The Quick, brown FOX!  "), "quick brown fox");
    EXPECT_EQ(normalize_answer("A-team"), "ateam");  // punctuation goes first
    EXPECT_EQ(normalize_answer("theory an answer"), "theory answer");
    EXPECT_EQ(normalize_answer("“quoted” — ¿qué?"),
              "“quoted” — ¿qué");  // non-ASCII punctuation stays
    EXPECT_EQ(normalize_answer("the a an"), "");
}

TEST(QaF1, TokenMultisetF1) {
    // [cat, sat] vs [cat, sat, down]: common 2, P = 1, R = 2/3, F1 = 0.8.
    EXPECT_DOUBLE_EQ(qa_f1("The cat sat.", "a cat sat down"), 0.8);
    // Repeated tokens count at most as often as on the other side: common = 1 (a) + 1 (b).
    EXPECT_DOUBLE_EQ(token_f1(Tokens{"a", "a", "b"}, Tokens{"a", "b", "b"}), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(qa_f1("Paris", "paris"), 1.0);
    EXPECT_EQ(qa_f1("London", "Paris"), 0.0);
    EXPECT_EQ(qa_f1("", "Paris"), 0.0);
    EXPECT_EQ(qa_f1("the", "the"), 0.0);  // both normalise to nothing
}

TEST(ExactMatch, ComparesNormalisedAnswers) {
    EXPECT_EQ(exact_match("The Cat!", "cat"), 1.0);
    EXPECT_EQ(exact_match("cat sat", "sat cat"), 0.0);
    EXPECT_EQ(exact_match("the", "an"), 1.0);  // unlike qa_f1, empty equals empty
}

TEST(QaF1Zh, TokensAreCharactersAndWholeAsciiRuns) {
    EXPECT_EQ(zh_answer_tokens("我在2019年，到了北京。"),
              (Tokens{"我", "在", "2019", "年", "到", "了", "北", "京"}));
    EXPECT_EQ(zh_answer_tokens("增长3.5%"),
              (Tokens{"增", "长", "35"}));  // "3.5%" normalises to "35"
    EXPECT_EQ(zh_answer_tokens("Hello World"), (Tokens{"hello", "world"}));
    EXPECT_EQ(normalize_zh_answer("《红楼梦》 ！"), "《红楼梦");  // LongBench's list lacks "《"
}

TEST(QaF1Zh, CharacterLevelF1) {
    // [北 京 大 学] vs [北 京]: common 2, P = 1/2, R = 1, F1 = 2/3.
    EXPECT_DOUBLE_EQ(qa_f1_zh("北京大学", "北京"), 2.0 / 3.0);
    // 8 prediction tokens, all 4 reference tokens found: P = 1/2, R = 1.
    EXPECT_DOUBLE_EQ(qa_f1_zh("我在2019年，到了北京。", "2019年北京"), 2.0 / 3.0);
    // [增 长 35] vs [35]: P = 1/3, R = 1, F1 = 1/2.
    EXPECT_DOUBLE_EQ(qa_f1_zh("增长3.5%", "3.5%"), 0.5);
    // "《" survives normalisation: 4 prediction tokens against 3, P = 3/4, R = 1, F1 = 6/7.
    EXPECT_DOUBLE_EQ(qa_f1_zh("《红楼梦》", "红楼梦"), 6.0 / 7.0);
    EXPECT_EQ(qa_f1_zh("。", "。"), 0.0);
}

TEST(KeywordRecall, DistinctNeedleWordsFoundInTheResponse) {
    const std::string needle = "eat a sandwich and sit in Dolores Park on a sunny day.";
    // 11 distinct needle words ("a" twice). Punctuation stays attached: "park," is not "park"
    // and "day" is not "day.", so eat a sandwich in dolores on sunny = 7 are found.
    EXPECT_DOUBLE_EQ(keyword_recall("Eat a sandwich in Dolores Park, on a sunny day", needle),
                     7.0 / 11.0);
    EXPECT_DOUBLE_EQ(
        keyword_recall("eat a sandwich and sit in dolores park on a sunny day.", needle), 1.0);
    EXPECT_EQ(keyword_recall("", needle), 0.0);
    EXPECT_EQ(keyword_recall("anything", "   "), 0.0);
}

TEST(Scorer, NamesRoundTripAndMaxOverAnswers) {
    for (const Metric m : all_metrics()) EXPECT_EQ(metric_from_name(metric_name(m)), m);
    EXPECT_EQ(metric_from_name("em"), Metric::exact_match);
    EXPECT_FALSE(metric_from_name("bleu").has_value());
    EXPECT_DOUBLE_EQ(score_sample(Metric::qa_f1, "cat", {"dog", "the cat", "cat dog"}), 1.0);
    // keyword_recall takes the first reference as the needle, not the best one.
    EXPECT_DOUBLE_EQ(score_sample(Metric::keyword_recall, "red", {"red blue", "red"}), 0.5);
    hace::test::expect_input_error([] { score_sample(Metric::rouge_l, "x", {}); },
                                   {"rouge_l", "no reference"});
}

}  // namespace
