// Bit-packing of b-bit quantisation codes into uint32 words, in KIVI's order (quant/new_pack.py):
// code j of a row sits in word j / (32 / b) at bit offset (j % (32 / b)) * b, so the first code
// of a word occupies its lowest bits. Every row starts a fresh word; when the row length is not a
// multiple of 32 / b, the unused high bits of its last word stay zero (KIVI asserts divisibility
// instead; G = 32 and head_dim = 64 / 128 never need the padding).
#pragma once

#include <cstdint>

namespace hace::kv::quant {

// b must divide 32 (the KIVI store uses 2 and 4).
constexpr int codes_per_word(int bits) {
    return 32 / bits;
}

// Words holding one row of `count` codes.
constexpr std::int64_t packed_words(std::int64_t count, int bits) {
    return (count + codes_per_word(bits) - 1) / codes_per_word(bits);
}

// codes[0..count) (each < 2^bits) -> words[0..packed_words(count, bits)).
void pack_codes(const std::uint8_t* codes, std::int64_t count, int bits, std::uint32_t* words);
// The inverse: words[0..packed_words(count, bits)) -> codes[0..count).
void unpack_codes(const std::uint32_t* words, std::int64_t count, int bits, std::uint8_t* codes);

// One code of a packed row.
inline std::uint32_t code_at(const std::uint32_t* words, std::int64_t index, int bits) {
    const int per_word = codes_per_word(bits);
    const int shift = static_cast<int>(index % per_word) * bits;
    return (words[index / per_word] >> shift) & ((1u << bits) - 1u);
}

}  // namespace hace::kv::quant
