// The prompt positions a compressed cache kept, per (layer, KV head) segment, in a compact
// byte string for the results store ("store_kept": true in a sweep; table kept_tokens).
//
// Each segment is written in whichever of two encodings is smaller, chosen per segment:
//   bitset  one bit per prompt position: ceil(n / 8) bytes whatever the budget, the better
//           choice when a head keeps more than about 1/8 to 1/16 of the prompt;
//   gaps    the number of kept positions, then the gap before each (the run of skipped
//           positions; LEB128 varints): about one byte per kept position while the gaps stay
//           under 128 tokens and two up to 16K, the better choice for the papers' small budgets
//           (C = 64..1024 per head) at long contexts.
// So a segment never costs more than ceil(n / 8) + 1 bytes. Layout: "HKP1", varint n, varint
// layers, varint heads, then per segment (layer-major) one tag byte (0 bitset, 1 gaps) and its
// payload. Decoding checks every length and position and throws std::invalid_argument on a
// damaged string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hace::runner {

struct KeptPositions {
    std::int64_t tokens = 0;  // prompt positions 0 .. tokens-1
    std::int64_t layers = 0, heads = 0;
    // [layer * heads + head]: ascending kept positions, each in [0, tokens)
    std::vector<std::vector<std::int64_t>> segments;

    const std::vector<std::int64_t>& at(std::int64_t layer, std::int64_t head) const {
        return segments[static_cast<std::size_t>(layer * heads + head)];
    }
    bool operator==(const KeptPositions&) const = default;
};

// std::invalid_argument when the shape does not match or positions are unsorted / outside.
std::string encode_kept_positions(const KeptPositions& kept);
KeptPositions decode_kept_positions(std::string_view bytes);

}  // namespace hace::runner
