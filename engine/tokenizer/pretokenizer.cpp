#include "engine/tokenizer/pretokenizer.h"

#include <string>

#include "engine/tokenizer/unicode_tables.h"

namespace hace::tokenizer {
namespace {

using unicode::CharClass;

constexpr std::string_view kGpt2Regex =
    R"rx('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)rx";
constexpr std::string_view kQwen2Regex =
    R"rx((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|)rx"
    R"rx( ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)rx";
constexpr std::string_view kCl100kRegex =
    R"rx((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|)rx"
    R"rx( ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)rx";

struct Char {
    char32_t cp = 0;
    std::size_t length = 0;  // 0 past the end
    CharClass cls = CharClass::other;
};

bool is_cr_lf(char32_t cp) {
    return cp == '\r' || cp == '\n';
}

class Scanner {
public:
    explicit Scanner(std::string_view text) : text_(text) {}

    std::size_t size() const { return text_.size(); }

    Char at(std::size_t pos) const {
        if (pos >= text_.size()) return {};
        const auto d = unicode::decode_utf8(text_, pos);
        return {d.cp, d.length, unicode::classify(d.cp)};
    }

    // End of the run of characters of class cls starting at pos, at most max_count of them.
    std::size_t run(std::size_t pos, CharClass cls, std::size_t max_count = SIZE_MAX) const {
        for (std::size_t n = 0; n < max_count; ++n) {
            const Char c = at(pos);
            if (c.length == 0 || c.cls != cls) break;
            pos += c.length;
        }
        return pos;
    }

    struct WhitespaceRun {
        std::size_t end;         // end of the run
        std::size_t last_start;  // start of its last character
        std::size_t crlf_end;    // end of its last \r or \n; 0 when it has none
    };

    WhitespaceRun whitespace_run(std::size_t pos) const {
        WhitespaceRun r{pos, pos, 0};
        for (Char c = at(pos); c.length != 0 && c.cls == CharClass::whitespace; c = at(r.end)) {
            r.last_start = r.end;
            r.end += c.length;
            if (is_cr_lf(c.cp)) r.crlf_end = r.end;
        }
        return r;
    }

    // Length of the contraction ('s 't 're 've 'm 'll 'd) at pos, or 0. With ignore_case the
    // letters match as (?i) does, which also folds U+017F LONG S to s.
    std::size_t contraction(std::size_t pos, bool ignore_case) const {
        const Char quote = at(pos);
        if (quote.cp != '\'') return 0;
        const auto fold = [&](Char c) -> char32_t {
            if (!ignore_case) return c.cp;
            if (c.cp >= 'A' && c.cp <= 'Z') return c.cp + ('a' - 'A');
            if (c.cp == 0x17F) return 's';
            return c.cp;
        };
        const Char c1 = at(pos + 1);
        const char32_t f1 = fold(c1);
        if (f1 == 's' || f1 == 't' || f1 == 'm' || f1 == 'd') return 1 + c1.length;
        const Char c2 = at(pos + 1 + c1.length);
        const char32_t f2 = fold(c2);
        if ((f1 == 'r' && f2 == 'e') || (f1 == 'v' && f2 == 'e') || (f1 == 'l' && f2 == 'l')) {
            return 1 + c1.length + c2.length;
        }
        return 0;
    }

    // \s+(?!\S)|\s+ at a whitespace character: the whole run at the end of the text, else the
    // run less its last character (left to prefix the next word), else the single character.
    std::size_t trailing_whitespace(const WhitespaceRun& ws, std::size_t pos) const {
        if (ws.end == text_.size()) return ws.end;
        return ws.last_start > pos ? ws.last_start : ws.end;
    }

private:
    std::string_view text_;
};

// One match of the GPT-2 pattern at pos; returns its end.
std::size_t match_gpt2(const Scanner& s, std::size_t pos) {
    if (const std::size_t n = s.contraction(pos, false)) return pos + n;
    // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': a space joins a following non-space.
    std::size_t start = pos;
    if (s.at(pos).cp == ' ') {
        const Char next = s.at(pos + 1);
        if (next.length != 0 && next.cls != CharClass::whitespace) start = pos + 1;
    }
    const Char c = s.at(start);
    if (c.cls != CharClass::whitespace) return s.run(start, c.cls);
    return s.trailing_whitespace(s.whitespace_run(pos), pos);
}

// One match of the Qwen / cl100k pattern at pos; returns its end.
std::size_t match_cl100k(const Scanner& s, std::size_t pos, std::size_t max_digits) {
    if (const std::size_t n = s.contraction(pos, true)) return pos + n;
    const Char c0 = s.at(pos);
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (c0.cls == CharClass::letter) return s.run(pos, CharClass::letter);
    if (!is_cr_lf(c0.cp) && c0.cls != CharClass::number &&
        s.at(pos + c0.length).cls == CharClass::letter) {
        return s.run(pos + c0.length, CharClass::letter);
    }
    // \p{N} or \p{N}{1,3}
    if (c0.cls == CharClass::number) return s.run(pos, CharClass::number, max_digits);
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
    std::size_t start = std::string_view::npos;
    if (c0.cp == ' ' && s.at(pos + 1).cls == CharClass::other && s.at(pos + 1).length != 0) {
        start = pos + 1;
    } else if (c0.cls == CharClass::other) {
        start = pos;
    }
    if (start != std::string_view::npos) {
        std::size_t end = s.run(start, CharClass::other);
        while (end < s.size() && is_cr_lf(s.at(end).cp)) ++end;
        return end;
    }
    // \s*[\r\n]+ takes the whitespace up to and including the run's last line break.
    const auto ws = s.whitespace_run(pos);
    if (ws.crlf_end != 0) return ws.crlf_end;
    return s.trailing_whitespace(ws, pos);
}

}  // namespace

std::optional<SplitPattern> split_pattern_from_regex(std::string_view regex) {
    for (const auto p : {SplitPattern::gpt2, SplitPattern::qwen2, SplitPattern::cl100k}) {
        if (regex == split_pattern_regex(p)) return p;
    }
    return std::nullopt;
}

std::string_view split_pattern_regex(SplitPattern pattern) {
    switch (pattern) {
        case SplitPattern::gpt2:
            return kGpt2Regex;
        case SplitPattern::qwen2:
            return kQwen2Regex;
        case SplitPattern::cl100k:
            return kCl100kRegex;
    }
    return {};
}

std::string_view split_pattern_name(SplitPattern pattern) {
    switch (pattern) {
        case SplitPattern::gpt2:
            return "gpt2";
        case SplitPattern::qwen2:
            return "qwen2";
        case SplitPattern::cl100k:
            return "cl100k";
    }
    return {};
}

void pre_tokenize(std::string_view text, SplitPattern pattern, std::vector<std::string_view>& out) {
    const Scanner scanner(text);
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t end = 0;
        switch (pattern) {
            case SplitPattern::gpt2:
                end = match_gpt2(scanner, pos);
                break;
            case SplitPattern::qwen2:
                end = match_cl100k(scanner, pos, 1);
                break;
            case SplitPattern::cl100k:
                end = match_cl100k(scanner, pos, 3);
                break;
        }
        out.push_back(text.substr(pos, end - pos));
        pos = end;
    }
}

}  // namespace hace::tokenizer
