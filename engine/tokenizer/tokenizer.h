// The tokenizer interface: text <-> token ids, independent of the algorithm behind it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hace::tokenizer {

using TokenId = std::int32_t;

struct SpecialIds {
    TokenId bos = -1;  // -1: the vocabulary has none
    TokenId eos = -1;
    TokenId unk = -1;
    TokenId pad = -1;
};

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Encodes plain text. add_bos prepends the BOS id (if the vocabulary has one); no EOS is added.
    virtual std::vector<TokenId> encode(std::string_view text, bool add_bos) const = 0;
    // Decodes ids to UTF-8 text. skip_special drops control tokens (BOS/EOS/...); byte-fallback
    // pieces <0xNN> are reassembled into bytes; invalid UTF-8 becomes U+FFFD.
    virtual std::string decode(const std::vector<TokenId>& ids, bool skip_special) const = 0;
    // The vocabulary piece of one id, as stored (e.g. "\u2581Hello", "<0x0A>").
    virtual std::string piece(TokenId id) const = 0;
    virtual std::int32_t vocab_size() const = 0;
    virtual SpecialIds special_ids() const = 0;
    // "sentencepiece", "bpe", ...
    virtual std::string kind() const = 0;
};

// Opens the tokenizer of a model folder (or a tokenizer file directly). Throws InputError naming
// the path when no supported tokenizer file is found or it cannot be read.
std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& dir_or_file);

}  // namespace hace::tokenizer
