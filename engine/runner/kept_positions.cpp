#include "engine/runner/kept_positions.h"

#include <stdexcept>

namespace hace::runner {
namespace {

constexpr std::string_view kMagic = "HKP1";
constexpr char kBitset = 0;
constexpr char kGaps = 1;

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

std::size_t varint_size(std::uint64_t v) {
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

[[noreturn]] void damaged(const std::string& why) {
    throw std::invalid_argument("kept positions: " + why);
}

class Reader {
public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}

    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            const auto b = static_cast<unsigned char>(byte());
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        damaged("varint longer than 64 bits");
    }
    char byte() {
        if (pos_ >= bytes_.size()) damaged("truncated");
        return bytes_[pos_++];
    }
    std::string_view take(std::size_t n) {
        if (bytes_.size() - pos_ < n) damaged("truncated");
        const auto s = bytes_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    bool done() const { return pos_ == bytes_.size(); }

private:
    std::string_view bytes_;
    std::size_t pos_ = 0;
};

}  // namespace

std::string encode_kept_positions(const KeptPositions& kept) {
    if (kept.tokens < 0 || kept.layers < 0 || kept.heads < 0 ||
        kept.segments.size() != static_cast<std::size_t>(kept.layers * kept.heads)) {
        throw std::invalid_argument("kept positions: segments do not match layers x heads");
    }
    std::string out(kMagic);
    put_varint(out, static_cast<std::uint64_t>(kept.tokens));
    put_varint(out, static_cast<std::uint64_t>(kept.layers));
    put_varint(out, static_cast<std::uint64_t>(kept.heads));
    const auto n = static_cast<std::uint64_t>(kept.tokens);
    const std::size_t bitset_bytes = static_cast<std::size_t>((n + 7) / 8);
    for (const auto& seg : kept.segments) {
        std::size_t gap_bytes = varint_size(seg.size());
        std::int64_t next = 0;  // first position not yet covered
        for (const std::int64_t p : seg) {
            if (p < next || p >= kept.tokens) {
                throw std::invalid_argument(
                    "kept positions: positions must ascend inside [0, tokens)");
            }
            gap_bytes += varint_size(static_cast<std::uint64_t>(p - next));
            next = p + 1;
        }
        if (gap_bytes < bitset_bytes) {
            out.push_back(kGaps);
            put_varint(out, seg.size());
            next = 0;
            for (const std::int64_t p : seg) {
                put_varint(out, static_cast<std::uint64_t>(p - next));
                next = p + 1;
            }
        } else {
            out.push_back(kBitset);
            std::string bits(bitset_bytes, '\0');
            for (const std::int64_t p : seg) {
                bits[static_cast<std::size_t>(p / 8)] |= static_cast<char>(1u << (p % 8));
            }
            out += bits;
        }
    }
    return out;
}

KeptPositions decode_kept_positions(std::string_view bytes) {
    Reader r(bytes);
    if (r.take(kMagic.size()) != kMagic) damaged("not a kept-positions record");
    KeptPositions k;
    const std::uint64_t n = r.varint(), layers = r.varint(), heads = r.varint();
    constexpr std::uint64_t kLimit = std::uint64_t(1) << 40;
    if (n >= kLimit || layers >= (1u << 20) || heads >= (1u << 20) ||
        layers * heads > bytes.size()) {
        damaged("implausible shape");
    }
    k.tokens = static_cast<std::int64_t>(n);
    k.layers = static_cast<std::int64_t>(layers);
    k.heads = static_cast<std::int64_t>(heads);
    k.segments.resize(static_cast<std::size_t>(layers * heads));
    for (auto& seg : k.segments) {
        const char tag = r.byte();
        if (tag == kBitset) {
            const std::string_view bits = r.take(static_cast<std::size_t>((n + 7) / 8));
            for (std::uint64_t p = 0; p < n; ++p) {
                if (static_cast<unsigned char>(bits[p / 8]) & (1u << (p % 8))) {
                    seg.push_back(static_cast<std::int64_t>(p));
                }
            }
            if (n % 8 && static_cast<unsigned char>(bits.back()) >> (n % 8)) {
                damaged("bits set past the last position");
            }
        } else if (tag == kGaps) {
            const std::uint64_t count = r.varint();
            if (count > n) damaged("more kept positions than tokens");
            std::uint64_t next = 0;
            for (std::uint64_t i = 0; i < count; ++i) {
                const std::uint64_t gap = r.varint();
                if (gap >= n || next + gap >= n) damaged("position outside the prompt");
                seg.push_back(static_cast<std::int64_t>(next + gap));
                next += gap + 1;
            }
        } else {
            damaged("unknown segment encoding " + std::to_string(int(tag)));
        }
    }
    if (!r.done()) damaged("trailing bytes");
    return k;
}

}  // namespace hace::runner
