// What the tokenizer fuzz targets do with a tokenizer that loaded: encode a few fixed texts
// (ASCII, Chinese, chat markers, invalid UTF-8), decode the ids back, and decode every piece of
// the first few hundred ids. All of it must finish without throwing anything but InputError.
#pragma once

#include <algorithm>
#include <string_view>

#include "engine/tokenizer/tokenizer.h"

namespace hace::fuzz {

inline void exercise_tokenizer(const tokenizer::Tokenizer& tok) {
    static constexpr std::string_view kTexts[] = {
        "Hello world, it's 2024!\n  indented\ttab",
        "\xE5\x85\xA8\xE5\x9B\xBD\xE7\xBE\x8E\xE5\x9B\xBD 12345",
        "<s>[INST] hi [/INST]<|im_start|>user\n<|endoftext|>",
        "\xFF\xFE\xC3\x28 \xF0\x9F\x98",
        "",
    };
    for (const auto text : kTexts) {
        for (const bool bos : {false, true}) {
            const auto ids = tok.encode(text, bos);
            (void)tok.decode(ids, false);
            (void)tok.decode(ids, true);
        }
    }
    const auto n = std::min<tokenizer::TokenId>(tok.vocab_size(), 300);
    for (tokenizer::TokenId id = 0; id < n; ++id) {
        (void)tok.piece(id);
        (void)tok.decode({id}, false);
    }
    (void)tok.special_ids();
}

}  // namespace hace::fuzz
