// Byte-level BPE tokenizers: GPT-2 / OPT (vocab.json + merges.txt), Qwen2 / Qwen3 (tokenizer.json
// or vocab.json + merges.txt) and Qwen v1 (qwen.tiktoken).
//
// Encoding, in the order Hugging Face tokenizers applies it:
//   1. added tokens (<|im_start|>, <|endoftext|>, ...) are cut out verbatim, leftmost-longest;
//   2. every other stretch is normalised (NFC for Qwen, nothing for GPT-2/OPT) and split by the
//      model's regex (pretokenizer.h);
//   3. each piece's bytes are mapped to their byte-level characters and merged by BPE: the
//      adjacent pair with the lowest rank merges first, leftmost first on a tie. For merges.txt the
//      rank is the merge's line; for tiktoken it is the id of the merged token (same thing there).
// Decoding maps ids back to bytes, writes added tokens as their text, and replaces invalid UTF-8
// with U+FFFD.
//
// The file formats are read by load_tokenizer (tokenizer.h); this class gets the parsed model.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::tokenizer {

// GPT-2's bytes_to_unicode: the printable Latin-1 bytes stand for themselves, the other 68 bytes
// take U+0100.. in byte order (so a space is "\u0120" = "Ġ").
const std::array<std::string, 256>& byte_level_chars();
// Bytes -> byte-level text ("hello world" -> "helloĠworld").
std::string bytes_to_byte_level(std::string_view bytes);
// Byte-level text -> bytes; characters outside the byte map are kept as their UTF-8.
std::string byte_level_to_bytes(std::string_view text);

// A token matched verbatim in the input before anything else happens.
struct AddedToken {
    std::string content;
    TokenId id = -1;
    bool special = true;       // decode(skip_special = true) drops it
    bool lstrip = false;       // also swallows the whitespace before it
    bool rstrip = false;       // also swallows the whitespace after it
    bool single_word = false;  // only matches when not inside a word
};

struct BpeModel {
    // Byte-level piece -> id of the regular vocabulary. Ids may have holes (OPT's fairseq order).
    std::unordered_map<std::string, TokenId> vocab;
    // Merges by rank, as byte-level pieces. Ignored when merge_by_token_rank.
    std::vector<std::pair<std::string, std::string>> merges;
    // tiktoken: any adjacent pair whose concatenation is a token may merge, ranked by that id.
    bool merge_by_token_rank = false;
    // A piece that is a whole vocabulary token is taken as is, without merging (Llama 3).
    bool ignore_merges = false;
    std::vector<AddedToken> added;
    SplitPattern pattern = SplitPattern::gpt2;
    bool nfc = false;
    bool add_prefix_space = false;  // ByteLevel's option: a space before a stretch without one
    SpecialIds special;
    bool add_bos = false;  // whether encode(add_bos = true) prepends special.bos
    // Where the vocabulary and each merge come from, for error messages.
    std::string vocab_source;
    std::function<std::string(std::size_t rank)> merge_source;
};

// Reads Qwen v1's qwen.tiktoken ("<base64 token> <rank>" lines; ranks are ids) into a model with
// Qwen's special tokens: <|endoftext|> 151643, <|im_start|> 151644, <|im_end|> 151645, then
// <|extra_0|>..<|extra_204|>. Special ids are left for the caller to resolve.
BpeModel read_qwen_tiktoken(const std::filesystem::path& file);

class BpeTokenizer final : public Tokenizer {
public:
    // Throws InputError (naming model.vocab_source / merge_source) when a merge or byte is not
    // in the vocabulary or ids collide.
    explicit BpeTokenizer(BpeModel model);

    std::vector<TokenId> encode(std::string_view text, bool add_bos) const override;
    std::string decode(const std::vector<TokenId>& ids, bool skip_special) const override;
    std::string piece(TokenId id) const override;
    std::int32_t vocab_size() const override { return static_cast<std::int32_t>(pieces_.size()); }
    SpecialIds special_ids() const override { return special_; }
    std::string kind() const override { return "bpe"; }

    // The id of a vocabulary piece or added token, if any.
    std::optional<TokenId> token_id(std::string_view piece) const;
    bool is_special(TokenId id) const;
    bool adds_bos() const { return add_bos_; }
    SplitPattern split_pattern() const { return pattern_; }
    bool normalizes_nfc() const { return nfc_; }

private:
    struct Merge {
        std::uint32_t rank;
        TokenId merged;
    };

    void check_id(TokenId id) const;
    // scratch is reused for tiktoken's concatenated look-up.
    std::optional<Merge> find_merge(TokenId left, TokenId right, std::string& scratch) const;
    // Appends the ids of one pre-tokenized piece (raw bytes).
    void encode_piece(std::string_view bytes, std::vector<TokenId>& out) const;
    void merge_piece(std::string_view bytes, std::vector<TokenId>& out) const;
    void encode_ordinary(std::string_view text, std::vector<TokenId>& out) const;
    // Length of the added token matching at text[pos], and its index; 0 when none.
    std::size_t match_added(std::string_view text, std::size_t pos, std::size_t& index) const;

    std::vector<std::string> pieces_;                 // by id; empty for an id that is not used
    std::vector<std::string> bytes_;                  // by id: what the id decodes to
    std::vector<std::int32_t> added_index_;           // by id: index into added_, or -1
    std::unordered_map<std::string, TokenId> vocab_;  // regular tokens only
    std::unordered_map<std::string, TokenId> added_ids_;
    std::unordered_map<std::uint64_t, Merge> merges_;
    std::array<TokenId, 256> byte_ids_{};
    bool merge_by_token_rank_ = false;
    bool ignore_merges_ = false;
    std::vector<AddedToken> added_;
    // Added tokens by first byte, longest first, so the first that matches is the longest.
    std::array<std::vector<std::uint32_t>, 256> added_by_first_byte_;
    SplitPattern pattern_ = SplitPattern::gpt2;
    bool nfc_ = false;
    bool add_prefix_space_ = false;
    SpecialIds special_;
    bool add_bos_ = false;
    std::string vocab_source_;

    // Pieces repeat a lot in text, and merging is the expensive part.
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };
    mutable std::mutex cache_mutex_;
    mutable std::unordered_map<std::string, std::vector<TokenId>, StringHash, std::equal_to<>>
        cache_;
};

}  // namespace hace::tokenizer
