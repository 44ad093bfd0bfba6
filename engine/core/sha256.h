// SHA-256 (FIPS 180-4) of a byte string, as 64 lower-case hex digits: the stable cell and sweep
// keys of the results store and the prompt-template fingerprints; self-contained so a key never
// depends on a platform library.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace hace {

// Incremental hasher: update() any number of times, then digest() once.
class Sha256 {
public:
    Sha256();
    void update(std::string_view bytes);
    std::array<std::uint8_t, 32> digest();

private:
    void compress(const std::uint8_t* block);

    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view bytes);

}  // namespace hace
