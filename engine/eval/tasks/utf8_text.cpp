#include "engine/eval/tasks/utf8_text.h"

namespace hace::tasks {
namespace {

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::size_t utf8_length(std::string_view text) {
    std::size_t n = 0;
    for (char c : text) n += is_continuation(c) ? 0 : 1;
    return n;
}

std::size_t utf8_boundary_at_or_before(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) return text.size();
    // A character is at most 4 bytes; invalid runs of continuation bytes are cut anywhere.
    for (std::size_t back = 0; back < 4 && pos > 0; ++back) {
        if (!is_continuation(text[pos])) return pos;
        --pos;
    }
    return pos;
}

std::size_t utf8_first_invalid(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned char b = byte(i);
        std::size_t len = 0;
        unsigned char lo = 0x80;  // allowed range of the second byte
        unsigned char hi = 0xBF;
        if (b < 0x80) {
            len = 1;
        } else if (b >= 0xC2 && b <= 0xDF) {
            len = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            len = 3;
            if (b == 0xE0) lo = 0xA0;  // overlong
            if (b == 0xED) hi = 0x9F;  // surrogates
        } else if (b >= 0xF0 && b <= 0xF4) {
            len = 4;
            if (b == 0xF0) lo = 0x90;  // overlong
            if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
        } else {
            return i;
        }
        if (i + len > text.size()) return i;
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned char c = byte(i + k);
            const unsigned char min = k == 1 ? lo : 0x80;
            const unsigned char max = k == 1 ? hi : 0xBF;
            if (c < min || c > max) return i;
        }
        i += len;
    }
    return text.size();
}

}  // namespace hace::tasks
