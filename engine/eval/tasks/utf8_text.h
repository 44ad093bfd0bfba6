// Small UTF-8 helpers for cutting and measuring text without splitting a character.
#pragma once

#include <cstddef>
#include <string_view>

namespace hace::tasks {

// Number of code points, as Python's len() counts a str (continuation bytes are not counted).
std::size_t utf8_length(std::string_view text);

// The largest character boundary <= pos (pos itself when it is one; text.size() counts as one).
std::size_t utf8_boundary_at_or_before(std::string_view text, std::size_t pos);

// Offset of the first byte that is not part of well-formed UTF-8 (overlong forms, surrogates and
// code points above U+10FFFF included), or text.size() when the whole text is well formed.
std::size_t utf8_first_invalid(std::string_view text);

// U+FFFD REPLACEMENT CHARACTER, what decoders put in place of a cut multi-byte character.
inline constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

}  // namespace hace::tasks
