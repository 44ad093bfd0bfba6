// The kept-positions codec of the results store: exact round trips for both segment encodings,
// the smaller one chosen per segment, the size bound, and damaged strings refused.
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/runner/kept_positions.h"

namespace hace::runner {
namespace {

using ::testing::HasSubstr;

KeptPositions random_kept(std::int64_t tokens, std::int64_t layers, std::int64_t heads, double keep,
                          std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::bernoulli_distribution take(keep);
    KeptPositions k{tokens, layers, heads, {}};
    for (std::int64_t s = 0; s < layers * heads; ++s) {
        std::vector<std::int64_t> seg;
        for (std::int64_t p = 0; p < tokens; ++p) {
            if (take(rng)) seg.push_back(p);
        }
        k.segments.push_back(std::move(seg));
    }
    return k;
}

TEST(KeptPositions, RoundTripsAtEveryDensity) {
    for (const double keep : {0.0, 0.01, 0.1, 0.5, 1.0}) {
        for (const std::int64_t n : {1, 7, 8, 9, 300, 4096}) {
            const KeptPositions k = random_kept(n, 3, 2, keep, static_cast<std::uint32_t>(n));
            const std::string bytes = encode_kept_positions(k);
            EXPECT_EQ(decode_kept_positions(bytes), k) << "keep " << keep << " n " << n;
            // Never more than a bitset per segment plus its tag, after the header.
            EXPECT_LE(bytes.size(), 4 + 3 * 3 + 6 * (1 + (std::size_t(n) + 7) / 8) + 3);
        }
    }
}

TEST(KeptPositions, HandComputedBytesOfBothEncodings) {
    // 16 tokens, one layer, two heads. Head 0 keeps {0, 1, 15}: gap coding would take 4 bytes
    // (count 3; gaps 0, 0, 13) against the bitset's 2, so the bitset (0x03, 0x80). Head 1 keeps
    // nothing: 1 byte of gap coding (count 0) against 2, so gaps.
    const KeptPositions k{16, 1, 2, {{0, 1, 15}, {}}};
    const std::string b = encode_kept_positions(k);
    const std::string expected = std::string("HKP1") + '\x10' + '\x01' + '\x02' +  // header
                                 '\x00' + '\x03' + '\x80' +                        // bitset
                                 '\x01' + '\x00';                                  // gaps
    EXPECT_EQ(b, expected);
    EXPECT_EQ(decode_kept_positions(b), k);
    // A sparse segment of a long prompt: gap coding, about one byte per position.
    KeptPositions sparse{100000, 1, 1, {{5, 200, 99999}}};
    const std::string s = encode_kept_positions(sparse);
    // header "HKP1" + n (3 bytes) + layers + heads; tag, count, gaps 5 (1), 194 (2), 99798 (3)
    EXPECT_EQ(s.size(), 4u + 3 + 1 + 1 + 1 + 1 + 1 + 2 + 3);
    EXPECT_EQ(decode_kept_positions(s), sparse);
}

TEST(KeptPositions, RefusesBadInputAndDamagedBytes) {
    EXPECT_THROW((void)encode_kept_positions({4, 1, 1, {{2, 1}}}), std::invalid_argument);
    EXPECT_THROW((void)encode_kept_positions({4, 1, 1, {{4}}}), std::invalid_argument);
    EXPECT_THROW((void)encode_kept_positions({4, 2, 1, {{1}}}), std::invalid_argument);
    const std::string good = encode_kept_positions({16, 1, 2, {{0, 1, 15}, {}}});
    const auto message = [](const std::string& bytes) {
        try {
            (void)decode_kept_positions(bytes);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_THAT(message(good.substr(0, good.size() - 1)), HasSubstr("truncated"));
    EXPECT_THAT(message(good + "x"), HasSubstr("trailing bytes"));
    EXPECT_THAT(message("XKP1" + good.substr(4)), HasSubstr("not a kept-positions record"));
    std::string bad_tag = good;
    bad_tag[7] = '\x07';
    EXPECT_THAT(message(bad_tag), HasSubstr("unknown segment encoding 7"));
    // Gap coding a position past the prompt: 16 tokens, count 1, gap 16.
    EXPECT_THAT(message(std::string("HKP1") + '\x10' + '\x01' + '\x01' + '\x01' + '\x01' + '\x10'),
                HasSubstr("outside the prompt"));
    // Bitset with a bit past the last of 12 tokens.
    EXPECT_THAT(message(std::string("HKP1") + '\x0c' + '\x01' + '\x01' + '\x00' + '\x00' + '\x10'),
                HasSubstr("past the last position"));
}

}  // namespace
}  // namespace hace::runner
