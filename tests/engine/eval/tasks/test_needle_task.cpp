// needle-llama-1m's own task: every recorded eval case rebuilt from the held-out stream, and
// the golden prompts reproduced id for id.

#include <gtest/gtest.h>

#include "engine/core/json_io.h"
#include "engine/eval/tasks/needle_task.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::tasks {
namespace {
namespace fs = std::filesystem;
using tokenizer::TokenId;
using Ids = std::vector<TokenId>;

fs::path model_dir() {
    return test::shared_data() / "models/needle-llama-1m";
}

class NeedleTaskTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        std::string why;
        if (!fs::exists(model_dir() / "needle_task.json") ||
            !tokenizer::sentencepiece_available(&why)) {
            return;
        }
        task_ = std::make_unique<NeedleTask>(NeedleTask::open(model_dir() / "needle_task.json"));
    }
    static void TearDownTestSuite() { task_.reset(); }

    void SetUp() override {
        HACE_REQUIRE_PATH(model_dir() / "needle_task.json");
        std::string why;
        if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;
        ASSERT_NE(task_, nullptr);
    }

    static Ids slice(const Ids& ids, std::size_t begin, std::size_t end) {
        return Ids(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                   ids.begin() + static_cast<std::ptrdiff_t>(end));
    }

    // Checks one rebuilt case against the task definition.
    void check_case(const NeedleCase& c) {
        SCOPED_TRACE(c.name);
        const NeedleTask& t = *task_;
        const auto& tok = t.tokenizer();
        const NeedlePrompt p = t.build(c);
        EXPECT_EQ(p.prompt_ids.size() + static_cast<std::size_t>(t.max_new_tokens()),
                  static_cast<std::size_t>(c.context_length));
        EXPECT_EQ(p.prompt_ids.front(), tok.special_ids().bos);
        EXPECT_TRUE(t.is_word_start(t.heldout_stream()[c.haystack_start]));
        // The needle span holds exactly the needle, and it sits at insert_at of H.
        const Ids needle = tok.encode(t.needle_text(c.needle), false);
        EXPECT_EQ(slice(p.prompt_ids, p.needle_begin, p.needle_end), needle);
        std::size_t before = 1 + c.insert_at;  // BOS + H[:insert_at]
        for (std::size_t i = 0; i < c.distractors.size(); ++i) {
            const std::size_t at = c.distractor_insert_at[i];
            if (at <= c.insert_at) {  // at a tie the real needle comes last
                before += p.distractor_spans[i].second - p.distractor_spans[i].first;
            }
            EXPECT_EQ(
                slice(p.prompt_ids, p.distractor_spans[i].first, p.distractor_spans[i].second),
                tok.encode(t.needle_text(c.distractors[i]), false));
        }
        EXPECT_EQ(p.needle_begin, before);
        EXPECT_NE(tok.decode(slice(p.prompt_ids, p.needle_begin, p.needle_end), true)
                      .find(c.needle.value + "."),
                  std::string::npos);
        // The question block closes the prompt.
        const Ids question = tok.encode(t.question_block(c.needle), false);
        EXPECT_EQ(slice(p.prompt_ids, p.prompt_ids.size() - question.size(), p.prompt_ids.size()),
                  question);
        // Answer: "\u2581", the digits, ".", EOS.
        ASSERT_EQ(p.answer_ids.size(), c.needle.value.size() + 3);
        EXPECT_EQ(tok.piece(p.answer_ids[0]), "\xE2\x96\x81");
        for (std::size_t i = 0; i < c.needle.value.size(); ++i) {
            EXPECT_EQ(tok.piece(p.answer_ids[1 + i]), std::string(1, c.needle.value[i]));
        }
        EXPECT_EQ(tok.piece(p.answer_ids[c.needle.value.size() + 1]), ".");
        EXPECT_EQ(p.answer_ids.back(), tok.special_ids().eos);
        EXPECT_EQ(p.expected_value, c.needle.value);
        // The recorded greedy output, scored by the README's rule, gives the recorded verdict.
        ASSERT_TRUE(c.generated_text && c.correct);
        EXPECT_EQ(needle_exact_match(*c.generated_text, c.needle.value), *c.correct)
            << *c.generated_text;
    }

    static std::unique_ptr<NeedleTask> task_;
};

std::unique_ptr<NeedleTask> NeedleTaskTest::task_;

TEST_F(NeedleTaskTest, HeldOutStreamAndTemplates) {
    EXPECT_EQ(task_->heldout_stream().size(), 46928u);  // README: 46,928 tokens
    EXPECT_EQ(task_->templates().size(), 4u);
    EXPECT_EQ(task_->eval_cases().size(), 500u);
    EXPECT_EQ(task_->distractor_eval_cases().size(), 180u);
    const PlantedNeedle bob{"lucky_number", "Bob", "184562"};
    EXPECT_EQ(task_->needle_text(bob), "Bob's lucky number is 184562.");
    EXPECT_EQ(task_->question_block(bob),
              "Question: What is Bob's lucky number? Answer: Bob's lucky number is");
    EXPECT_EQ(task_->needle_text({"secret_code", std::nullopt, "4519"}),
              "The secret code is 4519.");
    EXPECT_EQ(task_->needle_text({"password", "red box", "1234"}),
              "The password for the red box is 1234.");
}

TEST_F(NeedleTaskTest, EveryEvalCaseRebuilds) {
    std::size_t correct = 0;
    for (const NeedleCase& c : task_->eval_cases()) {
        check_case(c);
        // insert_at follows from the depth by the task's rule.
        EXPECT_EQ(task_->insertion_point(c.haystack_start, c.haystack_len, c.depth_percent),
                  c.insert_at)
            << c.name;
        correct += c.correct.value_or(false) ? 1 : 0;
    }
    EXPECT_EQ(correct, 496u);  // README: 496/500
}

TEST_F(NeedleTaskTest, EveryDistractorCaseRebuilds) {
    std::size_t correct = 0;
    for (const NeedleCase& c : task_->distractor_eval_cases()) {
        ASSERT_EQ(c.distractors.size(), 2u);
        check_case(c);
        EXPECT_EQ(task_->insertion_point(c.haystack_start, c.haystack_len, c.depth_percent),
                  c.insert_at)
            << c.name;
        correct += c.correct.value_or(false) ? 1 : 0;
    }
    EXPECT_EQ(correct, 111u);  // README: 111/180
}

TEST_F(NeedleTaskTest, GoldenPromptsMatchIdForId) {
    const nlohmann::json golden = read_json_file(model_dir() / "golden.json");
    const auto& tok = task_->tokenizer();
    std::size_t needle_cases = 0;
    for (const auto& g : golden.at("cases")) {
        const std::string name = g.at("name").get<std::string>();
        SCOPED_TRACE(name);
        const Ids expected = g.at("prompt_ids").get<Ids>();
        const Ids generated = g.at("generated_ids").get<Ids>();
        EXPECT_EQ(expected.size(), g.at("prompt_len").get<std::size_t>());
        if (!g.contains("needle")) {
            // plain_text: [BOS] + encode(text), the task's encoding convention.
            Ids ids = tok.encode(g.at("prompt_text").get<std::string>(), true);
            EXPECT_EQ(ids, expected);
            continue;
        }
        ++needle_cases;
        const auto& n = g.at("needle");
        NeedleCase c;
        c.name = name;
        c.needle = {
            n.at("template").get<std::string>(),
            n.at("key").is_null() ? std::nullopt : std::optional(n.at("key").get<std::string>()),
            n.at("value").get<std::string>()};
        c.haystack_start = n.at("haystack_start").get<std::size_t>();
        c.haystack_len = n.at("haystack_len").get<std::size_t>();
        c.insert_at = n.at("insert_at").get<std::size_t>();
        const NeedlePrompt p = task_->build(c);
        EXPECT_EQ(p.prompt_ids, expected);
        // The model retrieved the value: its first tokens are the answer, EOS included.
        ASSERT_GE(generated.size(), p.answer_ids.size());
        EXPECT_EQ(Ids(generated.begin(),
                      generated.begin() + static_cast<std::ptrdiff_t>(p.answer_ids.size())),
                  p.answer_ids);
        EXPECT_TRUE(needle_exact_match(g.at("generated_text").get<std::string>(), c.needle.value));
    }
    EXPECT_EQ(needle_cases, 2u);
}

TEST(NeedleExactMatch, FollowsTheReadmeRule) {
    EXPECT_TRUE(needle_exact_match("12807.", "12807"));
    EXPECT_TRUE(needle_exact_match(" \n 12807. more", "12807"));
    EXPECT_FALSE(needle_exact_match("93409", "93408"));
    EXPECT_FALSE(needle_exact_match("128070", "12807"));  // the whole digit run must match
    EXPECT_FALSE(needle_exact_match("x12807", "12807"));
    EXPECT_FALSE(needle_exact_match("", "12807"));
}

TEST(NeedleTaskErrors, BadCasesAreInputErrors) {
    HACE_REQUIRE_PATH(model_dir() / "needle_task.json");
    std::string why;
    if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why;
    const NeedleTask task = NeedleTask::open(model_dir() / "needle_task.json");
    NeedleCase c = task.eval_cases().front();
    c.needle.template_id = "riddle";
    test::expect_input_error([&] { task.build(c); }, {"needle_task.json", "\"riddle\""});
    c = task.eval_cases().front();
    c.haystack_start = task.heldout_stream().size();
    test::expect_input_error([&] { task.build(c); }, {c.name, "past the held-out stream"});
    c = task.eval_cases().front();
    c.insert_at = c.haystack_len + 1;
    test::expect_input_error([&] { task.build(c); }, {"insertion index"});

    // A task file without its question block names the file and the key.
    nlohmann::json j = read_json_file(model_dir() / "needle_task.json");
    j.erase("question_block");
    const fs::path broken = test::temp_dir("needle_task_broken") / "needle_task.json";
    write_json_file(broken, j);
    const std::shared_ptr<const tokenizer::Tokenizer> tok = tokenizer::load_tokenizer(model_dir());
    test::expect_input_error(
        [&] { NeedleTask(broken, test::shared_data() / "haystack/paul_graham", tok); },
        {broken.string(), "question_block: missing"});
}

}  // namespace
}  // namespace hace::tasks
