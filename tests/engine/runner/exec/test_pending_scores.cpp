// Pooled scoring settles in the order the runs were added, whatever order the workers finish
// in: outcomes carry the metrics score_sample computes, a run that failed on the engine and a
// scoring that throws both arrive as errors under their own keys, and a full reference gives
// the consistency metrics.
#include "engine/runner/exec/pending_scores.h"

#include <gtest/gtest.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/core/error.h"

namespace hace::runner::test {
namespace {

// Id k decodes to the k-th lower-case letter, words separated by the id 0 (a space).
class LetterTokenizer final : public tokenizer::Tokenizer {
public:
    std::vector<tokenizer::TokenId> encode(std::string_view, bool) const override { return {}; }
    std::string decode(const std::vector<tokenizer::TokenId>& ids, bool) const override {
        std::string s;
        for (auto id : ids) s += id == 0 ? ' ' : static_cast<char>('a' + id - 1);
        return s;
    }
    std::string piece(tokenizer::TokenId id) const override { return decode({id}, false); }
    std::int32_t vocab_size() const override { return 27; }
    tokenizer::SpecialIds special_ids() const override { return {}; }
    std::string kind() const override { return "letters"; }
};

eval::EvalSample sample(std::string reference, bool with_metric = true) {
    eval::EvalSample s;
    s.task = "qa";
    s.id = "s-" + reference;
    s.references = {std::move(reference)};
    if (with_metric) s.metrics = {metrics::Metric::exact_match};
    return s;
}

eval::UnscoredSample unscored(const eval::EvalSample& s, std::vector<tokenizer::TokenId> ids,
                              const eval::FullReference* full = nullptr) {
    eval::UnscoredSample u;
    u.sample = &s;
    u.outcome.output_ids = std::move(ids);
    u.full = full;
    return u;
}

TEST(PendingScores, SettlesInAddOrderWithOutcomesAndErrorsUnderTheirKeys) {
    WorkPool pool(2, 1);  // one queued job at most: add() waits for room
    const LetterTokenizer tok;
    const eval::EvalSample ab = sample("ab"), cd = sample("cd"), none = sample("x", false);
    eval::FullReference full;
    full.output_ids = {1, 2};
    full.text = "ab";
    std::vector<std::size_t> keys;
    std::vector<std::string> seen;
    PendingScores pending(
        pool, tok, [&](std::size_t key, eval::SampleOutcome* o, std::exception_ptr error) {
            keys.push_back(key);
            if (error) {
                try {
                    std::rethrow_exception(error);
                } catch (const std::exception& e) {
                    seen.push_back(std::string("error: ") + e.what());
                }
                return;
            }
            ASSERT_NE(o, nullptr);
            seen.push_back(o->prediction + " " + std::to_string(o->metrics.at("score")));
        });
    for (int round = 0; round < 20; ++round) {
        pending.add(10, unscored(ab, {1, 2}));  // "ab" == "ab": exact
        pending.add_failed(11, std::make_exception_ptr(std::runtime_error("prefill failed")));
        pending.add(12, unscored(cd, {1, 2}, &full));  // "ab" != "cd", equal to the reference
        pending.add(13, unscored(none, {3}));          // no metric: score_sample throws
        pending.settle_ready();
    }
    pending.settle_all();
    EXPECT_EQ(pending.size(), 0u);
    ASSERT_EQ(keys.size(), 80u);
    for (std::size_t i = 0; i < keys.size(); i += 4) {
        EXPECT_EQ(keys[i], 10u);
        EXPECT_EQ(keys[i + 1], 11u);
        EXPECT_EQ(keys[i + 2], 12u);
        EXPECT_EQ(keys[i + 3], 13u);
        EXPECT_EQ(seen[i], "ab 100.000000");
        EXPECT_EQ(seen[i + 1], "error: prefill failed");
        EXPECT_EQ(seen[i + 2], "ab 0.000000");
        EXPECT_EQ(seen[i + 3], "error: sample s-x: no metric to score");
    }
}

TEST(PendingScores, ConsistencyMetricsComeFromTheFullReference) {
    WorkPool pool(1, 4);
    const LetterTokenizer tok;
    const eval::EvalSample s = sample("abc");
    eval::FullReference full;
    full.output_ids = {1, 2, 3, 4};
    full.text = "abcd";
    eval::SampleOutcome got;
    PendingScores pending(pool, tok, [&](std::size_t, eval::SampleOutcome* o, std::exception_ptr) {
        ASSERT_NE(o, nullptr);
        got = *o;
    });
    pending.add(0, unscored(s, {1, 2, 5, 4}, &full));  // "abed": diverges at step 2
    pending.settle_all();
    EXPECT_EQ(got.prediction, "abed");
    EXPECT_DOUBLE_EQ(got.metrics.at("token_agreement"), 0.75);
    EXPECT_DOUBLE_EQ(got.metrics.at("first_divergence"), 2.0);
    EXPECT_EQ(got.metrics.count("kl_vs_full"), 0u);  // the reference kept no logits
}

}  // namespace
}  // namespace hace::runner::test
