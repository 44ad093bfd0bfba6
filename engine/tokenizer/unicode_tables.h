// The little Unicode the byte-level BPE tokenizers need: the general-category classes that their
// split regexes use (\p{L}, \p{N}, \s), UTF-8 stepping, and NFC normalisation (Qwen normalises
// its input to NFC before splitting). Tables are generated from Unicode 14.0.0 data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hace::tokenizer::unicode {

enum class CharClass : std::uint8_t {
    other,       // anything else, including bytes that are not valid UTF-8
    letter,      // general category L* (Lu Ll Lt Lm Lo)
    number,      // general category N* (Nd Nl No)
    whitespace,  // the White_Space property (what \s matches in Unicode-aware regex engines)
};

// A byte that is not part of valid UTF-8 decodes to kInvalidByteBase + byte, so that it stays
// distinguishable from every real code point and can be written back unchanged.
inline constexpr char32_t kInvalidByteBase = 0x110000;

struct Decoded {
    char32_t cp;
    std::size_t length;  // bytes consumed, 1..4
};

// Decodes the code point starting at text[pos] (pos < text.size()). Overlong forms, surrogates,
// values above U+10FFFF and truncated sequences consume one byte and give an invalid-byte value.
Decoded decode_utf8(std::string_view text, std::size_t pos);

// Appends cp as UTF-8, or the original byte for an invalid-byte value.
void append_utf8(std::string& out, char32_t cp);

CharClass classify(char32_t cp);

inline bool is_letter(char32_t cp) {
    return classify(cp) == CharClass::letter;
}
inline bool is_number(char32_t cp) {
    return classify(cp) == CharClass::number;
}
inline bool is_whitespace(char32_t cp) {
    return classify(cp) == CharClass::whitespace;
}

// Canonical_Combining_Class; 0 for starters and invalid bytes.
std::uint8_t combining_class(char32_t cp);

// Unicode Normalization Form C. Invalid bytes pass through unchanged and act as starters that
// nothing composes with. Text that is already NFC is returned as is (a quick check skips the work
// for runs of characters that cannot interact with their neighbours).
std::string to_nfc(std::string_view text);

}  // namespace hace::tokenizer::unicode
