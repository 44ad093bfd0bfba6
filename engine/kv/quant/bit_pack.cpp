#include "engine/kv/quant/bit_pack.h"

namespace hace::kv::quant {

void pack_codes(const std::uint8_t* codes, std::int64_t count, int bits, std::uint32_t* words) {
    const int per_word = codes_per_word(bits);
    const std::uint32_t mask = (1u << bits) - 1u;
    const std::int64_t n_words = packed_words(count, bits);
    for (std::int64_t w = 0; w < n_words; ++w) {
        std::uint32_t word = 0;
        const std::int64_t first = w * per_word;
        for (int j = 0; j < per_word && first + j < count; ++j) {
            word |= (static_cast<std::uint32_t>(codes[first + j]) & mask) << (j * bits);
        }
        words[w] = word;
    }
}

void unpack_codes(const std::uint32_t* words, std::int64_t count, int bits, std::uint8_t* codes) {
    for (std::int64_t i = 0; i < count; ++i) {
        codes[i] = static_cast<std::uint8_t>(code_at(words, i, bits));
    }
}

}  // namespace hace::kv::quant
