// LongBench prompts: the official templates by fingerprint, str.format filling against the
// OpenCompass dumps, middle truncation by tokens, chat wrapping and the max_length rule.
#include <fstream>

#include <gtest/gtest.h>

#include "engine/core/json_io.h"
#include "engine/eval/tasks/longbench_config.h"
#include "engine/eval/tasks/longbench_prompt.h"
#include "engine/eval/tasks/minilongbench_import.h"
#include "engine/eval/tasks/utf8_text.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::tasks {
namespace {
namespace fs = std::filesystem;
using tokenizer::TokenId;
using Ids = std::vector<TokenId>;

#define REQUIRE_SPM()                                                         \
    do {                                                                      \
        std::string why_;                                                     \
        if (!tokenizer::sentencepiece_available(&why_)) GTEST_SKIP() << why_; \
    } while (0)

fs::path longbench_dir() {
    return test::shared_data() / "longbench";
}

LongBenchPromptConfig official_config() {
    return LongBenchPromptConfig::from_dir(longbench_dir());
}

Sample first_sample(const fs::path& jsonl) {
    return load_longbench_jsonl(jsonl).samples.at(0);
}

TEST(LongBenchConfig, OfficialTemplatesMatchTheirFingerprints) {
    HACE_REQUIRE_PATH(longbench_dir() / "dataset2prompt.json");
    const LongBenchPromptConfig config = official_config();
    EXPECT_EQ(config.templates().size(), 21u);
    EXPECT_EQ(config.max_new_tokens("narrativeqa"), 128);
    EXPECT_EQ(config.max_new_tokens("qasper"), 128);
    EXPECT_EQ(config.max_new_tokens("multifieldqa_en"), 64);
    EXPECT_EQ(config.max_new_tokens("multifieldqa_zh"), 64);
    // The upstream typo is kept (ALGORITHMS.md 10.2).
    EXPECT_NE(config.prompt_template("narrativeqa").find("asconcisely"), std::string::npos);
    EXPECT_EQ(config.prompt_template("narrativeqa").size(), 378u);
    test::expect_input_error([&] { config.prompt_template("nosuch"); },
                             {"dataset2prompt.json", "\"nosuch\""});
    test::expect_input_error([&] { config.max_new_tokens("nosuch"); },
                             {"dataset2maxlen.json", "\"nosuch\""});
}

TEST(LongBenchConfig, RefusesAnAlteredKnownTemplate) {
    HACE_REQUIRE_PATH(longbench_dir() / "dataset2prompt.json");
    const fs::path dir = test::temp_dir("longbench_altered");
    nlohmann::json prompts = read_json_file(longbench_dir() / "dataset2prompt.json");
    std::string t = prompts["narrativeqa"].get<std::string>();
    t.replace(t.find("asconcisely"), 11, "as concisely");  // the unmerged "Fix grammar" PR
    prompts["narrativeqa"] = t;
    write_json_file(dir / "dataset2prompt.json", prompts);
    fs::copy_file(longbench_dir() / "dataset2maxlen.json", dir / "dataset2maxlen.json");
    test::expect_input_error([&] { LongBenchPromptConfig::from_dir(dir); },
                             {"dataset2prompt.json", "narrativeqa", "not the official",
                              "378 characters", "aada7ed24b06abac", "379 characters"});

    // Only datasets with a fingerprint are checked; a changed trec template passes.
    EXPECT_NO_THROW(verify_template_fingerprint("trec", "anything {context}", "x.json"));
    test::expect_input_error(
        [] { verify_template_fingerprint("qasper", "Article: {context}", "x.json"); },
        {"x.json", "qasper", "725 characters", "0fbdd123fe7f83d6"});
}

TEST(LongBenchPrompt, FillsLikePythonFormat) {
    const fs::path mf =
        longbench_dir() / "minilongbench_examples/MiniLongBench_multifieldqa_en.json";
    HACE_REQUIRE_PATH(mf);
    const LongBenchPromptConfig config = official_config();
    // OpenCompass fills the official multifieldqa_en template, so filling it with the imported
    // sample must give the dumped prompt back.
    const nlohmann::json raw = read_json_file(mf);
    const MiniLongBenchFile imported = import_minilongbench(mf);
    for (std::size_t i = 0; i < imported.samples.size(); ++i) {
        EXPECT_EQ(fill_longbench_prompt(config, imported.samples[i]),
                  raw.at(std::to_string(i)).at("origin_prompt").get<std::string>());
    }
    Sample zh = first_sample(longbench_dir() / "multifieldqa_zh.jsonl");
    const std::string filled = fill_longbench_prompt(config, zh);
    EXPECT_EQ(filled,
              "\xE9\x98\x85\xE8\xAF\xBB\xE4\xBB\xA5\xE4\xB8\x8B\xE6\x96\x87\xE5\xAD\x97"
              "\xE5\xB9\xB6\xE7\x94\xA8\xE4\xB8\xAD\xE6\x96\x87\xE7\xAE\x80\xE7\x9F\xAD"
              "\xE5\x9B\x9E\xE7\xAD\x94\xEF\xBC\x9A\n\n" +
                  zh.context +
                  "\n\n\xE7\x8E\xB0\xE5\x9C\xA8\xE8\xAF\xB7\xE5\x9F\xBA\xE4\xBA\x8E\xE4"
                  "\xB8\x8A\xE9\x9D\xA2\xE7\x9A\x84\xE6\x96\x87\xE7\xAB\xA0\xE5\x9B\x9E"
                  "\xE7\xAD\x94\xE4\xB8\x8B\xE9\x9D\xA2\xE7\x9A\x84\xE9\x97\xAE\xE9\xA2"
                  "\x98\xEF\xBC\x8C\xE5\x8F\xAA\xE5\x91\x8A\xE8\xAF\x89\xE6\x88\x91\xE7"
                  "\xAD\x94\xE6\xA1\x88\xEF\xBC\x8C\xE4\xB8\x8D\xE8\xA6\x81\xE8\xBE\x93"
                  "\xE5\x87\xBA\xE4\xBB\xBB\xE4\xBD\x95\xE5\x85\xB6\xE4\xBB\x96\xE5\xAD"
                  "\x97\xE8\xAF\x8D\xE3\x80\x82\n\n\xE9\x97\xAE\xE9\xA2\x98\xEF\xBC\x9A" +
                  zh.input + "\n\xE5\x9B\x9E\xE7\xAD\x94\xEF\xBC\x9A");
    // A context that itself contains braces is inserted verbatim.
    zh.context = "{input} {{x}}";
    EXPECT_NE(fill_longbench_prompt(config, zh).find("\n\n{input} {{x}}\n\n"), std::string::npos);
}

// Drops U+FFFD at the front (from) or back of s: what a decoder makes of a character cut by
// the token split.
std::string strip_replacements(std::string s, bool front) {
    const std::size_t n = kReplacementChar.size();
    while (s.size() >= n && (front ? s.compare(0, n, kReplacementChar) == 0
                                   : s.compare(s.size() - n, n, kReplacementChar) == 0)) {
        s.erase(front ? 0 : s.size() - n, n);
    }
    return s;
}

// The truncation keeps exactly the first and last max_length / 2 ids of the prompt's own
// encoding (decoded), and what it keeps is a prefix plus a suffix of the prompt text.
void check_middle_truncation(const tokenizer::Tokenizer& tok, const std::string& prompt,
                             std::size_t max_length) {
    const Ids ids = tok.encode(prompt, true);
    ASSERT_GT(ids.size(), max_length);
    const std::size_t half = max_length / 2;
    const MiddleTruncation cut = truncate_middle(tok, prompt, max_length);
    EXPECT_TRUE(cut.truncated);
    EXPECT_EQ(cut.original_tokens, ids.size());
    const std::string head = tok.decode(Ids(ids.begin(), ids.begin() + half), true);
    const std::string tail = tok.decode(Ids(ids.end() - half, ids.end()), true);
    ASSERT_EQ(cut.text, head + tail);

    const std::string whole_head = strip_replacements(head, false);
    const std::string whole_tail = strip_replacements(tail, true);
    EXPECT_EQ(prompt.compare(0, whole_head.size(), whole_head), 0);
    EXPECT_EQ(prompt.compare(prompt.size() - whole_tail.size(), whole_tail.size(), whole_tail), 0);
    EXPECT_GT(whole_head.size() + whole_tail.size(), 0u);
    EXPECT_LT(whole_head.size() + whole_tail.size(), prompt.size());
}

std::unique_ptr<tokenizer::Tokenizer> qwen3() {
    return tokenizer::load_tokenizer(test::shared_data() / "tokenizers/qwen3");
}

TEST(LongBenchPrompt, MiddleTruncationWithBpe) {
    HACE_REQUIRE_PATH(test::shared_data() / "tokenizers/qwen3/tokenizer.json");
    const auto tok = qwen3();
    const LongBenchPromptConfig config = official_config();
    const Sample zh = first_sample(longbench_dir() / "multifieldqa_zh.jsonl");
    check_middle_truncation(*tok, fill_longbench_prompt(config, zh), 500);
    check_middle_truncation(*tok, fill_longbench_prompt(config, zh), 501);  // odd: 250 + 250

    const BuiltPrompt built = build_longbench_prompt(config, zh, *tok, 500, no_chat_wrap());
    EXPECT_TRUE(built.truncated);
    EXPECT_EQ(built.original_tokens, tok->encode(fill_longbench_prompt(config, zh), true).size());
    EXPECT_EQ(built.ids, tok->encode(built.text, true));
    EXPECT_EQ(built.text, truncate_middle(*tok, fill_longbench_prompt(config, zh), 500).text);
    EXPECT_NEAR(static_cast<double>(built.ids.size()), 500.0, 4.0);
    EXPECT_EQ(built.chat_format, "none");
    EXPECT_EQ(built.max_new_tokens, 64);

    // Short enough: nothing is cut, and the ChatML wrap is applied to the whole prompt.
    const BuiltPrompt whole = build_longbench_prompt(config, zh, *tok, 100000, chat_wrap("chatml"));
    EXPECT_FALSE(whole.truncated);
    EXPECT_EQ(whole.chat_format, "chatml");
    EXPECT_EQ(whole.text, tokenizer::chat_template("chatml").render(
                              fill_longbench_prompt(config, zh), std::nullopt));
    EXPECT_EQ(whole.ids, tok->encode(whole.text, true));
    test::expect_input_error([&] { truncate_middle(*tok, "x", 1); }, {"at least 2"});
}

TEST(LongBenchPrompt, MiddleTruncationWithSentencePiece) {
    const fs::path model = test::shared_data() / "models/stories260K";
    HACE_REQUIRE_PATH(model / "tokenizer.model");
    REQUIRE_SPM();
    const auto tok = tokenizer::load_tokenizer(model);
    // By hand: stories260K encodes this as <s> _One _day _a _c at _s at _on _the _m at . _The _do
    // g _r an _h om e . (22 ids). max_length 10 keeps <s> _One _day _a _c and an _h om e .; the
    // halves are joined with no separator and the second loses no space (it has none).
    const std::string story = "One day a cat sat on the mat. The dog ran home.";
    const MiddleTruncation cut10 = truncate_middle(*tok, story, 10);
    EXPECT_TRUE(cut10.truncated);
    EXPECT_EQ(cut10.original_tokens, 22u);
    EXPECT_EQ(cut10.text, "One day a can home.");
    EXPECT_EQ(truncate_middle(*tok, story, 11).text, "One day a can home.");
    // 16 keeps <s> ... _s at and _do g _r an _h om e .: the tail's leading space is dropped as
    // the dummy prefix (Hugging Face's decode does the same), so the words run together.
    EXPECT_EQ(truncate_middle(*tok, story, 16).text, "One day a cat satdog ran home.");
    const MiddleTruncation whole = truncate_middle(*tok, story, 22);
    EXPECT_FALSE(whole.truncated);
    EXPECT_EQ(whole.text, story);

    const LongBenchPromptConfig config = official_config();
    // Chinese through byte fallback: the halves usually cut a character.
    const LongBenchFile zh = load_longbench_jsonl(longbench_dir() / "multifieldqa_zh.jsonl");
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(zh.samples[i].id);
        check_middle_truncation(*tok, fill_longbench_prompt(config, zh.samples[i]), 500);
    }
    const BuiltPrompt built =
        build_longbench_prompt(config, zh.samples[0], *tok, 500, no_chat_wrap());
    EXPECT_TRUE(built.truncated);
    EXPECT_EQ(built.ids.front(), tok->special_ids().bos);
    EXPECT_EQ(built.ids, tok->encode(built.text, true));

    // English (qasper through the importer; the official template is used for filling).
    const fs::path qasper = longbench_dir() / "minilongbench_examples/MiniLongBench_qasper.json";
    const MiniLongBenchFile q = import_minilongbench(qasper);
    check_middle_truncation(*tok, fill_longbench_prompt(config, q.samples[0]), 500);
    check_middle_truncation(*tok, fill_longbench_prompt(config, q.samples[1]), 1000);

    // Chat wrap after truncation, BOS as the control id (llama2 leaves "<s>" out of its text).
    const BuiltPrompt wrapped =
        build_longbench_prompt(config, q.samples[0], *tok, 500, chat_wrap("llama2"));
    const std::string cut =
        truncate_middle(*tok, fill_longbench_prompt(config, q.samples[0]), 500).text;
    EXPECT_EQ(wrapped.chat_format, "llama2");
    EXPECT_EQ(wrapped.text, "[INST] " + cut + " [/INST]");
    EXPECT_EQ(wrapped.ids, tok->encode(wrapped.text, true));
    EXPECT_EQ(wrapped.ids.front(), tok->special_ids().bos);
    EXPECT_EQ(std::count(wrapped.ids.begin(), wrapped.ids.end(), tok->special_ids().bos), 1);
    // A caller-supplied wrapper: LongBench's own LLaMA-2 format without inner spaces.
    const ChatWrap lb_llama2{"longbench-llama2",
                             [](const std::string& p) { return "[INST]" + p + "[/INST]"; }};
    const BuiltPrompt custom = build_longbench_prompt(config, q.samples[0], *tok, 500, lb_llama2);
    EXPECT_EQ(custom.text, "[INST]" + cut + "[/INST]");
    EXPECT_EQ(custom.chat_format, "longbench-llama2");
}

TEST(LongBenchPrompt, MaxLengthRule) {
    EXPECT_EQ(longbench_max_length(4096, "llama"), 3500u);      // LB llama2-7b-chat-4k
    EXPECT_EQ(longbench_max_length(8192, "llama"), 7500u);      // LB / KVF (fixed) llama-3
    EXPECT_EQ(longbench_max_length(32768, "mistral"), 31500u);  // LB, KVF, CAKE 32K models
    EXPECT_EQ(longbench_max_length(131072, "llama"), 127500u);  // CAKE llama3.1-128k
    EXPECT_EQ(longbench_max_length(32768, "qwen2"), 31500u);
    EXPECT_EQ(longbench_max_length(2048, "OPT"), 1900u);
    EXPECT_EQ(longbench_max_length(2048, "llama"), 1500u);
    EXPECT_EQ(longbench_max_length(32000, "llama"), 31500u);  // not a multiple of 1024
    EXPECT_EQ(longbench_max_length(512, "llama"), 384u);      // too short for the rule
    test::expect_input_error([] { longbench_max_length(0, "llama"); }, {"max_positions"});
}

}  // namespace
}  // namespace hace::tasks
