// The native sentencepiece backend (spm_model_proto + spm_bpe_encoder): the reference goldens,
// differential runs against the library module over real text, hand-checkable merge cases on
// tiny models written here, and the reader's errors on malformed files.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <tuple>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "engine/tokenizer/spm_bpe_encoder.h"
#include "engine/tokenizer/spm_model_proto.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/engine/tokenizer/spm_golden.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::tokenizer {
namespace {
namespace fs = std::filesystem;
using Ids = std::vector<TokenId>;
using test::expect_input_error;

const std::string kSpace = "\u2581";
const std::string kFffd = "\uFFFD";

// Sets $HACE_SPM_BACKEND for one scope (tests run one per process, single-threaded here).
class BackendEnv {
public:
    explicit BackendEnv(const char* value) {
        if (const char* old = std::getenv("HACE_SPM_BACKEND")) old_ = old;
        if (value == nullptr) {
            ::unsetenv("HACE_SPM_BACKEND");
        } else {
            ::setenv("HACE_SPM_BACKEND", value, 1);
        }
    }
    ~BackendEnv() {
        if (old_.empty()) {
            ::unsetenv("HACE_SPM_BACKEND");
        } else {
            ::setenv("HACE_SPM_BACKEND", old_.c_str(), 1);
        }
    }
    BackendEnv(const BackendEnv&) = delete;
    BackendEnv& operator=(const BackendEnv&) = delete;

private:
    std::string old_;
};

std::unique_ptr<SentencePieceTokenizer> open_with(const fs::path& model, const char* backend) {
    const BackendEnv env(backend);
    return std::make_unique<SentencePieceTokenizer>(model);
}

struct Reference {
    std::string name;
    std::string dir;        // under shared_data()
    std::string encodings;  // golden file in dir
};

void PrintTo(const Reference& r, std::ostream* os) {
    *os << r.name;
}

const std::vector<Reference> kReferences = {
    {"llama2", "tokenizers/llama2", "encodings.json"},
    {"mistral_v01", "tokenizers/mistral-v0.1", "encodings.json"},
    {"mistral_v03", "tokenizers/mistral-v0.3", "encodings.json"},
    {"stories260K", "models/stories260K", "tokenizer_encodings.json"},
};

class NativeGolden : public ::testing::TestWithParam<Reference> {
protected:
    void SetUp() override {
        dir_ = test::shared_data() / GetParam().dir;
        HACE_REQUIRE_PATH(dir_ / GetParam().encodings);
        golden_ = read_json_file(dir_ / GetParam().encodings);
        native_ = open_with(dir_ / "tokenizer.model", "native");
    }

    fs::path dir_;
    nlohmann::json golden_;
    std::unique_ptr<SentencePieceTokenizer> native_;
};

TEST_P(NativeGolden, EncodesLikeTheReference) {
    ASSERT_EQ(native_->backend(), SpmBackend::native);
    test::expect_matches_spm_golden(*native_, golden_);
}

// The piece table, kinds, special ids and unknown surface read natively equal the library's.
TEST_P(NativeGolden, PieceTableMatchesModule) {
    std::string why;
    if (!sentencepiece_module_available(&why)) GTEST_SKIP() << why;
    const auto module = open_with(dir_ / "tokenizer.model", "module");
    ASSERT_EQ(module->backend(), SpmBackend::module);
    ASSERT_EQ(native_->vocab_size(), module->vocab_size());
    for (TokenId id = 0; id < module->vocab_size(); ++id) {
        ASSERT_EQ(native_->piece(id), module->piece(id)) << id;
        ASSERT_EQ(native_->piece_kind(id), module->piece_kind(id)) << id;
    }
    const auto a = native_->special_ids();
    const auto b = module->special_ids();
    EXPECT_EQ(std::tie(a.bos, a.eos, a.unk, a.pad), std::tie(b.bos, b.eos, b.unk, b.pad));
    EXPECT_EQ(native_->unknown_surface(), module->unknown_surface());
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The first ~limit bytes, cut before a character start so the text stays valid UTF-8.
std::string head_of(std::string text, std::size_t limit) {
    if (text.size() <= limit) return text;
    while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) --limit;
    text.resize(limit);
    return text;
}

// Texts for the differential test: every haystack file whole (the two novels' first 200 KB),
// random byte-cut chunks of them
// (so many start or end inside a UTF-8 character), and hand-made oddities.
std::vector<std::string> differential_texts(bool whole_files) {
    std::vector<std::string> corpus;
    for (const char* sub : {"haystack/paul_graham", "haystack/zh"}) {
        const fs::path dir = test::shared_data() / sub;
        if (!fs::exists(dir)) continue;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir)) {
            if (e.path().extension() == ".txt") files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& f : files) corpus.push_back(head_of(read_text(f), 200000));
    }
    std::vector<std::string> texts;
    if (whole_files) texts = corpus;
    std::mt19937 rng(20261203);
    for (const auto& doc : corpus) {
        if (doc.empty()) continue;
        for (int i = 0; i < 12; ++i) {
            const std::size_t begin = rng() % doc.size();
            const std::size_t length = 1 + rng() % 600;
            texts.push_back(doc.substr(begin, length));
        }
    }
    const std::vector<std::string> odd = {
        "",
        " ",
        "   ",
        "\t\n\r\v\f",
        "  two  leading and   inner   runs  ",
        "\u3000ideographic\u3000space\u00a0nbsp",
        "\u2581literal\u2581\u2581lower blocks\u2581",
        "\u2581",
        "emoji \U0001F600\U0001F44D\U0001F3FD \u2764\uFE0F \U0001F1FA\U0001F1F8 "
        "\U0001F468\u200D\U0001F469\u200D\U0001F467",
        "bad \xF0\x9F utf8 \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \xFF\xFE end\xE2\x82",
        std::string("nul\0inside", 10),
        "\xEF\xBF\xBD real replacement",
        "[INST] tags [/INST] and [REFERENCE_DOC_3] user-defined [REFERENCE_DOC_12]x",
        "<s> </s> <unk> <0x41> as plain text",
        "\u00e9\u0301 combining, \u1100\u1161 jamo, \U00010348 gothic, \U0010FFFD private",
        std::string(3000, 'a'),
        std::string(500, ' ') + "x" + std::string(500, ' '),
    };
    texts.insert(texts.end(), odd.begin(), odd.end());
    return texts;
}

// Native and module encodings agree over real and odd text (needs the module).
TEST_P(NativeGolden, AgreesWithModuleOnRealText) {
    std::string why;
    if (!sentencepiece_module_available(&why)) GTEST_SKIP() << why;
    const auto module = open_with(dir_ / "tokenizer.model", "module");
    // Whole files only for the two large vocabularies that differ most (user-defined pieces in
    // v0.3); the chunks cover every model.
    const bool whole = GetParam().name == "llama2" || GetParam().name == "mistral_v03";
    int compared = 0;
    for (const auto& text : differential_texts(whole)) {
        const auto expected = module->encode(text, false);
        const auto got = native_->encode(text, false);
        if (got != expected) {
            ADD_FAILURE() << "differs on " << text.size() << " bytes: " << text.substr(0, 200);
            return;
        }
        ++compared;
    }
    EXPECT_GT(compared, 300);
}

INSTANTIATE_TEST_SUITE_P(Shared, NativeGolden, ::testing::ValuesIn(kReferences),
                         [](const auto& info) { return info.param.name; });

// Without the module the native backend still decodes what it encodes (round trip over the
// haystack), and a long haystack encodes to a plausible count.
TEST(SpmNative, HaystackRoundTrip) {
    const fs::path model = test::shared_data() / "tokenizers/llama2/tokenizer.model";
    HACE_REQUIRE_PATH(model);
    const auto tok = open_with(model, "native");
    std::string all;
    for (const auto& text : differential_texts(true)) {
        if (text.size() > 1000) all += text;
    }
    if (all.empty()) GTEST_SKIP() << "no haystack";
    const auto ids = tok->encode(all, false);
    // English and Chinese prose: 2.5 to 5 bytes a token for this vocabulary.
    EXPECT_GT(ids.size(), all.size() / 5);
    EXPECT_LT(ids.size(), all.size() / 2);
    // Decoding gives back the text up to sentencepiece's normalization: invalid UTF-8 was never
    // in these files, and Llama keeps whitespace, so the round trip is exact.
    EXPECT_EQ(tok->decode(ids, true), all);
}

// --- tiny models built here --------------------------------------------------------------

// A protobuf writer for the few field kinds a ModelProto uses.
std::string varint(std::uint64_t v) {
    std::string out;
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
    return out;
}
std::string key(int field, int wire) {
    return varint(static_cast<std::uint64_t>(field) << 3 | static_cast<std::uint64_t>(wire));
}
std::string bytes_field(int field, std::string_view value) {
    return key(field, 2) + varint(value.size()) + std::string(value);
}
std::string varint_field(int field, std::uint64_t value) {
    return key(field, 0) + varint(value);
}
std::string float_field(int field, float value) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    std::string out = key(field, 5);
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
    return out;
}

struct TinyPiece {
    std::string text;
    float score;
    int type;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
};

struct TinySpec {
    std::vector<TinyPiece> pieces;
    int model_type = 2;  // BPE
    bool byte_fallback = false;
    std::string normalizer = bytes_field(1, "identity") + varint_field(3, 0) +
                             varint_field(4, 0);  // no dummy prefix, keep whitespace
};

std::string serialize(const TinySpec& spec) {
    std::string out;
    for (const auto& p : spec.pieces) {
        out += bytes_field(1, bytes_field(1, p.text) + float_field(2, p.score) +
                                  varint_field(3, static_cast<std::uint64_t>(p.type)));
    }
    out += bytes_field(2, varint_field(3, static_cast<std::uint64_t>(spec.model_type)) +
                              varint_field(35, spec.byte_fallback ? 1 : 0));
    out += bytes_field(3, spec.normalizer);
    return out;
}

// <unk>=0 <s>=1 </s>=2, then the given pieces from id 3.
TinySpec tiny(std::vector<TinyPiece> pieces) {
    TinySpec spec;
    spec.pieces = {{"<unk>", 0, 2}, {"<s>", 0, 3}, {"</s>", 0, 3}};
    spec.pieces.insert(spec.pieces.end(), pieces.begin(), pieces.end());
    return spec;
}

Ids encode_tiny(const TinySpec& spec, std::string_view text) {
    const auto model = spm::parse_model_proto(serialize(spec), "tiny.model");
    const spm::BpeEncoder encoder(model, "tiny.model");
    return encoder.encode(text);
}

// ids: a=3 b=4 c=5 d=6, then the merged pieces.
TEST(SpmNativeMerge, HighestScoreFirstAndLeftmostOnTies) {
    const std::vector<TinyPiece> chars = {
        {"a", -10, 1}, {"b", -10, 1}, {"c", -10, 1}, {"d", -10, 1}};
    auto with = [&](std::vector<TinyPiece> merged) {
        auto all = chars;
        all.insert(all.end(), merged.begin(), merged.end());
        return tiny(all);
    };
    // ab=7 and bc=8 tie: the leftmost pair (a,b) merges, then "abc" is no piece.
    EXPECT_EQ(encode_tiny(with({{"ab", -1, 1}, {"bc", -1, 1}}), "abc"), (Ids{7, 5}));
    // bc scores higher: it wins although it is further right.
    EXPECT_EQ(encode_tiny(with({{"ab", -2, 1}, {"bc", -1, 1}}), "abc"), (Ids{3, 8}));
    // ab=7, cd=8, abcd=9: ab (leftmost of the tie), cd, then the merged pair.
    EXPECT_EQ(encode_tiny(with({{"ab", -1, 1}, {"cd", -1, 1}, {"abcd", -3, 1}}), "abcd"), (Ids{9}));
    // A better bc=10 takes b and c first, and neither abc nor bcd exists.
    EXPECT_EQ(encode_tiny(with({{"ab", -1, 1}, {"cd", -1, 1}, {"abcd", -3, 1}, {"bc", -0.5F, 1}}),
                          "abcd"),
              (Ids{3, 10, 6}));
    // Repeats: "aaaa" with aa=7 merges pairs left to right, then aaaa=8.
    EXPECT_EQ(encode_tiny(tiny({{"a", -10, 1}, {"aa", -1, 1}, {"aaaa", -2, 1}}), "aaaaa"),
              (Ids{5, 3}));
    // Control pieces never merge and plain text "<s>" is three characters.
    EXPECT_EQ(encode_tiny(with({}), "ab<s>"), (Ids{3, 4, 0}));
}

TEST(SpmNativeMerge, UnusedPiecesAreSplitBack) {
    // x=3 y=4 z=5, xy=6 unused, xyz=7.
    const auto spec =
        tiny({{"x", -10, 1}, {"y", -10, 1}, {"z", -10, 1}, {"xy", 0, 5}, {"xyz", -1, 1}});
    EXPECT_EQ(encode_tiny(spec, "xy"), (Ids{3, 4}));  // merged, then resegmented
    EXPECT_EQ(encode_tiny(spec, "xyz"), (Ids{7}));    // the unused piece was a step to xyz
    EXPECT_EQ(encode_tiny(spec, "zxy"), (Ids{5, 3, 4}));
}

TEST(SpmNativeMerge, ByteFallbackAndUnknownRuns) {
    // a=3, <0xC3>=4, <0xA9>=5; no <0x3F> piece, so '?' falls back to unk.
    auto spec = tiny({{"a", -1, 1}, {"<0xC3>", 0, 6}, {"<0xA9>", 0, 6}});
    spec.byte_fallback = true;
    EXPECT_EQ(encode_tiny(spec, "a\u00e9?a"), (Ids{3, 4, 5, 0, 3}));
    // Without byte fallback a run of unknown characters is one unk.
    auto plain = tiny({{"a", -1, 1}});
    EXPECT_EQ(encode_tiny(plain, "a\u00e9?\u4e2da?"), (Ids{3, 0, 3, 0}));
    // Invalid UTF-8 is U+FFFD per byte before encoding: unknown here.
    EXPECT_EQ(encode_tiny(plain, "a\xF0\x9F"), (Ids{3, 0}));
    // U+FFFD is a piece: each invalid byte becomes it.
    auto fffd = tiny({{"a", -1, 1}, {kFffd, -1, 1}});
    EXPECT_EQ(encode_tiny(fffd,
                          "\xF0\x9F"
                          "a\xC3"),
              (Ids{4, 4, 3, 4}));
}

TEST(SpmNativeMerge, UserDefinedPiecesAreFrozenLongestFirst) {
    // a=3 b=4 [=5 ]=6 X=7, [X]=8 and [X]]=9 user-defined, ab=10, a[=11 (never reached).
    const auto spec = tiny({{"a", -5, 1},
                            {"b", -5, 1},
                            {"[", -5, 1},
                            {"]", -5, 1},
                            {"X", -5, 1},
                            {"[X]", 0, 4},
                            {"[X]]", 0, 4},
                            {"ab", -1, 1},
                            {"a[", 10, 1}});
    EXPECT_EQ(encode_tiny(spec, "a[X]b"), (Ids{3, 8, 4}));
    EXPECT_EQ(encode_tiny(spec, "a[X]]ab"), (Ids{3, 9, 10}));
    EXPECT_EQ(encode_tiny(spec, "a[Xb"), (Ids{11, 7, 4}));  // no match: plain characters
}

TEST(SpmNativeNormalize, DummyPrefixWhitespaceAndInvalidBytes) {
    auto spec = tiny({{"a", -1, 1}});
    // The proto's defaults: dummy prefix, remove extra whitespace, escape spaces.
    spec.normalizer = bytes_field(1, "identity");
    const auto model = spm::parse_model_proto(serialize(spec), "n.model");
    const spm::BpeEncoder defaults(model, "n.model");
    EXPECT_EQ(defaults.normalize("  a   b  "), kSpace + "a" + kSpace + "b");
    EXPECT_EQ(defaults.normalize("   "), "");
    EXPECT_EQ(defaults.normalize(""), "");
    EXPECT_EQ(defaults.normalize("a\xF0\x9F"), kSpace + "a" + kFffd + kFffd);
    EXPECT_EQ(defaults.normalize("a\t b"), kSpace + "a\t" + kSpace + "b");
    EXPECT_EQ(defaults.normalize("a" + kSpace), kSpace + "a");  // trailing U+2581 goes too

    // Llama's: dummy prefix, whitespace kept.
    spec.normalizer = bytes_field(1, "identity") + varint_field(4, 0);
    const auto llama_model = spm::parse_model_proto(serialize(spec), "l.model");
    const spm::BpeEncoder llama(llama_model, "l.model");
    EXPECT_EQ(llama.normalize(" a  b "), kSpace + kSpace + "a" + kSpace + kSpace + "b" + kSpace);
    EXPECT_EQ(llama.normalize(""), "");

    // No escaping: spaces stay spaces, the dummy prefix is a space too.
    spec.normalizer = bytes_field(1, "identity") + varint_field(4, 0) + varint_field(5, 0);
    const auto raw_model = spm::parse_model_proto(serialize(spec), "r.model");
    EXPECT_EQ(spm::BpeEncoder(raw_model, "r.model").normalize("a b"), " a b");
}

TEST(SpmNativeModel, ReadsTheTrainerAndNormalizerSpecs) {
    const fs::path path = test::shared_data() / "models/stories260K/tokenizer.model";
    HACE_REQUIRE_PATH(path);
    const auto model = spm::read_model_proto(path);
    EXPECT_EQ(model.pieces.size(), 512u);
    EXPECT_EQ(model.model_type, spm::ModelType::bpe);
    EXPECT_TRUE(model.byte_fallback);
    EXPECT_EQ(model.normalizer_name, "identity");
    EXPECT_EQ(model.precompiled_charsmap_size, 0u);
    EXPECT_TRUE(model.add_dummy_prefix);          // absent: proto default
    EXPECT_TRUE(model.remove_extra_whitespaces);  // absent: proto default
    EXPECT_EQ(model.unk_surface, " \\342\\201\\207 ");
    EXPECT_EQ(model.pieces[0].type, spm::PieceType::unknown);
    EXPECT_EQ(model.pieces[3].text, "<0x00>");
    EXPECT_EQ(model.pieces[3].type, spm::PieceType::byte);

    const fs::path llama = test::shared_data() / "tokenizers/llama2/tokenizer.model";
    HACE_REQUIRE_PATH(llama);
    const auto l = spm::read_model_proto(llama);
    EXPECT_FALSE(l.remove_extra_whitespaces);
    EXPECT_EQ(l.pieces.size(), 32000u);
    EXPECT_EQ(l.pieces[15043].text, kSpace + "Hello");
    EXPECT_LT(l.pieces[15043].score, 0.0F);
}

// --- errors --------------------------------------------------------------------------------

void expect_parse_error(const std::string& bytes, const std::vector<std::string>& words) {
    expect_input_error([&] { spm::parse_model_proto(bytes, "bad.model"); }, words);
}

TEST(SpmNativeModel, MalformedFilesAreInputErrors) {
    const auto good = tiny({{"a", -1, 1}});
    const std::string ok = serialize(good);
    ASSERT_NO_THROW(spm::parse_model_proto(ok, "ok.model"));
    const std::string invalid = "not a valid sentencepiece model";
    expect_parse_error("", {"bad.model", invalid, "empty file"});
    expect_parse_error(ok.substr(0, 5), {"bad.model", invalid});
    expect_parse_error(key(1, 2) + varint(1000) + "abc", {"claims 1000 bytes"});
    expect_parse_error(std::string("\x0A\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 11), {"varint"});
    expect_parse_error(ok + key(7, 3), {"wire type 3"});
    expect_parse_error(ok + std::string(1, '\0'), {"invalid field number 0"});
    expect_parse_error(ok + varint_field(1, 4), {"field 1 is varint, expected length-delimited"});

    auto bad_type = good;
    bad_type.pieces.push_back({"b", 0, 9});
    expect_parse_error(serialize(bad_type), {"piece 4", "unknown piece type 9"});
    auto nan_score = good;
    nan_score.pieces.push_back({"b", std::nanf(""), 1});
    expect_parse_error(serialize(nan_score), {"piece 4", "score is not a number"});
    auto duplicate = good;
    duplicate.pieces.push_back({"a", 0, 1});
    expect_parse_error(serialize(duplicate), {"piece 4", "defined twice"});
    auto empty_piece = good;
    empty_piece.pieces.push_back({"", 0, 1});
    expect_parse_error(serialize(empty_piece), {"piece 4", "empty piece text"});
    TinySpec no_unk;
    no_unk.pieces = {{"a", 0, 1}};
    expect_parse_error(serialize(no_unk), {"no unknown piece"});
    auto bytes_off = good;
    bytes_off.pieces.push_back({"<0x41>", 0, 6});
    expect_parse_error(serialize(bytes_off), {"byte_fallback is off"});
    auto bytes_on = good;
    bytes_on.byte_fallback = true;
    expect_parse_error(serialize(bytes_on), {"no byte pieces"});
    auto bad_model_type = good;
    bad_model_type.model_type = 7;
    expect_parse_error(serialize(bad_model_type), {"unknown model_type 7"});
}

// Every prefix of a real model and many corrupted copies either parse or give an InputError
// naming the file; prefixes that cut a field are always errors.
TEST(SpmNativeModel, TruncatedAndCorruptedRealModel) {
    const fs::path path = test::shared_data() / "models/stories260K/tokenizer.model";
    HACE_REQUIRE_PATH(path);
    const std::string bytes = read_text(path);
    int errors = 0;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        try {
            spm::parse_model_proto(bytes.substr(0, n), "cut.model");
        } catch (const InputError& e) {
            ASSERT_NE(std::string(e.what()).find("cut.model: "), std::string::npos) << e.what();
            ++errors;
        }
    }
    // The first piece (<unk>) ends near byte 13, so almost every prefix is an error: those that
    // stop inside a field, and all before the unknown piece.
    EXPECT_GT(errors, static_cast<int>(bytes.size()) / 2);
    expect_input_error([&] { spm::parse_model_proto(bytes.substr(0, bytes.size() - 1), "x"); },
                       {"x: not a valid sentencepiece model", "field 3 claims"});

    std::mt19937 rng(11);
    for (int round = 0; round < 3000; ++round) {
        std::string copy = bytes;
        const int flips = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < flips; ++i) {
            copy[rng() % copy.size()] = static_cast<char>(rng() & 0xFF);
        }
        try {
            const auto model = spm::parse_model_proto(copy, "flip.model");
            if (!spm::native_unsupported_reason(model)) {
                const spm::BpeEncoder encoder(model, "flip.model");
                (void)encoder.encode("Once upon a time \xF0\x9F\x98\x80 \xFF");
            }
        } catch (const InputError& e) {
            ASSERT_NE(std::string(e.what()).find("flip.model: "), std::string::npos) << e.what();
        }
    }
}

TEST(SpmNativeModel, UnsupportedModelsNeedTheModule) {
    const fs::path dir = test::temp_dir("spm-native-unsupported");
    auto unigram = tiny({{"a", -1, 1}});
    unigram.model_type = 1;
    std::ofstream(dir / "unigram.model", std::ios::binary) << serialize(unigram);
    auto nfkc = tiny({{"a", -1, 1}});
    nfkc.normalizer = bytes_field(1, "nmt_nfkc") + bytes_field(2, std::string(64, '\x01'));
    std::ofstream(dir / "nfkc.model", std::ios::binary) << serialize(nfkc);

    const BackendEnv env("native");
    expect_input_error([&] { SentencePieceTokenizer t(dir / "unigram.model"); },
                       {"unigram.model", "unigram", "sentencepiece module is needed"});
    expect_input_error(
        [&] { SentencePieceTokenizer t(dir / "nfkc.model"); },
        {"nfkc.model", "nmt_nfkc", "precompiled charsmap", "sentencepiece module is needed"});
}

TEST(SpmNativeBackend, EnvironmentChoosesTheBackend) {
    const fs::path model = test::shared_data() / "models/stories260K/tokenizer.model";
    HACE_REQUIRE_PATH(model);
    {
        const BackendEnv env("native");
        EXPECT_TRUE(sentencepiece_available());
        EXPECT_EQ(SentencePieceTokenizer(model).backend(), SpmBackend::native);
        EXPECT_EQ(load_tokenizer(model)->encode("Once upon a time", true),
                  SentencePieceTokenizer(model).encode("Once upon a time", true));
    }
    {
        const BackendEnv env("nonsense");
        std::string why;
        EXPECT_FALSE(sentencepiece_available(&why));
        EXPECT_NE(why.find("HACE_SPM_BACKEND"), std::string::npos);
        expect_input_error([&] { SentencePieceTokenizer t(model); },
                           {"tokenizer.model", "HACE_SPM_BACKEND is 'nonsense'"});
    }
    std::string why;
    const bool module = sentencepiece_module_available(&why);
    {
        const BackendEnv env("module");
        EXPECT_EQ(sentencepiece_available(), module);
        if (module) {
            EXPECT_EQ(SentencePieceTokenizer(model).backend(), SpmBackend::module);
        } else {
            expect_input_error([&] { SentencePieceTokenizer t(model); }, {"tokenizer.model", why});
        }
    }
    {
        const BackendEnv env(nullptr);  // automatic: the module when it loads
        EXPECT_TRUE(sentencepiece_available());
        const SentencePieceTokenizer automatic(model);
        EXPECT_EQ(automatic.backend(), module ? SpmBackend::module : SpmBackend::native);
        EXPECT_EQ(to_string(automatic.backend()), module ? "module" : "native");
        if (!module) {
            EXPECT_THROW((void)automatic.reference_decode({5}), std::logic_error);
        }
    }
}

}  // namespace
}  // namespace hace::tokenizer
