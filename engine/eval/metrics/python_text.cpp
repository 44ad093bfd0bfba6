// Python 3.11 str semantics on code points; the tables come from python_unicode_tables.cpp.
#include "engine/eval/metrics/python_text.h"

#include <algorithm>

#include "engine/eval/metrics/python_unicode_tables.h"

namespace hace::metrics::pytext {
namespace {

using detail::CodeRange;

bool in_ranges(const CodeRange* ranges, std::size_t n, char32_t c) {
    const CodeRange* end = ranges + n;
    // First range whose last >= c.
    const CodeRange* it =
        std::lower_bound(ranges, end, c, [](const CodeRange& r, char32_t v) { return r.last < v; });
    return it != end && it->first <= c;
}

char32_t lower_simple(char32_t c) {
    if (c < 0x80) return (c >= U'A' && c <= U'Z') ? c + 32 : c;
    const auto* begin = detail::kLowerRuns;
    const auto* end = begin + detail::kLowerRunsSize;
    const auto* it = std::upper_bound(
        begin, end, c, [](char32_t v, const detail::LowerRun& r) { return v < r.first; });
    if (it == begin) return c;
    --it;
    if (c > it->last || (c - it->first) % static_cast<char32_t>(it->stride) != 0) return c;
    return static_cast<char32_t>(static_cast<std::int64_t>(c) + it->delta);
}

bool is_cased(char32_t c) {
    return in_ranges(detail::kCasedRanges, detail::kCasedRangesSize, c);
}
bool is_case_ignorable(char32_t c) {
    return in_ranges(detail::kCaseIgnorableRanges, detail::kCaseIgnorableRangesSize, c);
}

// CPython's handle_capital_sigma: final form when \p{cased} \p{case-ignorable}* precede and no
// \p{case-ignorable}* \p{cased} follows.
char32_t lower_capital_sigma(std::u32string_view text, std::size_t i) {
    std::size_t j = i;
    while (j > 0 && is_case_ignorable(text[j - 1])) --j;
    if (j == 0 || !is_cased(text[j - 1])) return 0x3C3;
    std::size_t k = i + 1;
    while (k < text.size() && is_case_ignorable(text[k])) ++k;
    return (k == text.size() || !is_cased(text[k])) ? 0x3C2 : 0x3C3;
}

}  // namespace

std::u32string decode_utf8(std::string_view text) {
    std::u32string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        std::size_t len = 0;
        char32_t cp = 0;
        char32_t min_value = 0;
        if (b0 < 0x80) {
            out.push_back(b0);
            ++i;
            continue;
        } else if ((b0 & 0xE0) == 0xC0) {
            len = 2, cp = b0 & 0x1F, min_value = 0x80;
        } else if ((b0 & 0xF0) == 0xE0) {
            len = 3, cp = b0 & 0x0F, min_value = 0x800;
        } else if ((b0 & 0xF8) == 0xF0) {
            len = 4, cp = b0 & 0x07, min_value = 0x10000;
        }
        bool ok = len != 0 && i + len <= text.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            ok = (b & 0xC0) == 0x80;
            cp = (cp << 6) | (b & 0x3F);
        }
        ok = ok && cp >= min_value && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (ok) {
            out.push_back(cp);
            i += len;
        } else {
            out.push_back(kInvalidByteBase + b0);
            ++i;
        }
    }
    return out;
}

std::string encode_utf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char32_t c : text) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (c >> 12)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c <= 0x10FFFF) {
            out.push_back(static_cast<char>(0xF0 | (c >> 18)));
            out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out.push_back(static_cast<char>(c - kInvalidByteBase));
        }
    }
    return out;
}

bool is_space(char32_t c) {
    if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
    return in_ranges(detail::kSpaceRanges, detail::kSpaceRangesSize, c);
}

bool is_alnum(char32_t c) {
    if (c < 0x80) return is_ascii_alnum(c);
    return in_ranges(detail::kAlnumRanges, detail::kAlnumRangesSize, c);
}

std::u32string lower(std::u32string_view text) {
    std::u32string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c == 0x130) {
            out.push_back(U'i');
            out.push_back(0x307);
        } else if (c == 0x3A3) {
            out.push_back(lower_capital_sigma(text, i));
        } else {
            out.push_back(lower_simple(c));
        }
    }
    return out;
}

std::vector<std::u32string> split_whitespace(std::u32string_view text) {
    std::vector<std::u32string> pieces;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_space(text[i])) ++i;
        const std::size_t start = i;
        while (i < text.size() && !is_space(text[i])) ++i;
        if (i > start) pieces.emplace_back(text.substr(start, i - start));
    }
    return pieces;
}

std::vector<std::u32string> split_on(std::u32string_view text, char32_t sep) {
    std::vector<std::u32string> pieces;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == sep) {
            pieces.emplace_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    pieces.emplace_back(text.substr(start));
    return pieces;
}

}  // namespace hace::metrics::pytext
