// Python 3.11 str behaviour the scorers rely on: lower() with its special cases, isspace(),
// split(), split(sep), and UTF-8 round trips.
#include <gtest/gtest.h>

#include "engine/eval/metrics/python_text.h"

namespace {

namespace py = hace::metrics::pytext;

std::string lower(const std::string& s) {
    return py::encode_utf8(py::lower(py::decode_utf8(s)));
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    for (const auto& w : py::split_whitespace(py::decode_utf8(s)))
        out.push_back(py::encode_utf8(w));
    return out;
}

TEST(PythonText, LowerMapsLettersOfEveryScript) {
    EXPECT_EQ(lower("Hello WORLD"), "hello world");
    EXPECT_EQ(lower("ÉCOLE Ärger"), "école ärger");
    EXPECT_EQ(lower("МОСКВА"), "москва");
    EXPECT_EQ(lower("ＡＢＣ"), "ａｂｃ");        // full-width letters stay full-width
    EXPECT_EQ(lower("STRASSE ẞ"), "strasse ß");  // capital sharp s has a simple lower case
    EXPECT_EQ(lower("\u212A"), "k");             // Kelvin sign
    EXPECT_EQ(lower("東京 123"), "東京 123");
}

TEST(PythonText, LowerDottedCapitalIBecomesTwoCharacters) {
    EXPECT_EQ(lower("İstanbul"), "i\u0307stanbul");
    EXPECT_EQ(py::lower(py::decode_utf8("İ")).size(), 2u);
}

TEST(PythonText, LowerCapitalSigmaIsFinalOnlyAtAWordEnd) {
    EXPECT_EQ(lower("ΟΔΟΣ"), "οδος");    // after a letter, nothing cased follows
    EXPECT_EQ(lower("ΣΟΦΙΑ"), "σοφια");  // nothing cased before it
    EXPECT_EQ(lower("Σ"), "σ");
    EXPECT_EQ(lower("ΟΔΟΣ ΚΑΙ"), "οδος και");
    EXPECT_EQ(lower("ΑΣ'Α"), "ασ'α");  // the apostrophe is case-ignorable: a letter follows
    EXPECT_EQ(lower("ΑΣ."), "ας.");
}

TEST(PythonText, IsSpaceFollowsPythonNotTheWhiteSpaceProperty) {
    EXPECT_TRUE(py::is_space(U' '));
    EXPECT_TRUE(py::is_space(U'\t'));
    EXPECT_TRUE(py::is_space(0x1C));     // file separator: Python splits on it
    EXPECT_TRUE(py::is_space(0xA0));     // no-break space
    EXPECT_TRUE(py::is_space(0x3000));   // ideographic space
    EXPECT_FALSE(py::is_space(0x200B));  // zero-width space is not whitespace
    EXPECT_FALSE(py::is_space(U'x'));
}

TEST(PythonText, IsAlnumCoversLettersDigitsAndNumerals) {
    EXPECT_TRUE(py::is_alnum(U'a'));
    EXPECT_TRUE(py::is_alnum(U'7'));
    EXPECT_TRUE(py::is_alnum(0x4E2D));  // 中
    EXPECT_TRUE(py::is_alnum(0x00B2));  // superscript two (numeric)
    EXPECT_TRUE(py::is_alnum(0x2167));  // Roman numeral eight
    EXPECT_FALSE(py::is_alnum(U'_'));
    EXPECT_FALSE(py::is_alnum(0x0301));  // combining acute accent
    EXPECT_FALSE(py::is_alnum(0x2014));  // em dash
}

TEST(PythonText, SplitWhitespaceDropsEmptyPieces) {
    EXPECT_EQ(split("  a\tb\n\nc  "), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(split("New\u00A0York"), (std::vector<std::string>{"New", "York"}));
    EXPECT_EQ(split("New\u200BYork"), (std::vector<std::string>{"New\u200BYork"}));
    EXPECT_TRUE(split(" \u3000 ").empty());
}

TEST(PythonText, SplitOnSeparatorKeepsEmptyPieces) {
    const auto pieces = py::split_on(U"a..b.", U'.');
    EXPECT_EQ(pieces, (std::vector<std::u32string>{U"a", U"", U"b", U""}));
    EXPECT_EQ(py::split_on(U"", U'.'), (std::vector<std::u32string>{U""}));
}

TEST(PythonText, Utf8RoundTripsIncludingInvalidBytes) {
    const std::string text = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80";  // a é 中 😀
    const auto cps = py::decode_utf8(text);
    EXPECT_EQ(cps, (std::u32string{U'a', 0xE9, 0x4E2D, 0x1F600}));
    EXPECT_EQ(py::encode_utf8(cps), text);
    const std::string bad = "x\xFF\xC3";
    const auto bad_cps = py::decode_utf8(bad);
    ASSERT_EQ(bad_cps.size(), 3u);
    EXPECT_EQ(bad_cps[1], py::kInvalidByteBase + 0xFF);
    EXPECT_EQ(py::encode_utf8(bad_cps), bad);
}

}  // namespace
