// Byte-level BPE tokenizers (GPT-2, OPT, Qwen3, Qwen v1 tiktoken) against goldens made with
// reference implementations (see each encodings.json: gpt-3-encoder, transformers.js), plus the
// pre-tokenizer scanners, the Unicode tables and the file-format errors.
#include <array>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/tokenizer/bpe_tokenizer.h"
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/unicode_tables.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::tokenizer {
namespace {
namespace fs = std::filesystem;
using Ids = std::vector<TokenId>;
using Pieces = std::vector<std::string_view>;

using test::expect_input_error;

fs::path tokenizers_dir() {
    return test::shared_data() / "tokenizers";
}

// Loading Qwen3's 11 MB tokenizer.json takes most of a second: load each reference once.
const Tokenizer& shared_tokenizer(const std::string& key, const std::function<fs::path()>& path) {
    static std::map<std::string, std::unique_ptr<Tokenizer>> loaded;
    auto& slot = loaded[key];
    if (!slot) slot = load_tokenizer(path());
    return *slot;
}

void write_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string base64(std::string_view bytes) {
    static constexpr char kDigits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t v = 0;
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        for (std::size_t k = 0; k < 3; ++k) {
            v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        }
        for (std::size_t k = 0; k < 4; ++k) {
            out.push_back(k <= n ? kDigits[(v >> (18 - 6 * k)) & 63] : '=');
        }
    }
    return out;
}

// A qwen.tiktoken made from Qwen3's vocab.json: Qwen2's ids are Qwen v1's ranks (the golden's
// cross-check ran js-tiktoken on the real qwen.tiktoken and agrees on all cases).
fs::path write_qwen_tiktoken(const fs::path& dir) {
    const auto vocab = read_json_file(tokenizers_dir() / "qwen3/vocab.json");
    std::string text;
    for (const auto& [piece, id] : vocab.items()) {
        text += base64(byte_level_to_bytes(piece)) + " " + std::to_string(id.get<int>()) + "\n";
    }
    const fs::path file = dir / "qwen.tiktoken";
    write_file(file, text);
    return file;
}

struct Reference {
    std::string name;
    std::vector<std::string> load;  // path(s) under tokenizers_dir(); empty part: a tiktoken
    SpecialIds special;
    std::int32_t vocab_size;
    Ids bos_prefix;  // what encode(text, true) prepends
};

void PrintTo(const Reference& r, std::ostream* os) {
    *os << r.name;
}

const std::vector<Reference> kReferences = {
    {"gpt2", {"gpt2"}, {50256, 50256, 50256, -1}, 50257, {}},
    {"opt", {"opt"}, {2, 2, 3, 1}, 50265, {2}},
    // eos and pad come from qwen3/tokenizer_config.json (<|im_end|>, <|endoftext|>).
    {"qwen3_json", {"qwen3"}, {-1, 151645, -1, 151643}, 151669, {}},
    {"qwen3_vocab_merges", {"qwen3", "vocab.json"}, {-1, 151645, -1, 151643}, 151669, {}},
    // No config next to the tiktoken file: Qwen's defaults.
    {"qwen_tiktoken", {"qwen3", ""}, {-1, 151643, -1, 151643}, 151851, {}},
};

class Golden : public ::testing::TestWithParam<Reference> {
protected:
    void SetUp() override {
        const auto& ref = GetParam();
        const fs::path dir = tokenizers_dir() / ref.load[0];
        HACE_REQUIRE_PATH(dir / "encodings.json");
        golden_ = read_json_file(dir / "encodings.json");
        tok_ = &shared_tokenizer(ref.name, [&]() -> fs::path {
            if (ref.load.size() == 1) return dir;
            if (ref.load[1].empty()) return write_qwen_tiktoken(test::temp_dir("tiktoken"));
            return dir / ref.load[1];
        });
    }

    nlohmann::json golden_;
    const Tokenizer* tok_ = nullptr;
};

TEST_P(Golden, EncodeDecodeAndPiecesMatchReference) {
    const auto& ref = GetParam();
    EXPECT_EQ(tok_->kind(), "bpe");
    EXPECT_EQ(tok_->vocab_size(), ref.vocab_size);
    const SpecialIds s = tok_->special_ids();
    EXPECT_EQ(s.bos, ref.special.bos);
    EXPECT_EQ(s.eos, ref.special.eos);
    EXPECT_EQ(s.unk, ref.special.unk);
    EXPECT_EQ(s.pad, ref.special.pad);

    const auto& cases = golden_.at("cases");
    ASSERT_EQ(cases.size(), 35u);
    std::size_t matched = 0;
    for (const auto& c : cases) {
        const auto text = c.at("text").get<std::string>();
        SCOPED_TRACE("text: " + text);
        const auto ids = c.at("ids").get<Ids>();
        const Ids got = tok_->encode(text, false);
        EXPECT_EQ(got, ids);
        matched += got == ids ? 1 : 0;
        Ids with_bos = ref.bos_prefix;
        with_bos.insert(with_bos.end(), ids.begin(), ids.end());
        EXPECT_EQ(tok_->encode(text, true), with_bos);
        const auto tokens = c.at("tokens").get<std::vector<std::string>>();
        ASSERT_EQ(tokens.size(), ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(tok_->piece(ids[i]), tokens[i]);
        EXPECT_EQ(tok_->decode(ids, true), text);
        EXPECT_EQ(tok_->decode(ids, false), text);
    }
    std::cout << "[ golden   ] " << ref.name << ": " << matched << "/35 cases match\n";
}

TEST_P(Golden, SpecialTokensAreMatchedVerbatim) {
    const TokenId eot = tok_->special_ids().eos == 151645 ? 151643 : tok_->special_ids().eos;
    const std::string eot_text = tok_->piece(eot);
    const Ids plain = tok_->encode("Hello world", false);
    std::string text = "Hello world";
    text.append(eot_text).append("Hello world");
    const Ids ids = tok_->encode(text, false);
    Ids expected = plain;
    expected.push_back(eot);
    expected.insert(expected.end(), plain.begin(), plain.end());
    EXPECT_EQ(ids, expected);
    EXPECT_EQ(tok_->decode(ids, true), "Hello worldHello world");
    EXPECT_EQ(tok_->decode(ids, false), text);
}

INSTANTIATE_TEST_SUITE_P(Bpe, Golden, ::testing::ValuesIn(kReferences),
                         [](const auto& info) { return info.param.name; });

class Qwen3 : public ::testing::Test {
protected:
    void SetUp() override {
        HACE_REQUIRE_PATH(tokenizers_dir() / "qwen3/tokenizer.json");
        json_ = &shared_tokenizer("qwen3_json", [] { return tokenizers_dir() / "qwen3"; });
        vocab_ = &shared_tokenizer("qwen3_vocab_merges",
                                   [] { return tokenizers_dir() / "qwen3/merges.txt"; });
    }
    const Tokenizer* json_ = nullptr;
    const Tokenizer* vocab_ = nullptr;
};

TEST_F(Qwen3, ChatMarkupUsesSpecialIdsOnBothLoadPaths) {
    const std::string text = "<|im_start|>user\nHi<|im_end|>\n<think>x</think>";
    const Ids expected = {151644, 872, 198, 13048, 151645, 198, 151667, 87, 151668};
    EXPECT_EQ(json_->encode(text, false), expected);
    EXPECT_EQ(vocab_->encode(text, false), expected);
    // <think> is an added token but not a special one: it stays when specials are skipped.
    EXPECT_EQ(json_->decode(expected, true), "user\nHi\n<think>x</think>");
    EXPECT_EQ(vocab_->decode(expected, true), "user\nHi\n<think>x</think>");
    const auto& bpe = dynamic_cast<const BpeTokenizer&>(*json_);
    EXPECT_TRUE(bpe.is_special(151644));
    EXPECT_FALSE(bpe.is_special(151667));
    EXPECT_EQ(bpe.token_id("<|im_end|>"), 151645);
    EXPECT_EQ(bpe.split_pattern(), SplitPattern::qwen2);
    EXPECT_TRUE(bpe.normalizes_nfc());
}

TEST_F(Qwen3, NormalisesToNfcButGpt2DoesNot) {
    const std::string composed = "caf\xC3\xA9 \xEA\xB0\x80";                 // café 가
    const std::string decomposed = "cafe\xCC\x81 \xE1\x84\x80\xE1\x85\xA1";  // e + U+0301, jamo
    EXPECT_EQ(json_->encode(decomposed, false), json_->encode(composed, false));
    EXPECT_EQ(vocab_->encode(decomposed, false), json_->encode(composed, false));
    HACE_REQUIRE_PATH(tokenizers_dir() / "gpt2/vocab.json");
    const Tokenizer* gpt2 = &shared_tokenizer("gpt2", [] { return tokenizers_dir() / "gpt2"; });
    EXPECT_NE(gpt2->encode(decomposed, false), gpt2->encode(composed, false));
    EXPECT_EQ(gpt2->decode(gpt2->encode(decomposed, false), true), decomposed);
}

TEST_F(Qwen3, InvalidUtf8EncodesAsBytesAndDecodesToReplacement) {
    const std::string bad = "a\xFF\xFE b\xE4\xBD";  // stray bytes, a truncated 3-byte sequence
    const Ids ids = json_->encode(bad, false);
    EXPECT_EQ(ids, vocab_->encode(bad, false));
    EXPECT_EQ(json_->decode(ids, true), "a\xEF\xBF\xBD\xEF\xBF\xBD b\xEF\xBF\xBD");
    // Half of a multi-byte character decodes to U+FFFD; the whole of it joins up.
    const Ids ni = json_->encode("\xE4\xBD\xA0", false);  // 你 is one token
    ASSERT_EQ(ni.size(), 1u);
    const Ids bytes = json_->encode("\xE4\xBD\xA0\xE5\xA5\xBD", false);
    EXPECT_EQ(json_->decode(bytes, true), "\xE4\xBD\xA0\xE5\xA5\xBD");
}

TEST_F(Qwen3, BadIdsAreInputErrors) {
    expect_input_error([&] { json_->decode({-1}, true); }, {"tokenizer.json", "-1"});
    expect_input_error([&] { json_->piece(151669); }, {"151669", "outside"});
}

// GPT-2 as a tokenizer.json (ByteLevel pre-tokenizer with its own regex, "a b" merges) must
// encode like vocab.json + merges.txt; add_prefix_space puts a space before the text.
TEST(Bpe, Gpt2AsTokenizerJson) {
    const fs::path src = tokenizers_dir() / "gpt2";
    HACE_REQUIRE_PATH(src / "encodings.json");
    nlohmann::json merges = nlohmann::json::array();
    std::ifstream in(src / "merges.txt");
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.rfind("#version", 0) != 0) merges.push_back(line);
    }
    nlohmann::json doc = {
        {"added_tokens", {{{"id", 50256}, {"content", "<|endoftext|>"}, {"special", true}}}},
        {"normalizer", nullptr},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}}},
        {"post_processor", {{"type", "ByteLevel"}}},
        {"decoder", {{"type", "ByteLevel"}}},
        {"model",
         {{"type", "BPE"}, {"vocab", read_json_file(src / "vocab.json")}, {"merges", merges}}},
    };
    const fs::path dir = test::temp_dir("gpt2_json");
    write_file(dir / "tokenizer.json", doc.dump());
    const auto tok = load_tokenizer(dir / "tokenizer.json");
    EXPECT_EQ(tok->special_ids().eos, 50256);
    // Keep the document alive: a range-for over a member of a temporary would dangle.
    const auto encodings = read_json_file(src / "encodings.json");
    for (const auto& c : encodings.at("cases")) {
        EXPECT_EQ(tok->encode(c.at("text").get<std::string>(), false), c.at("ids").get<Ids>());
    }
    EXPECT_EQ(tok->encode("a<|endoftext|>", false), (Ids{64, 50256}));

    doc["pre_tokenizer"]["add_prefix_space"] = true;
    write_file(dir / "tokenizer.json", doc.dump());
    const auto prefixed = load_tokenizer(dir);
    EXPECT_EQ(prefixed->encode("Hello", false), tok->encode(" Hello", false));
    EXPECT_EQ(prefixed->encode(" Hello", false), tok->encode(" Hello", false));
}

TEST(Bpe, OptHolesAreNotTokens) {
    HACE_REQUIRE_PATH(tokenizers_dir() / "opt/vocab.json");
    const auto opt = load_tokenizer(tokenizers_dir() / "opt");
    EXPECT_EQ(opt->piece(50264), "<mask>");
    expect_input_error([&] { opt->piece(50262); }, {"vocab.json", "50262", "not assigned"});
}

// A vocabulary with every byte, so that the merges below are the only multi-byte tokens.
std::string byte_vocab_json(const std::vector<std::string>& extra) {
    nlohmann::json vocab = nlohmann::json::object();
    for (unsigned b = 0; b < 256; ++b) vocab[byte_level_chars()[b]] = static_cast<int>(b);
    for (std::size_t i = 0; i < extra.size(); ++i) vocab[extra[i]] = static_cast<int>(256 + i);
    return vocab.dump();
}

// Hand-worked: in "abcab", merges rank "b c" (0) before "a b" (1), so the first three bytes go
// a|bc -> abc via "a bc" (2), and the tail ab via "a b".
TEST(Bpe, MergesApplyByRankNotByPosition) {
    const fs::path dir = test::temp_dir("bpe_hand");
    write_file(dir / "vocab.json", byte_vocab_json({"bc", "ab", "abc"}));
    write_file(dir / "merges.txt", "#version: 0.2\nb c\na b\na bc\n");
    const auto tok = load_tokenizer(dir);
    EXPECT_EQ(tok->encode("abcab", false), (Ids{258, 257}));
    EXPECT_EQ(tok->encode("abd", false), (Ids{257, 'd'}));
    EXPECT_EQ(tok->encode("abab ab", false), (Ids{257, 257, ' ', 257}));
    EXPECT_EQ(tok->decode({258, 257}, true), "abcab");
    EXPECT_EQ(tok->special_ids().bos, -1);
}

// tiktoken ranks a pair by the rank of the merged token: "bc" (256) beats "ab" (257), then
// "abc" (258) is a token, so "abc" is one token; "abd" has no "bd" and stops at ab|d.
TEST(Bpe, TiktokenMergesByRankOfTheMergedToken) {
    const fs::path dir = test::temp_dir("tiktoken_hand");
    std::string text;
    for (unsigned b = 0; b < 256; ++b) {
        text += base64(std::string(1, static_cast<char>(b))) + " " + std::to_string(b) + "\n";
    }
    text += base64("bc") + " 256\n" + base64("ab") + " 257\n" + base64("abc") + " 258\n";
    write_file(dir / "qwen.tiktoken", text);
    const auto tok = load_tokenizer(dir);
    EXPECT_EQ(tok->encode("abc", false), (Ids{258}));
    EXPECT_EQ(tok->encode("abd", false), (Ids{257, 'd'}));
    EXPECT_EQ(tok->encode("abab", false), (Ids{257, 257}));
    EXPECT_EQ(tok->encode("<|im_start|>abc<|im_end|>", false), (Ids{151644, 258, 151645}));
    EXPECT_EQ(tok->piece(258), "abc");
    EXPECT_EQ(tok->piece(' '), "\xC4\xA0");  // Ġ
    EXPECT_EQ(tok->piece(151646), "<|extra_0|>");
    EXPECT_EQ(tok->vocab_size(), 151851);
    expect_input_error([&] { tok->piece(1000); }, {"qwen.tiktoken", "1000"});
    EXPECT_EQ(tok->decode({151644, 258, 151645}, false), "<|im_start|>abc<|im_end|>");
    EXPECT_EQ(tok->decode({151644, 258, 151645}, true), "abc");
}

TEST(PreTokenizer, Gpt2Pattern) {
    const auto split = [](std::string_view t) { return pre_tokenize(t, SplitPattern::gpt2); };
    EXPECT_EQ(split("Hello  world\n\n  x "), (Pieces{"Hello", " ", " world", "\n\n ", " x", " "}));
    EXPECT_EQ(split("I'm don't 'S 'sa"), (Pieces{"I", "'m", " don", "'t", " '", "S", " '", "sa"}));
    EXPECT_EQ(split("x12345 3.5!?"), (Pieces{"x", "12345", " 3", ".", "5", "!?"}));
    EXPECT_EQ(split("\tand"), (Pieces{"\t", "and"}));
    EXPECT_EQ(split(" "), (Pieces{" "}));
    EXPECT_EQ(split(""), (Pieces{}));
}

TEST(PreTokenizer, QwenAndCl100kPatterns) {
    const auto split = [](std::string_view t) { return pre_tokenize(t, SplitPattern::qwen2); };
    EXPECT_EQ(split("I'M it'Ll x123"), (Pieces{"I", "'M", " it", "'Ll", " x", "1", "2", "3"}));
    EXPECT_EQ(split("Tabs\tand\n\nhere\r\n"), (Pieces{"Tabs", "\tand", "\n\n", "here", "\r\n"}));
    EXPECT_EQ(split("a:\n  b  \n c"), (Pieces{"a", ":\n", " ", " b", "  \n", " c"}));
    EXPECT_EQ(split("\"key\" ((x"), (Pieces{"\"key", "\"", " ((", "x"}));
    EXPECT_EQ(pre_tokenize("x1234567", SplitPattern::cl100k), (Pieces{"x", "123", "456", "7"}));
    EXPECT_EQ(split_pattern_from_regex(split_pattern_regex(SplitPattern::qwen2)),
              SplitPattern::qwen2);
    EXPECT_EQ(split_pattern_from_regex("\\s+"), std::nullopt);
}

TEST(Unicode, ClassesCoverAllPlanes) {
    using unicode::CharClass;
    using unicode::classify;
    EXPECT_EQ(classify('a'), CharClass::letter);
    EXPECT_EQ(classify(0x4E2D), CharClass::letter);   // 中
    EXPECT_EQ(classify(0x20000), CharClass::letter);  // CJK extension B
    EXPECT_EQ(classify(0x10400), CharClass::letter);  // Deseret
    EXPECT_EQ(classify(0x00B2), CharClass::number);   // superscript two (No)
    EXPECT_EQ(classify(0x2167), CharClass::number);   // Roman numeral eight (Nl)
    EXPECT_EQ(classify(0x1D7CE), CharClass::number);  // mathematical bold digit zero
    EXPECT_EQ(classify(0x3000), CharClass::whitespace);
    EXPECT_EQ(classify(0x85), CharClass::whitespace);
    EXPECT_EQ(classify(0x200D), CharClass::other);  // ZWJ
    EXPECT_EQ(classify(0x1F600), CharClass::other);
    EXPECT_EQ(classify(0x0301), CharClass::other);  // combining mark (Mn)
    EXPECT_EQ(classify(unicode::kInvalidByteBase + 0xFF), CharClass::other);
}

TEST(Unicode, Nfc) {
    using unicode::to_nfc;
    EXPECT_EQ(to_nfc("e\xCC\x81"), "\xC3\xA9");                      // é
    EXPECT_EQ(to_nfc("a\xCC\x81\xCC\xA3"), "\xE1\xBA\xA1\xCC\x81");  // reorder: ạ + U+0301
    EXPECT_EQ(to_nfc("\xE2\x84\xAB"), "\xC3\x85");                   // Angstrom sign -> Å
    EXPECT_EQ(to_nfc("\xE0\xA5\x98"), "\xE0\xA4\x95\xE0\xA4\xBC");   // excluded: stays apart
    EXPECT_EQ(to_nfc("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8"), "\xEA\xB0\x81");  // jamo -> 각
    EXPECT_EQ(to_nfc("x\xFF"
                     "e\xCC\x81"),
              "x\xFF\xC3\xA9");  // invalid byte kept
    EXPECT_EQ(to_nfc("already NFC: \xE4\xBD\xA0 \xC3\xA9"), "already NFC: \xE4\xBD\xA0 \xC3\xA9");
}

TEST(BpeErrors, BadFilesNameFileAndKey) {
    const fs::path dir = test::temp_dir("bpe_errors");
    write_file(dir / "vocab.json", byte_vocab_json({"ab"}));
    expect_input_error([&] { load_tokenizer(dir); }, {"merges.txt", "no such file"});

    write_file(dir / "merges.txt", "#version: 0.2\na b\nabc\n");
    expect_input_error([&] { load_tokenizer(dir); }, {"merges.txt", "line 3", "two tokens"});
    write_file(dir / "merges.txt", "a b\nb x\n");
    write_file(dir / "vocab.json", byte_vocab_json({"ab"}));
    expect_input_error([&] { load_tokenizer(dir); }, {"merges.txt", "line 2", "\"bx\""});

    write_file(dir / "vocab.json", "{\"a\": 1,");
    expect_input_error([&] { load_tokenizer(dir); }, {"vocab.json", "malformed JSON"});
    write_file(dir / "vocab.json", "{\"a\": \"one\"}");
    expect_input_error([&] { load_tokenizer(dir); }, {"vocab.json", "\"a\"", "integer"});
    write_file(dir / "vocab.json", "{\"a\": 0}");
    expect_input_error([&] { load_tokenizer(dir); }, {"vocab.json", "byte 0x00"});

    const fs::path json_dir = test::temp_dir("bpe_json_errors");
    write_file(json_dir / "tokenizer.json", "{\"version\": \"1.0\"}");
    expect_input_error([&] { load_tokenizer(json_dir); }, {"tokenizer.json", "\"model\""});
    auto doc = nlohmann::json::parse(
        R"({"model": {"type": "BPE", "vocab": {}, "merges": []}, "normalizer": null,
            "pre_tokenizer": {"type": "Metaspace", "replacement": "_"}})");
    doc["model"]["vocab"] = nlohmann::json::parse(byte_vocab_json({}));
    write_file(json_dir / "tokenizer.json", doc.dump());
    expect_input_error([&] { load_tokenizer(json_dir); },
                       {"tokenizer.json", "pre_tokenizer", "Metaspace"});
    doc["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "\\w+"}}}};
    write_file(json_dir / "tokenizer.json", doc.dump());
    expect_input_error([&] { load_tokenizer(json_dir); }, {"tokenizer.json", "regex", "\\w+"});
    // A Split whose behavior is not a string: named, not a JSON type_error (issue 17).
    doc["pre_tokenizer"] = {
        {"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"},
           {"pattern", {{"Regex", std::string(split_pattern_regex(SplitPattern::qwen2))}}},
           {"behavior", 5}},
          {{"type", "ByteLevel"}, {"use_regex", false}, {"add_prefix_space", false}}}}};
    write_file(json_dir / "tokenizer.json", doc.dump());
    expect_input_error(
        [&] { load_tokenizer(json_dir); },
        {"tokenizer.json", "pre_tokenizer.behavior", "expected a string, got integer"});
    doc["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}};
    doc["normalizer"] = {{"type", "NFKC"}};
    write_file(json_dir / "tokenizer.json", doc.dump());
    expect_input_error([&] { load_tokenizer(json_dir); }, {"tokenizer.json", "normalizer", "NFKC"});
    doc["normalizer"] = nullptr;
    write_file(json_dir / "tokenizer.json", doc.dump());
    EXPECT_EQ(load_tokenizer(json_dir)->encode("hi", false), (Ids{'h', 'i'}));

    write_file(json_dir / "qwen.tiktoken", "YQ== 0\nnot base64! 1\n");
    expect_input_error([&] { load_tokenizer(json_dir / "qwen.tiktoken"); },
                       {"qwen.tiktoken", "line 2"});
}

TEST(BpeErrors, MistralTokenizerJsonIsRefusedWithTheReason) {
    const fs::path file = tokenizers_dir() / "mistral-v0.1/tokenizer.json";
    HACE_REQUIRE_PATH(file);
    expect_input_error([&] { load_tokenizer(file); }, {"tokenizer.json", "byte_fallback"});
}

// About 1 MiB of pseudo-random words (Latin, CJK, numbers, punctuation), so that the piece cache
// rarely hits; a fresh tokenizer so that it starts cold.
std::string random_text(std::size_t bytes) {
    std::mt19937 rng(7);
    const auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
    std::string text;
    while (text.size() < bytes) {
        const std::uint32_t kind = pick(20);
        if (kind < 14) {
            text.push_back(' ');
            for (std::uint32_t i = 0, n = 1 + pick(12); i < n; ++i) {
                text.push_back(static_cast<char>('a' + pick(26)));
            }
        } else if (kind < 17) {
            for (std::uint32_t i = 0, n = 1 + pick(6); i < n; ++i) {
                unicode::append_utf8(text, 0x4E00 + pick(0x9FFF - 0x4E00));
            }
        } else if (kind < 19) {
            text.push_back(' ');
            text.append(std::to_string(pick(1000000)));
        } else {
            text += std::array<const char*, 5>{".", ",\n", "!\n\n", " -- ", "\t"}[pick(5)];
        }
    }
    return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(BpePerformance, OneMegabyteEncodesQuickly) {
    HACE_REQUIRE_PATH(tokenizers_dir() / "qwen3/tokenizer.json");
    const std::string text = random_text(1u << 20);
    const std::string word(1u << 20, 'a');
    for (const char* name : {"qwen3", "gpt2"}) {
        const auto tok = load_tokenizer(tokenizers_dir() / name);
        auto start = std::chrono::steady_clock::now();
        const Ids ids = tok->encode(text, false);
        const double s = seconds_since(start);
        std::cout << "[ perf     ] " << name << ": " << text.size() << " bytes -> " << ids.size()
                  << " ids in " << s << " s\n";
        EXPECT_LT(s, 5.0);
        EXPECT_EQ(tok->decode(ids, false), text);
        // One megabyte-long piece: the merge loop must not be quadratic.
        start = std::chrono::steady_clock::now();
        EXPECT_EQ(tok->decode(tok->encode(word, false), true), word);
        const double s2 = seconds_since(start);
        std::cout << "[ perf     ] " << name << ": 1 MiB single word in " << s2 << " s\n";
        EXPECT_LT(s2, 5.0);
    }
}

TEST(BpeThreads, ConcurrentEncodesAgree) {
    HACE_REQUIRE_PATH(tokenizers_dir() / "gpt2/vocab.json");
    const auto tok = load_tokenizer(tokenizers_dir() / "gpt2");
    const std::string text =
        "The quick brown fox jumps over the lazy dog. 123 \xE4\xBD\xA0\xE5\xA5\xBD";
    const Ids expected = tok->encode(text, false);
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) ok[t] += tok->encode(text, false) == expected ? 1 : 0;
        });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t) EXPECT_EQ(ok[t], 200);
}

}  // namespace
}  // namespace hace::tokenizer
