// The few Python 3.11 string operations that the official scorers are made of, reproduced on
// code points so that the C++ scorers split, lower-case and compare text exactly as they do:
// str.lower() (full Unicode mapping with the Final_Sigma rule), str.isspace(), str.isalnum(),
// str.split() and str.split(sep). Character data is Unicode 14.0.0 (Python 3.11).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hace::metrics::pytext {

// A byte that is not part of valid UTF-8 decodes to kInvalidByteBase + byte: it stays a character
// of its own (neither space nor alphanumeric) and encodes back to the same byte.
inline constexpr char32_t kInvalidByteBase = 0x110000;

std::u32string decode_utf8(std::string_view text);
std::string encode_utf8(std::u32string_view text);

bool is_space(char32_t c);  // str.isspace(): White_Space plus U+001C..U+001F
bool is_alnum(char32_t c);  // str.isalnum()
inline bool is_ascii_alnum(char32_t c) {
    return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'0' && c <= U'9');
}

// str.lower(): U+0130 becomes "i\u0307"; U+03A3 becomes final sigma U+03C2 when a cased letter
// precedes it and none follows it (case-ignorable characters skipped on both sides).
std::u32string lower(std::u32string_view text);

// str.split() without arguments: runs of is_space() separate; no empty pieces.
std::vector<std::u32string> split_whitespace(std::u32string_view text);
// str.split(sep): every separator splits, so empty pieces appear ("a..b" -> "a", "", "b").
std::vector<std::u32string> split_on(std::u32string_view text, char32_t sep);

}  // namespace hace::metrics::pytext
