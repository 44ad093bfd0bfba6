// Encoding a prompt piece by piece, so that the position of every piece in the final ids is known
// exactly (the needle span of a NIAH prompt), instead of encoding the joined text and searching.
//
// Each piece is encoded on its own, without BOS, and the ids are concatenated. The pieces are cut
// right before a space where possible, because that is where tokenizers start a new token:
//  - a tokenizer that adds sentencepiece's dummy prefix (its first piece starts with U+2581 for
//    any text) spells a leading space with that prefix, so one leading ' ' is dropped from the
//    piece before encoding; a piece without a leading space still gets the prefix, i.e. one
//    space token more than the joined text would have (e.g. before a needle that starts with
//    "\n"; the reference NIAH code, which encodes its needle alone, has the same extra token);
//  - byte-level BPE keeps the space in the piece (" word" -> "Gword").
// So the ids spell the joined text up to such extra dummy-prefix spaces, and differ from
// encode(joined text) only where a piece boundary changes how the neighbouring text is split.
#pragma once

#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer.h"

namespace hace::tasks {

// Whether the piece of `id` starts with sentencepiece's space mark U+2581 (a word start).
bool starts_with_space_mark(const tokenizer::Tokenizer& tok, tokenizer::TokenId id);

// Whether encode() starts every text with sentencepiece's dummy-prefix space (checked once on
// the text "a": its first piece begins with U+2581).
bool adds_dummy_prefix(const tokenizer::Tokenizer& tok);

// The ids of one piece, without BOS, by the rule above. Empty text gives no ids.
std::vector<tokenizer::TokenId> encode_segment(const tokenizer::Tokenizer& tok,
                                               std::string_view text);

// What encode(text, true) puts before the text: [BOS] when the tokenizer adds one, else nothing.
std::vector<tokenizer::TokenId> leading_special_ids(const tokenizer::Tokenizer& tok);

}  // namespace hace::tasks
