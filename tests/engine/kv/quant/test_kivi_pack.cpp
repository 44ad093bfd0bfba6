// Bit-packing order (first code in the lowest bits) and round trips, including padded rows.
#include <cstdint>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "engine/kv/quant/bit_pack.h"

namespace hace::kv::quant {
namespace {

TEST(KiviPack, HandComputedWords) {
    const std::vector<std::uint8_t> two_bit = {1, 2, 3, 0, 3, 3};  // 6 codes -> one padded word
    std::uint32_t word = 0xFFFFFFFFu;
    pack_codes(two_bit.data(), 6, 2, &word);
    EXPECT_EQ(word, 1u | 2u << 2 | 3u << 4 | 0u << 6 | 3u << 8 | 3u << 10);
    EXPECT_EQ(word, 0xF39u);

    const std::vector<std::uint8_t> four_bit = {0, 15, 1, 14, 2, 13, 3, 12, 7};
    std::vector<std::uint32_t> words(2, 0xFFFFFFFFu);
    pack_codes(four_bit.data(), 9, 4, words.data());
    EXPECT_EQ(words[0], 0xC3D2E1F0u);
    EXPECT_EQ(words[1], 0x7u);  // high bits of the padded word are zero
    EXPECT_EQ(code_at(words.data(), 1, 4), 15u);
    EXPECT_EQ(code_at(words.data(), 8, 4), 7u);
}

TEST(KiviPack, WordCounts) {
    EXPECT_EQ(codes_per_word(2), 16);
    EXPECT_EQ(codes_per_word(4), 8);
    EXPECT_EQ(packed_words(32, 2), 2);
    EXPECT_EQ(packed_words(32, 4), 4);
    EXPECT_EQ(packed_words(128, 2), 8);
    EXPECT_EQ(packed_words(17, 2), 2);
    EXPECT_EQ(packed_words(4, 4), 1);
    EXPECT_EQ(packed_words(0, 4), 0);
}

TEST(KiviPack, RandomRoundTrip) {
    std::mt19937 rng(7);
    for (int bits : {2, 4}) {
        std::uniform_int_distribution<int> code(0, (1 << bits) - 1);
        for (std::int64_t count : {1, 7, 8, 16, 31, 32, 100, 128}) {
            std::vector<std::uint8_t> codes(static_cast<std::size_t>(count));
            for (auto& c : codes) c = static_cast<std::uint8_t>(code(rng));
            std::vector<std::uint32_t> words(static_cast<std::size_t>(packed_words(count, bits)));
            pack_codes(codes.data(), count, bits, words.data());
            std::vector<std::uint8_t> back(codes.size(), 0xFF);
            unpack_codes(words.data(), count, bits, back.data());
            EXPECT_EQ(back, codes) << "bits " << bits << " count " << count;
            const std::int64_t unused =
                static_cast<std::int64_t>(words.size()) * codes_per_word(bits) - count;
            if (unused > 0) {
                EXPECT_EQ(words.back() >> (32 - unused * bits), 0u);
            }
        }
    }
}

}  // namespace
}  // namespace hace::kv::quant
