// Needle-in-a-haystack: numpy-compatible grids, the haystack folder reader, and prompts with an
// exact needle span on real haystacks (Paul Graham essays, two Chinese novels) and real
// tokenizers (Qwen3 byte-level BPE; Llama-2 and stories260K sentencepiece when available).
#include <fstream>

#include <gtest/gtest.h>

#include "engine/eval/tasks/haystack.h"
#include "engine/eval/tasks/niah_grid.h"
#include "engine/eval/tasks/niah_prompt.h"
#include "engine/eval/tasks/segment_encoding.h"
#include "engine/eval/tasks/utf8_text.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::tasks {
namespace {
namespace fs = std::filesystem;
using tokenizer::TokenId;
using Ids = std::vector<TokenId>;
using I64 = std::vector<std::int64_t>;

#define REQUIRE_SPM()                                                         \
    do {                                                                      \
        std::string why_;                                                     \
        if (!tokenizer::sentencepiece_available(&why_)) GTEST_SKIP() << why_; \
    } while (0)

fs::path haystack_dir(const char* name) {
    return test::shared_data() / "haystack" / name;
}

TEST(NiahGrid, MatchesNumpy) {
    EXPECT_EQ(pyramidkv_depths(), (I64{0, 11, 22, 33, 44, 56, 67, 78, 89, 100}));
    // gkamradt defaults, as listed in shared/data/haystack/README.md.
    const I64 lengths = original_niah_lengths();
    ASSERT_EQ(lengths.size(), 35u);
    EXPECT_EQ((I64{lengths[0], lengths[1], lengths[2]}), (I64{1000, 1441, 1882}));
    EXPECT_EQ((I64{lengths[33], lengths[34]}), (I64{15559, 16000}));
    const I64 depths = original_niah_depths();
    ASSERT_EQ(depths.size(), 35u);
    EXPECT_EQ(I64(depths.begin(), depths.begin() + 10), (I64{0, 3, 6, 9, 12, 15, 18, 21, 24, 26}));
    EXPECT_EQ((I64{depths[33], depths[34]}), (I64{97, 100}));
    // Exact halves round to even, as np.round does.
    EXPECT_EQ(linspace_rounded(0, 5, 11), (I64{0, 0, 1, 2, 2, 2, 3, 4, 4, 4, 5}));
    EXPECT_EQ(linspace_rounded(-2.5, 2.5, 3), (I64{-2, 0, 2}));
    EXPECT_EQ(linspace_rounded(7, 9, 1), (I64{7}));
    EXPECT_TRUE(linspace_rounded(0, 1, 0).empty());
    // KVF/HKV length grids: np.arange(s, e + 1, step) sizes from the scripts.
    EXPECT_EQ(arange_inclusive(1000, 8000, 100).size(), 71u);
    EXPECT_EQ(arange_inclusive(400, 32000, 400).size(), 80u);
    EXPECT_EQ(arange_inclusive(1000, 33000, 100).size(), 321u);
    EXPECT_EQ(arange_inclusive(1000, 8001, 1000),
              (I64{1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000}));
    test::expect_input_error([] { arange_inclusive(1, 5, 0); }, {"step"});
}

TEST(NiahGrid, HaceLengthsClipToTheModel) {
    EXPECT_EQ(hace_niah_lengths(32768), (I64{4096, 8192, 16384, 32568}));
    EXPECT_EQ(hace_niah_lengths(131072), (I64{4096, 8192, 16384, 32768, 65536, 130872}));
    EXPECT_EQ(hace_niah_lengths(4096), (I64{3896}));
    EXPECT_EQ(hace_niah_lengths(2048), (I64{1848}));
    test::expect_input_error([] { hace_niah_lengths(150); }, {"buffer"});
}

TEST(Haystack, ReadsSortedTxtFiles) {
    HACE_REQUIRE_PATH(haystack_dir("paul_graham"));
    const Haystack pg = Haystack::from_folder(haystack_dir("paul_graham"));
    ASSERT_EQ(pg.files().size(), 49u);
    EXPECT_EQ(pg.files().front(), "addiction.txt");
    EXPECT_EQ(pg.files().back(), "worked.txt");
    EXPECT_TRUE(std::is_sorted(pg.files().begin(), pg.files().end()));
    EXPECT_EQ(pg.text().size(), 644051u);  // shared/data/haystack/README.md

    HACE_REQUIRE_PATH(haystack_dir("zh"));
    const Haystack zh = Haystack::from_folder(haystack_dir("zh"));
    EXPECT_EQ(zh.files(),
              (std::vector<std::string>{"Journey_to_the_West.txt", "The_Story_of_the_Stone.txt"}));
    // CRLF becomes LF, as Python's text mode reads it; nothing else changes.
    std::size_t raw_bytes = 0;
    std::size_t crlf = 0;
    for (const auto& f : zh.files()) {
        std::ifstream in(haystack_dir("zh") / f, std::ios::binary);
        const std::string raw((std::istreambuf_iterator<char>(in)), {});
        raw_bytes += raw.size();
        for (std::size_t i = 0; i + 1 < raw.size(); ++i)
            crlf += raw[i] == '\r' && raw[i + 1] == '\n';
    }
    EXPECT_EQ(raw_bytes, 2151359u + 2617258u);
    EXPECT_GT(crlf, 0u);
    EXPECT_EQ(zh.text().size(), raw_bytes - crlf);
    EXPECT_EQ(zh.text().find('\r'), std::string::npos);
}

TEST(Haystack, RefusesBadFolders) {
    const fs::path dir = test::temp_dir("haystack_bad");
    test::expect_input_error([&] { Haystack::from_folder(dir); }, {dir.string(), "no .txt"});
    {
        std::ofstream(dir / "notes.md") << "not a haystack";
        std::ofstream(dir / ".hidden.txt") << "skipped like glob does";
    }
    test::expect_input_error([&] { Haystack::from_folder(dir); }, {"no .txt"});
    std::ofstream(dir / "b.txt", std::ios::binary) << "fine\r\n";
    std::ofstream(dir / "a.txt", std::ios::binary) << "first\rline ";
    const Haystack ok = Haystack::from_folder(dir);
    EXPECT_EQ(ok.text(), "first\nline fine\n");
    std::ofstream(dir / "c.txt", std::ios::binary) << "ok \xFF bad";
    test::expect_input_error([&] { Haystack::from_folder(dir); },
                             {"c.txt", "not valid UTF-8 at byte 3"});
}

std::vector<std::unique_ptr<tokenizer::Tokenizer>> available_tokenizers() {
    std::vector<std::unique_ptr<tokenizer::Tokenizer>> toks;
    if (fs::exists(test::shared_data() / "tokenizers/qwen3/tokenizer.json")) {
        toks.push_back(tokenizer::load_tokenizer(test::shared_data() / "tokenizers/qwen3"));
    }
    if (tokenizer::sentencepiece_available()) {
        for (const char* dir : {"tokenizers/llama2", "models/stories260K"}) {
            if (fs::exists(test::shared_data() / dir / "tokenizer.model")) {
                toks.push_back(tokenizer::load_tokenizer(test::shared_data() / dir));
            }
        }
    }
    return toks;
}

TEST(Haystack, LeadingIdsEqualThoseOfTheWholeText) {
    HACE_REQUIRE_PATH(haystack_dir("paul_graham"));
    const Haystack pg = Haystack::from_folder(haystack_dir("paul_graham"));
    const auto toks = available_tokenizers();
    if (toks.empty()) GTEST_SKIP() << "no tokenizer available";
    // 60 KB of essays encoded in one go versus the prefix-only encoding.
    const std::string text = " " + pg.text().substr(0, 60000);
    for (const auto& tok : toks) {
        SCOPED_TRACE(tok->kind());
        const Ids full = encode_segment(*tok, text);
        for (const std::size_t n : {1u, 777u, 4000u, 9000u}) {
            ASSERT_LT(n + 100, full.size());
            EXPECT_EQ(pg.leading_ids(*tok, n, " "), Ids(full.begin(), full.begin() + n)) << n;
        }
    }
    // Past the end of the files the text starts over: 700 KB > one pass of 644 KB.
    const auto& tok = *toks.front();
    const Ids wrapped = pg.leading_ids(tok, 200000);
    const std::string again = tok.decode(wrapped, true);
    EXPECT_GT(again.size(), pg.text().size());
    EXPECT_EQ(again.compare(pg.text().size(), 200, pg.text(), 0, 200), 0);
}

std::string decode(const tokenizer::Tokenizer& tok, const Ids& ids, std::size_t from,
                   std::size_t to, bool skip_special = true) {
    return tok.decode(Ids(ids.begin() + static_cast<std::ptrdiff_t>(from),
                          ids.begin() + static_cast<std::ptrdiff_t>(to)),
                      skip_special);
}

// Properties every NIAH prompt has, whatever the tokenizer.
void check_prompt(const tokenizer::Tokenizer& tok, const NiahPrompt& p, const NiahFormat& f,
                  const NiahOptions& o) {
    const Ids needle = encode_segment(tok, o.needle.needle);
    ASSERT_EQ(p.needle_end - p.needle_begin, needle.size());
    EXPECT_EQ(Ids(p.ids.begin() + static_cast<std::ptrdiff_t>(p.needle_begin),
                  p.ids.begin() + static_cast<std::ptrdiff_t>(p.needle_end)),
              needle);
    EXPECT_EQ(p.context_end - p.context_begin, p.haystack_tokens + needle.size());
    EXPECT_EQ(p.needle_begin - p.context_begin, p.insert_at);
    // Haystack + needle fill the context minus the buffer (minus at most 3 ids when the cut
    // would split a character).
    EXPECT_LE(p.context_end - p.context_begin, p.context_length - o.buffer);
    EXPECT_GE(p.context_end - p.context_begin + 3, p.context_length - o.buffer);
    EXPECT_EQ(decode(tok, p.ids, p.context_begin, p.context_end).find(kReplacementChar),
              std::string::npos);
    // Where the needle goes: after a sentence end, and the nearest one before the depth point.
    const Ids hay = [&] {
        Ids h(p.ids.begin() + static_cast<std::ptrdiff_t>(p.context_begin),
              p.ids.begin() + static_cast<std::ptrdiff_t>(p.needle_begin));
        h.insert(h.end(), p.ids.begin() + static_cast<std::ptrdiff_t>(p.needle_end),
                 p.ids.begin() + static_cast<std::ptrdiff_t>(p.context_end));
        return h;
    }();
    if (p.depth_percent >= 100) {
        EXPECT_EQ(p.needle_end, p.context_end);
    } else {
        const auto target =
            static_cast<std::size_t>(static_cast<double>(hay.size()) * (p.depth_percent / 100.0));
        ASSERT_LE(p.insert_at, target);
        for (std::size_t j = p.insert_at; j < target; ++j) {
            EXPECT_FALSE(ends_sentence(tok, hay, j, o.sentence_terminators)) << j;
        }
        if (p.insert_at > 0) {
            const std::string before = decode(tok, hay, 0, p.insert_at);
            bool terminated = false;
            for (const auto& t : o.sentence_terminators) {
                terminated =
                    terminated || (before.size() >= t.size() &&
                                   before.compare(before.size() - t.size(), t.size(), t) == 0);
            }
            EXPECT_TRUE(terminated) << "..." << before.substr(before.size() - 40);
        } else {
            EXPECT_EQ(p.needle_begin, p.context_begin);
        }
    }
    // The wrapper text around the context.
    // (A dummy-prefix decoder drops the leading space of the text after the context.)
    const std::string tail = decode(tok, p.ids, p.context_end, p.ids.size(), false);
    EXPECT_NE(tail.find(o.needle.question), std::string::npos) << tail;
    EXPECT_TRUE(tail == f.after_context || " " + tail == f.after_context) << tail;
    EXPECT_EQ(p.format, f.name);
}

TEST(NiahPrompt, PyramidKvWrapperWithBpe) {
    HACE_REQUIRE_PATH(haystack_dir("paul_graham"));
    HACE_REQUIRE_PATH(test::shared_data() / "tokenizers/qwen3/tokenizer.json");
    const auto tok = tokenizer::load_tokenizer(test::shared_data() / "tokenizers/qwen3");
    const Haystack pg = Haystack::from_folder(haystack_dir("paul_graham"));
    const NiahOptions o;
    const NiahFormat f = pyramidkv_niah_format(o.needle.question);
    EXPECT_EQ(f.before_context + "{context}" + f.after_context,
              "<|im_start|> This is a very long story book: <book> {context} </book>.\n Based on "
              "the content of the book, Question: The best thing to do in San Francisco is: "
              "\nAnswer:");
    for (const double depth : {0.0, 11.0, 56.0, 89.0, 100.0}) {
        SCOPED_TRACE(depth);
        const NiahPrompt p = build_niah_prompt(pg, *tok, 1500, depth, f, o);
        check_prompt(*tok, p, f, o);
        // Byte-level BPE spells the text exactly: the haystack is the start of the essays.
        EXPECT_EQ(decode(*tok, p.ids, 0, p.context_begin, false),
                  "<|im_start|> This is a very long story book: <book>");
        const std::string hay = decode(*tok, p.ids, p.context_begin, p.needle_begin);
        if (p.insert_at > 0) {
            ASSERT_EQ(hay.front(), ' ');
            EXPECT_EQ(pg.text().compare(0, hay.size() - 1, hay.substr(1)), 0);
        }
        EXPECT_EQ(decode(*tok, p.ids, p.needle_begin, p.needle_end), o.needle.needle);
    }
    // A context too short for the buffer and the needle is refused.
    test::expect_input_error([&] { build_niah_prompt(pg, *tok, 220, 50, f, o); },
                             {"context length 220", "200-token buffer"});
    test::expect_input_error([&] { build_niah_prompt(pg, *tok, 2000, 101, f, o); },
                             {"depth_percent"});
}

TEST(NiahPrompt, ChatFormatSplitsTheTemplateAroundTheContext) {
    const NiahFormat llama2 = chat_niah_format(tokenizer::chat_template("llama2"), "Q? ");
    EXPECT_EQ(llama2.name, "llama2");
    EXPECT_EQ(llama2.before_context, "[INST] This is a very long story book: <book> ");
    EXPECT_EQ(llama2.after_context,
              " </book>.\n Based on the content of the book, Question: Q? \nAnswer: [/INST]");
    const NiahFormat chatml = chat_niah_format(tokenizer::chat_template("chatml"), "Q? ");
    EXPECT_EQ(chatml.before_context,
              "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nThis "
              "is a very long story book: <book> ");
    const std::string end = "\nAnswer:<|im_end|>\n<|im_start|>assistant\n";
    EXPECT_EQ(chatml.after_context.substr(chatml.after_context.size() - end.size()), end);
}

TEST(NiahPrompt, SentencePieceSpanAndPeriodTokens) {
    HACE_REQUIRE_PATH(haystack_dir("paul_graham"));
    HACE_REQUIRE_PATH(test::shared_data() / "tokenizers/llama2/tokenizer.model");
    REQUIRE_SPM();
    const auto tok = tokenizer::load_tokenizer(test::shared_data() / "tokenizers/llama2");
    ASSERT_TRUE(adds_dummy_prefix(*tok));
    const Haystack pg = Haystack::from_folder(haystack_dir("paul_graham"));
    const NiahOptions o;
    for (const auto& f :
         {pyramidkv_niah_format(o.needle.question),
          chat_niah_format(tokenizer::chat_template("llama2"), o.needle.question)}) {
        for (const double depth : {0.0, 33.0, 67.0, 100.0}) {
            SCOPED_TRACE(f.name + " " + std::to_string(depth));
            const NiahPrompt p = build_niah_prompt(pg, *tok, 3000, depth, f, o);
            check_prompt(*tok, p, f, o);
            EXPECT_EQ(p.ids.front(), tok->special_ids().bos);
            EXPECT_EQ(std::count(p.ids.begin(), p.ids.end(), tok->special_ids().bos), 1);
            // The context's leading space is the haystack's dummy prefix: "\u2581How".
            EXPECT_EQ(tok->piece(p.ids[p.context_begin]).rfind("\xE2\x96\x81", 0), 0u);
            if (depth > 0 && depth < 100) {
                // The reference's period ids for Llama are 29889 "." and 869 "\u2581.".
                const TokenId before = p.ids[p.needle_begin - 1];
                EXPECT_TRUE(before == 29889 || before == 869) << tok->piece(before);
            }
            // The needle's own text (its extra dummy-prefix space aside).
            EXPECT_EQ(decode(*tok, p.ids, p.needle_begin, p.needle_end), o.needle.needle);
        }
    }
}

TEST(NiahPrompt, ChineseHaystackCutsOnlyWholeCharacters) {
    HACE_REQUIRE_PATH(haystack_dir("zh"));
    const Haystack zh = Haystack::from_folder(haystack_dir("zh"));
    NiahOptions o;
    // The Chinese needle commented out in the KVF/HKV scripts (typo included).
    o.needle.needle =
        "\n\xE5\x9C\xA8\xE6\x97\xA7\xE9\x87\x91\xE5\xB1\xB1\xE5\x81\x9A\xE7\x9A\x84\xE6\x9C\x80"
        "\xE6\xA3\x92\xE7\x9A\x84\xE6\x98\xAF\xE4\xBA\x8B\xE6\x98\xAF\xE5\x90\x83\xE4\xB8\x80"
        "\xE4\xB8\xAA\xE4\xB8\x89\xE6\x98\x8E\xE6\xB2\xBB\xE4\xBB\xA5\xE5\x8F\x8A\xE5\x9C\xA8"
        "\xE6\x99\xB4\xE5\xA4\xA9\xE5\x9D\x90\xE5\x9C\xA8\xE5\xA4\x9A\xE6\xB4\x9B\xE9\x9B\xB7"
        "\xE6\x96\xAF\xE5\x85\xAC\xE5\x9B\xAD\xE9\x87\x8C\n";
    // Qwen3 BPE, Llama-2 and stories260K (512 pieces: Chinese goes through byte fallback, three
    // ids per character).
    const auto toks = available_tokenizers();
    if (toks.empty()) GTEST_SKIP() << "no tokenizer available";
    const NiahFormat f = pyramidkv_niah_format(o.needle.question);
    for (const auto& tok : toks) {
        for (const double depth : {0.0, 50.0, 100.0}) {
            SCOPED_TRACE(tok->kind() + " " + std::to_string(depth));
            for (const std::size_t length : {1200u, 1201u, 1202u}) {
                const NiahPrompt p = build_niah_prompt(zh, *tok, length, depth, f, o);
                check_prompt(*tok, p, f, o);
                const std::string context = decode(*tok, p.ids, p.context_begin, p.context_end);
                EXPECT_EQ(utf8_first_invalid(context), context.size());
                EXPECT_NE(context.find("\xE7\x81\xB5\xE6\xA0\xB9"), std::string::npos);  // lingen
                if (depth == 50.0) {
                    // Moved back to a Chinese full stop (U+3002).
                    const std::string before = decode(*tok, p.ids, p.context_begin, p.needle_begin);
                    EXPECT_EQ(before.substr(before.size() - 3), "\xE3\x80\x82");
                }
            }
        }
    }
}

}  // namespace
}  // namespace hace::tasks
