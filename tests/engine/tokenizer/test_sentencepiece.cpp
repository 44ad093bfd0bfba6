// sentencepiece tokenizers against goldens made with the reference library (python3-sentencepiece
// 0.1.97), and our decoder against the library's DecodeIds through the isolated module. Without
// the module (sanitizer builds) the same goldens run on the native backend and the checks against
// the library's own decoder are skipped; test_spm_native.cpp forces the native backend.
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/engine/tokenizer/spm_golden.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::tokenizer {
namespace {
namespace fs = std::filesystem;
using Ids = std::vector<TokenId>;

const std::string kFffd = "\xEF\xBF\xBD";

#define REQUIRE_SPM()                                              \
    do {                                                           \
        std::string why_;                                          \
        if (!sentencepiece_available(&why_)) GTEST_SKIP() << why_; \
    } while (0)

// For checks against the library itself (reference_decode).
#define REQUIRE_SPM_MODULE()                                              \
    do {                                                                  \
        std::string why_;                                                 \
        if (!sentencepiece_module_available(&why_)) GTEST_SKIP() << why_; \
    } while (0)

bool has_module() {
    return sentencepiece_module_available();
}

using test::expect_input_error;

struct Reference {
    std::string name;
    std::string dir;        // under shared_data()
    std::string encodings;  // golden file in dir
};

// Keeps test names readable in CTest ("# GetParam() = llama2").
void PrintTo(const Reference& r, std::ostream* os) {
    *os << r.name;
}

const std::vector<Reference> kReferences = {
    {"llama2", "tokenizers/llama2", "encodings.json"},
    {"mistral_v01", "tokenizers/mistral-v0.1", "encodings.json"},
    {"mistral_v03", "tokenizers/mistral-v0.3", "encodings.json"},
    {"stories260K", "models/stories260K", "tokenizer_encodings.json"},
};

fs::path llama2_dir() {
    return test::shared_data() / "tokenizers/llama2";
}

std::unique_ptr<SentencePieceTokenizer> open_spm(const fs::path& dir) {
    return std::make_unique<SentencePieceTokenizer>(dir / "tokenizer.model");
}

class Golden : public ::testing::TestWithParam<Reference> {
protected:
    void SetUp() override {
        dir_ = test::shared_data() / GetParam().dir;
        HACE_REQUIRE_PATH(dir_ / GetParam().encodings);
        REQUIRE_SPM();
        golden_ = read_json_file(dir_ / GetParam().encodings);
        tok_ = open_spm(dir_);
    }

    fs::path dir_;
    nlohmann::json golden_;
    std::unique_ptr<SentencePieceTokenizer> tok_;
};

TEST_P(Golden, EncodePiecesAndDecodeMatchReference) {
    const auto loaded = load_tokenizer(dir_);
    EXPECT_EQ(loaded->kind(), "sentencepiece");
    test::expect_matches_spm_golden(*loaded, golden_, [&](const Ids& ids, const std::string& text) {
        if (has_module()) {
            EXPECT_EQ(tok_->reference_decode(ids), text);
        }
    });
}

// Decision: skip_special drops control pieces; without it they appear as their piece text and
// the rest of the text is unchanged (the dummy-prefix space is still dropped).
TEST_P(Golden, ControlTokensSkippedOrKeptAsPieceText) {
    const auto bos = tok_->special_ids().bos;
    const auto eos = tok_->special_ids().eos;
    EXPECT_EQ(tok_->piece(bos), "<s>");
    EXPECT_EQ(tok_->piece(eos), "</s>");
    for (const auto& c : golden_.at("cases")) {
        Ids ids = {bos};
        const auto body = c.at("ids").get<Ids>();
        ids.insert(ids.end(), body.begin(), body.end());
        ids.push_back(eos);
        const auto decoded = c.at("decoded").get<std::string>();
        EXPECT_EQ(tok_->decode(ids, true), decoded);
        EXPECT_EQ(tok_->decode(ids, false), "<s>" + decoded + "</s>");
        if (has_module()) {
            EXPECT_EQ(tok_->reference_decode(ids), decoded);
        }
    }
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Random id sequences (controls, unk, text pieces, whole UTF-8 characters as byte pieces) must
// decode exactly as the library does. Broken UTF-8 is excluded: there we differ on purpose.
TEST_P(Golden, RandomSequencesMatchLibraryDecoder) {
    REQUIRE_SPM_MODULE();
    std::vector<TokenId> byte_id(256, -1), others;
    for (TokenId id = 0; id < tok_->vocab_size(); ++id) {
        const auto p = tok_->piece(id);
        if (tok_->piece_kind(id) == PieceKind::byte) {
            byte_id[std::stoul(p.substr(3, 2), nullptr, 16)] = id;
        } else {
            others.push_back(id);
        }
    }
    std::mt19937 rng(20261123);
    std::uniform_int_distribution<std::size_t> pick(0, others.size() - 1);
    std::uniform_int_distribution<std::uint32_t> code_point(0x01, 0x10FFFF);
    for (int round = 0; round < 400; ++round) {
        Ids ids;
        const int length = static_cast<int>(rng() % 24);
        for (int i = 0; i < length; ++i) {
            const auto r = rng() % 8;
            if (r == 0) {
                ids.push_back(static_cast<TokenId>(rng() % 3));  // unk, bos, eos
            } else if (r == 1) {
                std::uint32_t cp = code_point(rng);
                if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0x2581;
                std::string bytes;
                append_utf8(bytes, cp);
                for (const char b : bytes) ids.push_back(byte_id[static_cast<unsigned char>(b)]);
            } else {
                ids.push_back(others[pick(rng)]);
            }
        }
        ASSERT_EQ(tok_->decode(ids, true), tok_->reference_decode(ids)) << "round " << round;
    }
}

INSTANTIATE_TEST_SUITE_P(Shared, Golden, ::testing::ValuesIn(kReferences),
                         [](const auto& info) { return info.param.name; });

TEST(SentencePiece, LlamaSpecialIdsAndBos) {
    HACE_REQUIRE_PATH(llama2_dir());
    REQUIRE_SPM();
    const auto tok = load_tokenizer(llama2_dir() / "tokenizer.model");  // a file works too
    EXPECT_EQ(tok->special_ids().unk, 0);
    EXPECT_EQ(tok->special_ids().bos, 1);
    EXPECT_EQ(tok->special_ids().eos, 2);
    EXPECT_EQ(tok->special_ids().pad, -1);
    EXPECT_EQ(tok->piece(0), "<unk>");
    EXPECT_EQ(tok->encode("Hello world", true), (Ids{1, 15043, 3186}));
    EXPECT_EQ(tok->encode("", true), (Ids{1}));
    EXPECT_EQ(tok->encode("", false), Ids{});
    EXPECT_EQ(tok->decode({}, true), "");
}

// Where the library's leading-space and unknown rules are subtle; expected values are what
// sentencepiece 0.1.97 returns.
TEST(SentencePiece, LeadingSpaceUnknownAndBytesLikeLibrary) {
    HACE_REQUIRE_PATH(llama2_dir());
    REQUIRE_SPM();
    const auto tok = open_spm(llama2_dir());
    const std::vector<std::pair<Ids, std::string>> cases = {
        {{0}, " \u2047 "},
        {{0, 15043}, " \u2047  Hello"},
        {{1, 0, 15043}, " \u2047  Hello"},
        {{15043, 1, 15043}, "Hello Hello"},
        {{29871}, ""},
        {{29871, 29871}, " "},
        {{29871, 0}, " \u2047 "},
        {{1, 29871, 15043}, " Hello"},
        {{2, 15043}, "Hello"},
        {{35, 15043}, "  Hello"},  // <0x20>: a byte run counts as the first text
        {{13, 15043}, "\n Hello"},
        {{229, 153, 132, 15043}, "\u2581 Hello"},  // U+2581 spelled in bytes stays literal
        {{243, 162, 155, 131}, "\U0001F600"},
    };
    for (const auto& [ids, expected] : cases) {
        EXPECT_EQ(tok->decode(ids, true), expected);
        if (has_module()) {
            EXPECT_EQ(tok->reference_decode(ids), expected);
        }
    }
}

// The unknown surface comes from the model, like the library: stories260K stores an escaped one.
TEST(SentencePiece, UnknownSurfaceComesFromTheModel) {
    HACE_REQUIRE_PATH(llama2_dir());
    const auto stories = test::shared_data() / "models/stories260K";
    HACE_REQUIRE_PATH(stories);
    REQUIRE_SPM();
    EXPECT_EQ(open_spm(llama2_dir())->unknown_surface(), " \u2047 ");
    const auto tok = open_spm(stories);
    EXPECT_EQ(tok->unknown_surface(), " \\342\\201\\207 ");
    EXPECT_EQ(tok->decode({0, 0}, true), " \\342\\201\\207  \\342\\201\\207 ");
    if (has_module()) {
        EXPECT_EQ(tok->decode({0, 0}, true), tok->reference_decode({0, 0}));
    }
}

TEST(SentencePiece, InvalidUtf8BecomesReplacementPerMaximalSubpart) {
    HACE_REQUIRE_PATH(llama2_dir());
    REQUIRE_SPM();
    const auto tok = open_spm(llama2_dir());
    auto b = [](unsigned byte) { return static_cast<TokenId>(byte + 3); };  // <0xNN> ids
    // A truncated character is one replacement here; sentencepiece 0.1.97 gives one per byte.
    EXPECT_EQ(tok->decode({b(0xF0), b(0x9F)}, true), kFffd);
    EXPECT_EQ(tok->decode({b(0xF0), 15043}, true), kFffd + " Hello");
    EXPECT_EQ(tok->decode({b(0xC0), b(0x80)}, true), kFffd + kFffd);
    EXPECT_EQ(tok->decode({b(0xED), b(0xA0), b(0x80)}, true), kFffd + kFffd + kFffd);
}

TEST(SentencePiece, OutOfRangeIdsAreInputErrors) {
    HACE_REQUIRE_PATH(llama2_dir());
    REQUIRE_SPM();
    const auto tok = open_spm(llama2_dir());
    expect_input_error([&] { tok->decode({15043, 32000}, true); }, {"32000", "tokenizer.model"});
    expect_input_error([&] { tok->piece(-1); }, {"-1"});
}

TEST(SentencePiece, ConcurrentEncodeIsConsistent) {
    HACE_REQUIRE_PATH(llama2_dir() / "encodings.json");
    REQUIRE_SPM();
    const auto tok = load_tokenizer(llama2_dir());
    const auto golden = read_json_file(llama2_dir() / "encodings.json");
    std::vector<int> failures(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < failures.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 10; ++round) {
                for (const auto& c : golden.at("cases")) {
                    const auto ids = tok->encode(c.at("text").get<std::string>(), false);
                    if (ids != c.at("ids").get<Ids>()) ++failures[t];
                    if (tok->decode(ids, true) != c.at("decoded").get<std::string>()) {
                        ++failures[t];
                    }
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures, std::vector<int>(4, 0));
}

TEST(SentencePiece, MissingPathsAreInputErrors) {
    const fs::path missing = test::temp_dir("spm-missing") / "nope";
    expect_input_error([&] { load_tokenizer(missing); }, {missing.string()});
    expect_input_error([&] { load_tokenizer(missing / "tokenizer.model"); },
                       {(missing / "tokenizer.model").string()});
    expect_input_error([&] { SentencePieceTokenizer t(missing / "x.model"); },
                       {(missing / "x.model").string(), "no such file"});
}

TEST(SentencePiece, CorruptModelIsInputError) {
    REQUIRE_SPM();
    const fs::path dir = test::temp_dir("spm-corrupt");
    std::mt19937 rng(7);
    {
        std::ofstream out(dir / "tokenizer.model", std::ios::binary);
        for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(rng() & 0xFF));
    }
    expect_input_error([&] { load_tokenizer(dir); },
                       {(dir / "tokenizer.model").string(), "not a valid sentencepiece model"});
    const fs::path empty = dir / "empty.model";
    std::ofstream(empty).close();
    expect_input_error([&] { load_tokenizer(empty); },
                       {empty.string(), "not a valid sentencepiece model"});
}

TEST(SentencePiece, FoldersWithoutSentencePiece) {
    // A folder with vocab.json but no merges.txt is a broken byte-level BPE tokenizer.
    const fs::path dir = test::temp_dir("spm-bpe");
    std::ofstream(dir / "vocab.json") << "{}";
    expect_input_error([&] { load_tokenizer(dir); }, {"merges.txt"});

    // A real byte-level BPE folder loads through the BPE tokenizer, not sentencepiece.
    const fs::path gpt2 = test::shared_data() / "tokenizers/gpt2";
    if (fs::exists(gpt2)) {
        EXPECT_EQ(load_tokenizer(gpt2)->kind(), "bpe");
    }

    const fs::path empty = test::temp_dir("spm-empty");
    expect_input_error([&] { load_tokenizer(empty); }, {empty.string(), "no tokenizer found"});
    std::ofstream(empty / "config.json") << "{}";
    expect_input_error([&] { load_tokenizer(empty / "config.json"); },
                       {"unrecognised tokenizer file"});
}

// Built out, the native backend tokenizes; forcing the module says why it cannot.
TEST(SentencePiece, BuiltOutSaysSo) {
    if (HACE_TEST_WITH_SPM) GTEST_SKIP() << "built with HACE_WITH_SPM=ON";
    HACE_REQUIRE_PATH(llama2_dir());
    EXPECT_EQ(open_spm(llama2_dir())->backend(), SpmBackend::native);
    ::setenv("HACE_SPM_BACKEND", "module", 1);
    std::string why;
    EXPECT_FALSE(sentencepiece_available(&why));
    EXPECT_NE(why.find("built out"), std::string::npos);
    expect_input_error([&] { load_tokenizer(llama2_dir()); },
                       {"tokenizer.model", "sentencepiece support was built out"});
    ::unsetenv("HACE_SPM_BACKEND");
}

// The module is opened once per process, so the override is tested in a fresh child process.
TEST(SentencePieceDeathTest, ModuleOverrideThatDoesNotExist) {
    if (!HACE_TEST_WITH_SPM) GTEST_SKIP() << "built with HACE_WITH_SPM=OFF";
    HACE_REQUIRE_PATH(llama2_dir());
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            ::setenv("HACE_SPM_MODULE", "/nonexistent/libhace_spm.so", 1);
            ::setenv("HACE_SPM_BACKEND", "module", 1);  // else the native backend steps in
            try {
                load_tokenizer(llama2_dir());
            } catch (const InputError& e) {
                std::fprintf(stderr, "%s\n", e.what());
                std::exit(3);
            }
            std::exit(0);
        },
        ::testing::ExitedWithCode(3),
        "sentencepiece module not found at /nonexistent/libhace_spm.so \\(from HACE_SPM_MODULE\\)");
}

// Decoder rules that need no model.
TEST(PieceDecoderTest, DummyPrefixAndControls) {
    PieceDecoder skip(true);
    for (auto p : {"\u2581Hello", "\u2581world", "!"}) skip.add(p, PieceKind::normal);
    EXPECT_EQ(skip.text(), "Hello world!");

    PieceDecoder keep(false);
    keep.add("<s>", PieceKind::control);
    keep.add("\u2581Hi\u2581\u2581there", PieceKind::normal);
    keep.add("</s>", PieceKind::control);
    EXPECT_EQ(keep.text(), "<s>Hi  there</s>");

    PieceDecoder malformed(true);
    malformed.add("<0xZZ>", PieceKind::byte);  // shown as text, not dropped
    EXPECT_EQ(malformed.text(), "<0xZZ>");
}

TEST(PieceDecoderTest, StreamingJoinsSplitCharacters) {
    PieceDecoder d(true);
    d.add("<0xF0>", PieceKind::byte);
    d.add("<0x9F>", PieceKind::byte);
    EXPECT_EQ(d.text(), kFffd);  // incomplete so far
    d.add("<0x98>", PieceKind::byte);
    d.add("<0x80>", PieceKind::byte);
    EXPECT_EQ(d.text(), "\U0001F600");
    d.add("\u2581ok", PieceKind::normal);
    EXPECT_EQ(d.text(), "\U0001F600 ok");
}

TEST(Utf8Test, SanitizeReplacesMaximalInvalidSubparts) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"plain ascii", "plain ascii"},
        {"\u00e9\u4e2d\U0001F600", "\u00e9\u4e2d\U0001F600"},
        {"\x80", kFffd},
        {"\xFF\xFE", kFffd + kFffd},
        {"\xC0\xAF", kFffd + kFffd},                          // overlong lead never valid
        {"\xE0\x80\x80", kFffd + kFffd + kFffd},              // overlong 3-byte form
        {"\xED\xA0\x80", kFffd + kFffd + kFffd},              // surrogate
        {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd},  // above U+10FFFF
        {"\xE2\x82", kFffd},                                  // truncated: one replacement
        {std::string("\xE2\x82") + "A", kFffd + "A"},
        {"\xF0\x9F\x98", kFffd},
        {std::string("\xF0\x9F\x98") + "\U0001F600", kFffd + "\U0001F600"},
        {"a\xC3", "a" + kFffd},
    };
    for (const auto& [in, expected] : cases) EXPECT_EQ(sanitize_utf8(in), expected);
}

}  // namespace
}  // namespace hace::tokenizer
