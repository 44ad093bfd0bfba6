// SHA-256 against the FIPS 180-4 example vectors and coreutils' sha256sum, and the canonical
// JSON rules the cell keys rest on (canonical_json.h).
#include <string>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/runner/canonical_json.h"
#include "engine/core/sha256.h"

namespace hace::runner {
namespace {

using nlohmann::json;

TEST(Sha256, FipsExampleVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Messages of 55, 56 and 64 bytes put the length field in the same block, in a second block and
// after a full block: the padding edges (values from coreutils sha256sum).
TEST(Sha256, PaddingBoundaries) {
    EXPECT_EQ(sha256_hex(std::string(55, 'a')),
              "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    EXPECT_EQ(sha256_hex(std::string(56, 'a')),
              "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    EXPECT_EQ(sha256_hex(std::string(64, 'a')),
              "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, IncrementalEqualsOneShot) {
    const std::string text(1000, 'x');
    Sha256 h;
    for (std::size_t i = 0; i < text.size(); i += 7) h.update(text.substr(i, 7));
    const auto digest = h.digest();
    const std::string hex = sha256_hex(text);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string incremental;
    for (auto b : digest) {
        incremental.push_back(kHex[b >> 4]);
        incremental.push_back(kHex[b & 0xf]);
    }
    EXPECT_EQ(incremental, hex);
}

TEST(CanonicalJson, SortsKeysDropsSpacesEscapesNonAscii) {
    const json j = json::parse(R"({ "b": 1.0, "a": [0.5, "é"] })");
    EXPECT_EQ(canonical_json(j), R"({"a":[0.5,"\u00e9"],"b":1})");
    // Key of that text, from coreutils: printf '%s' '{"a":[0.5,"\u00e9"],"b":1}' | sha256sum
    EXPECT_EQ(config_hash(j), "9e35e11878bfd9f32e23aa870d83711fd3e20b377514966b2ce39a7ec4880663");
}

TEST(CanonicalJson, SameValueSameTextWhateverTheSpelling) {
    const json a = json::parse(R"({"retention": 1, "n": 4096, "nested": {"y": 2e0, "x": 0.1}})");
    const json b = json::parse(R"({"nested": {"x": 0.1, "y": 2}, "n": 4096.0, "retention": 1.0})");
    EXPECT_EQ(canonical_json(a), canonical_json(b));
    EXPECT_EQ(config_hash(a), config_hash(b));
    EXPECT_NE(config_hash(a), config_hash(json::parse(R"({"retention": 1, "n": 4097})")));
    EXPECT_EQ(canonical_json(json(0.005)), "0.005");
    EXPECT_EQ(canonical_json(json(-0.0)), "0");
    EXPECT_EQ(canonical_json(json(1e300)), "1e+300");  // integral but beyond 2^53: stays a double
}

TEST(CanonicalJson, RefusesNonFiniteNumbers) {
    json j = {{"x", {1.0, std::numeric_limits<double>::infinity()}}};
    try {
        (void)canonical_json(j);
        ADD_FAILURE() << "accepted infinity";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("$.x[1]"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace hace::runner
