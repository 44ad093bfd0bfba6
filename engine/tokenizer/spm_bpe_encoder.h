// sentencepiece's BPE encoding (the library's bpe_model + identity normalizer), without the
// library: what SentencePieceTokenizer uses where the isolated module cannot be loaded (sanitizer
// builds, the GPU machine).
//
// Steps, as sentencepiece 0.1.97 takes them:
//  1. Normalize (identity rules only): invalid UTF-8 bytes become U+FFFD one byte at a time;
//     with remove_extra_whitespaces, leading and trailing spaces go and inner runs of spaces
//     collapse to one; a dummy U+2581 is added in front (or at the end with
//     treat_whitespace_as_suffix) when add_dummy_prefix; spaces become U+2581 when
//     escape_whitespaces. User-defined pieces pass through untouched.
//  2. Split into UTF-8 characters; user-defined pieces are matched longest-first and frozen.
//  3. Repeatedly merge the adjacent pair whose concatenation is a normal, user-defined or unused
//     piece with the highest score; among equal scores the leftmost pair goes first. A priority
//     queue holds candidate pairs; entries made stale by earlier merges are skipped when popped.
//  4. Pieces of type unused are split back into the two parts they were merged from.
//  5. Each symbol becomes its id; a symbol that is no piece is unknown: with byte_fallback it
//     becomes one <0xNN> piece per byte, otherwise a run of unknown symbols becomes one unk id.
//
// Models of another type (unigram, word, char) or whose normalizer needs a precompiled charsmap
// (nmt_nfkc...) are refused: those need the sentencepiece module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/tokenizer/spm_model_proto.h"

namespace hace::tokenizer::spm {

// Why this encoder cannot encode `model`, or nullopt when it can.
std::optional<std::string> native_unsupported_reason(const ModelProto& model);

class BpeEncoder {
public:
    // Throws InputError naming `file` when the model is not supported (see above).
    BpeEncoder(const ModelProto& model, const std::string& file);
    // The lookup maps view into texts_, so a copy would dangle.
    BpeEncoder(const BpeEncoder&) = delete;
    BpeEncoder& operator=(const BpeEncoder&) = delete;

    // Ids without BOS/EOS. Thread-safe: all working state is local to the call.
    std::vector<std::int32_t> encode(std::string_view text) const;

    // The normalized text of step 1 (exposed for tests).
    std::string normalize(std::string_view text) const;

    // sentencepiece's PieceToId: reserved pieces (control, unknown, byte) first, then the others;
    // the unknown id when the text is no piece.
    std::int32_t piece_to_id(std::string_view piece) const;

private:
    struct Mergeable {
        std::int32_t id;
        float score;
        bool unused;
    };

    // Length of the longest user-defined piece that `text` starts with, or 0.
    std::size_t match_user_defined(std::string_view text) const;
    const Mergeable* find_mergeable(std::string_view piece) const;

    std::vector<std::string> texts_;  // piece texts; the maps below view into them
    std::unordered_map<std::string_view, Mergeable> mergeable_;
    std::unordered_map<std::string_view, std::int32_t> reserved_;
    std::vector<PieceType> types_;
    // User-defined pieces by their first byte, longest first.
    std::vector<std::vector<std::string_view>> user_defined_by_byte_;
    std::int32_t unk_id_ = 0;
    std::int32_t byte_ids_[256] = {};
    bool byte_fallback_ = false;
    bool add_dummy_prefix_ = true;
    bool remove_extra_whitespaces_ = true;
    bool escape_whitespaces_ = true;
    bool whitespace_as_suffix_ = false;
};

}  // namespace hace::tokenizer::spm
