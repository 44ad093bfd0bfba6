#include "engine/eval/tasks/segment_encoding.h"

namespace hace::tasks {
using tokenizer::TokenId;

namespace {
constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581
}

bool starts_with_space_mark(const tokenizer::Tokenizer& tok, TokenId id) {
    return tok.piece(id).rfind(kSpaceMark, 0) == 0;
}

bool adds_dummy_prefix(const tokenizer::Tokenizer& tok) {
    const std::vector<TokenId> ids = tok.encode("a", false);
    return !ids.empty() && starts_with_space_mark(tok, ids.front());
}

std::vector<TokenId> encode_segment(const tokenizer::Tokenizer& tok, std::string_view text) {
    if (text.empty()) return {};
    if (text.front() == ' ' && adds_dummy_prefix(tok)) text.remove_prefix(1);
    return tok.encode(text, false);
}

std::vector<TokenId> leading_special_ids(const tokenizer::Tokenizer& tok) {
    return tok.encode(std::string_view(), true);
}

}  // namespace hace::tasks
