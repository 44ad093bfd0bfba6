// The query-agnostic protocol (sweep "query": "agnostic"): the context part of a prompt is
// compressed before the question is seen, so two different questions over the same context
// keep exactly the same positions, while query-aware compression (the whole prompt prefilled at
// once) keeps different ones on the same constructed case. Also: every task builder splits its
// prompts so that the context ids do not depend on the question.
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/eval/evaluate/sample_eval.h"
#include "engine/eval/evaluate/task_samples.h"
#include "engine/eval/tasks/longbench_config.h"
#include "engine/eval/tasks/longbench_prompt.h"
#include "engine/eval/tasks/longbench_sample.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/support/test_data.h"

namespace hace::eval {
namespace {

#define REQUIRE_SPM()                                                       \
    do {                                                                    \
        std::string why;                                                    \
        if (!tokenizer::sentencepiece_available(&why)) GTEST_SKIP() << why; \
    } while (0)

std::filesystem::path needle_dir() {
    return test::shared_data() / "models/needle-llama-1m";
}

std::vector<model::TokenId> head(const std::vector<model::TokenId>& ids, std::int64_t n) {
    return {ids.begin(), ids.begin() + n};
}

SampleOutcome run(const model::Model& m, const tokenizer::Tokenizer& tok, const EvalSample& s) {
    kv::CompressionConfig cfg;
    cfg.method = "snapkv";
    cfg.retention = 0.1;
    // One-shot at prefill: the appended question is then held whole (SEL-CAKE would otherwise
    // evict while the question is appended, as it does while decoding).
    cfg.decode_eviction = false;
    EvalCallbacks cb;
    cb.record_kept = true;
    return evaluate_sample(m, tok, s, cfg, nullptr, nullptr, cb);
}

TEST(QueryProtocol, AgnosticKeptSetsIgnoreTheQuestionAwareOnesDoNot) {
    HACE_REQUIRE_PATH(needle_dir() / "needle_task.json");
    REQUIRE_SPM();
    const auto m = model::load_model(needle_dir());
    const auto tok = tokenizer::load_tokenizer(needle_dir());
    TaskRequest r{"needle", 512, 1, needle_dir() / "needle_task.json"};
    r.query_agnostic = true;
    r.max_new_tokens = 2;
    EvalSample a = build_task_samples(r, *tok, m->config()).at(0);
    ASSERT_TRUE(a.query_start.has_value());
    const std::int64_t qs = *a.query_start;
    // The split falls where the question block starts: "Question: ..." decodes from there on.
    EXPECT_EQ(tok->decode(std::vector<model::TokenId>(a.prompt.begin() + qs, a.prompt.end()), true)
                  .rfind("Question:", 0),
              0u);
    // The same context with another question.
    EvalSample b = a;
    b.prompt = head(a.prompt, qs);
    for (auto id : tok->encode("Question: What is the password for the old castle? Answer: The "
                               "password for the old castle is",
                               false)) {
        b.prompt.push_back(id);
    }
    ASSERT_NE(a.prompt, b.prompt);

    const SampleOutcome ka = run(*m, *tok, a), kb = run(*m, *tok, b);
    ASSERT_TRUE(ka.kept && kb.kept);
    EXPECT_EQ(ka.kept->layers, 4);
    EXPECT_EQ(ka.kept->segments.size(), std::size_t(ka.kept->layers * ka.kept->heads));
    EXPECT_EQ(ka.kept->segments, kb.kept->segments) << "agnostic kept sets differ";
    std::int64_t kept = 0;
    for (const auto& seg : ka.kept->segments) {
        for (auto p : seg) EXPECT_LT(p, qs) << "a question position was compressed";
        kept += static_cast<std::int64_t>(seg.size());
    }
    // C = max(8, round(0.1 * context part)) per head, window included.
    EXPECT_EQ(kept, ka.kept->layers * ka.kept->heads *
                        std::max<std::int64_t>(8, kv::round_half_even(0.1 * double(qs))));
    // The cache holds the kept context entries plus every appended question token.
    EXPECT_EQ(ka.kv_after_prefill.kept_entries,
              kept + ka.kept->layers * ka.kept->heads * (std::int64_t(a.prompt.size()) - qs));

    // Query-aware: the whole prompt compressed at once; the question changes what is kept.
    a.query_start.reset();
    b.query_start.reset();
    const SampleOutcome wa = run(*m, *tok, a), wb = run(*m, *tok, b);
    ASSERT_TRUE(wa.kept && wb.kept);
    EXPECT_NE(wa.kept->segments, wb.kept->segments)
        << "aware kept sets do not depend on the question";
    EXPECT_NE(wa.kept->segments, ka.kept->segments);
}

// LongBench: the template's question part after {context}; the context ids do not depend on
// the question, and the question part is the question block of the template.
TEST(QueryProtocol, LongBenchSplitsAtTheQuestionAfterTheContext) {
    const auto lb = test::shared_data() / "longbench";
    HACE_REQUIRE_PATH(lb / "multifieldqa_zh.jsonl");
    HACE_REQUIRE_PATH(needle_dir());
    REQUIRE_SPM();
    const auto tok = tokenizer::load_tokenizer(needle_dir());
    const auto config = tasks::LongBenchPromptConfig::from_dir(lb);
    tasks::Sample s = tasks::load_longbench_jsonl(lb / "multifieldqa_zh.jsonl").samples.at(0);
    s.dataset = "multifieldqa_en";  // an English template over the same record
    // Split before the question text: "Question:" stays in the compressed part.
    EXPECT_EQ(tasks::longbench_question_part(config, s), " " + s.input + "\nAnswer:");
    const auto wrap = tasks::no_chat_wrap();
    // Without truncation: LongBench truncates the whole prompt in the middle, so with a cut the
    // context kept depends on the question's length (not on its words).
    const auto a = tasks::build_longbench_prompt(config, s, *tok, 1000000, wrap, true);
    tasks::Sample other = s;
    other.input = "Which city is named in the text?";
    const auto b = tasks::build_longbench_prompt(config, other, *tok, 1000000, wrap, true);
    ASSERT_TRUE(a.query_start && b.query_start);
    EXPECT_EQ(*a.query_start, *b.query_start);
    EXPECT_EQ(head(a.ids, std::int64_t(*a.query_start)), head(b.ids, std::int64_t(*b.query_start)));
    EXPECT_NE(a.ids, b.ids);
    EXPECT_FALSE(a.truncated);
    // With a cut the question still survives whole at the end.
    const auto cut = tasks::build_longbench_prompt(config, s, *tok, 400, wrap, true);
    EXPECT_TRUE(cut.truncated);
    ASSERT_TRUE(cut.query_start);
    EXPECT_EQ(
        std::vector<model::TokenId>(cut.ids.begin() + std::ptrdiff_t(*cut.query_start),
                                    cut.ids.end()),
        std::vector<model::TokenId>(a.ids.begin() + std::ptrdiff_t(*a.query_start), a.ids.end()));
    const auto tail = tok->decode(
        std::vector<model::TokenId>(b.ids.begin() + std::ptrdiff_t(*b.query_start), b.ids.end()),
        true);
    EXPECT_NE(tail.find("Which city is named in the text?\nAnswer:"), std::string::npos) << tail;
    EXPECT_EQ(tail.find("Question"), std::string::npos) << tail;
    // The aware prompt is the same text encoded at once.
    const auto aware = tasks::build_longbench_prompt(config, s, *tok, 1000000, wrap, false);
    EXPECT_FALSE(aware.query_start);
    EXPECT_EQ(tok->decode(aware.ids, true), tok->decode(a.ids, true));
    // A template without {input} after {context} cannot be split.
    s.dataset = "gov_report";  // a summary: no {input} at all
    EXPECT_THROW((void)tasks::longbench_question_part(config, s), InputError);
}

// NIAH: the question part is the question text after "Question:"; two questions, one context.
TEST(QueryProtocol, NiahContextIdsDoNotDependOnTheQuestion) {
    HACE_REQUIRE_PATH(test::shared_data() / "haystack/paul_graham");
    HACE_REQUIRE_PATH(needle_dir());
    REQUIRE_SPM();
    const auto m = model::load_model(needle_dir());
    const auto tok = tokenizer::load_tokenizer(needle_dir());
    TaskRequest r{"niah", 600, 2, test::shared_data() / "haystack/paul_graham"};
    r.query_agnostic = true;
    r.options = {{"depths", {50.0}}};
    const auto a = build_task_samples(r, *tok, m->config()).at(0);
    r.options["question"] = "What should one do in San Francisco? ";
    const auto b = build_task_samples(r, *tok, m->config()).at(0);
    ASSERT_TRUE(a.query_start && b.query_start);
    EXPECT_EQ(*a.query_start, *b.query_start);
    EXPECT_EQ(head(a.prompt, *a.query_start), head(b.prompt, *b.query_start));
    EXPECT_NE(a.prompt, b.prompt);
    const auto q = tok->decode(
        std::vector<model::TokenId>(a.prompt.begin() + *a.query_start, a.prompt.end()), true);
    EXPECT_NE(q.find("The best thing to do in San Francisco is: \nAnswer:"), std::string::npos)
        << q;
    EXPECT_EQ(q.find("Question"), std::string::npos) << q;
    // The needle lies in the compressed part.
    EXPECT_LT(a.meta["needle_span"][1].get<std::int64_t>(), *a.query_start);
    r.query_agnostic = false;
    EXPECT_FALSE(build_task_samples(r, *tok, m->config()).at(0).query_start);
}

}  // namespace
}  // namespace hace::eval
