// LongBench normalize_answer / normalize_zh_answer on code points (see python_text.h).
#include "engine/eval/metrics/answer_normalization.h"

#include <algorithm>
#include <string_view>

#include "engine/eval/metrics/python_text.h"

namespace hace::metrics {
namespace {

// Python's string.punctuation.
constexpr std::u32string_view kAsciiPunctuation = U"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
// cn_punctuation of LongBench's normalize_zh_answer, character for character.
constexpr std::u32string_view kChinesePunctuation =
    U"！？｡。＂＃＄％＆＇（）＊＋，－／：；＜＝＞＠［＼］＾＿｀｛｜｝～｟｠｢｣､、〃》「」『』【】〔"
    U"〕〖〗〘〙〚〛"
    U"〜〝〞〟〰〾〿–—‘’‛“”„‟…‧﹏.";

bool is_ascii_punctuation(char32_t c) {
    return kAsciiPunctuation.find(c) != std::u32string_view::npos;
}

bool is_zh_punctuation(char32_t c) {
    return is_ascii_punctuation(c) || kChinesePunctuation.find(c) != std::u32string_view::npos;
}

bool is_word_char(char32_t c) {
    return c == U'_' || pytext::is_alnum(c);
}

bool is_article(std::u32string_view w) {
    return w == U"a" || w == U"an" || w == U"the";
}

std::vector<std::u32string> normalized_words(std::string_view text) {
    std::u32string s = pytext::lower(pytext::decode_utf8(text));
    s.erase(std::remove_if(s.begin(), s.end(), is_ascii_punctuation), s.end());
    // \b(a|an|the)\b matches exactly a maximal run of word characters that is an article.
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        if (!is_word_char(s[i])) {
            out.push_back(s[i++]);
            continue;
        }
        const std::size_t start = i;
        while (i < s.size() && is_word_char(s[i])) ++i;
        const std::u32string_view word(s.data() + start, i - start);
        if (is_article(word)) {
            out.push_back(U' ');
        } else {
            out.append(word);
        }
    }
    return pytext::split_whitespace(out);
}

bool is_ascii_digit(char32_t c) {
    return c >= U'0' && c <= U'9';
}

}  // namespace

std::vector<std::string> answer_tokens(std::string_view text) {
    std::vector<std::string> tokens;
    for (const auto& w : normalized_words(text)) tokens.push_back(pytext::encode_utf8(w));
    return tokens;
}

std::string normalize_answer(std::string_view text) {
    std::string out;
    for (const auto& w : normalized_words(text)) {
        if (!out.empty()) out.push_back(' ');
        out += pytext::encode_utf8(w);
    }
    return out;
}

std::string normalize_zh_answer(std::string_view text) {
    std::u32string s = pytext::lower(pytext::decode_utf8(text));
    std::u32string out;
    for (const char32_t c : s) {
        if (!is_zh_punctuation(c) && !pytext::is_space(c)) out.push_back(c);
    }
    return pytext::encode_utf8(out);
}

std::vector<std::string> zh_answer_tokens(std::string_view text) {
    const std::u32string s = pytext::lower(pytext::decode_utf8(text));
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t start = i;
        if (pytext::is_ascii_alnum(s[i])) {
            while (i < s.size() && pytext::is_ascii_alnum(s[i])) ++i;
            if (i + 1 < s.size() && s[i] == U'.' && is_ascii_digit(s[i + 1])) {
                i += 1;
                while (i < s.size() && is_ascii_digit(s[i])) ++i;
            }
            if (i < s.size() && s[i] == U'%') ++i;
        } else {
            ++i;
        }
        std::string token = normalize_zh_answer(pytext::encode_utf8(s.substr(start, i - start)));
        if (!token.empty()) tokens.push_back(std::move(token));
    }
    return tokens;
}

}  // namespace hace::metrics
