// The one pseudo-random source of the statistics: SplitMix64 (Steele, Lea & Flood 2014), chosen
// over <random> because its output and our index mapping are fixed by this code, so a seed gives
// the same resamples with every compiler and standard library.
#pragma once

#include <cstdint>

namespace hace::stats {

class RandomStream {
public:
    explicit RandomStream(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    // Uniform in [0, n) without modulo bias (rejection of the incomplete last block).
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
        std::uint64_t v;
        do {
            v = next();
        } while (v >= limit);
        return v % n;
    }

    bool coin() { return (next() >> 63) != 0; }

private:
    std::uint64_t state_;
};

}  // namespace hace::stats
