// RANDOM (docs/scorers.md section 1): uniform random scores, the floor every comparison needs.
// Each (layer, head, position) gets its own number from a counter-based generator keyed by the
// seed, so the kept set depends on nothing but the seed, the layer, the head and the position:
// not on the batch, the run order or the thread count.
#include <cstdint>

#include "engine/kv/methods.h"
#include "engine/kv/scorers/scorer_rows.h"

namespace hace::kv {
namespace {

// SplitMix64's finaliser: a bijective mix of a 64-bit counter.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

class RandomScorer final : public TokenScorer {
public:
    explicit RandomScorer(std::uint64_t seed) : seed_(seed) {}

    WindowStats score(const ScorerInput& in) const override {
        const std::int64_t n = in.k.size(1), p = n - in.w_keep;
        const std::int64_t heads = in.per_query_head ? in.q.size(0) : in.k.size(0);
        std::vector<std::vector<float>> rows(static_cast<std::size_t>(heads));
        for (std::int64_t h = 0; h < heads; ++h) {
            auto& row = rows[static_cast<std::size_t>(h)];
            row.resize(static_cast<std::size_t>(p));
            const std::uint64_t stream =
                mix(mix(seed_ ^ mix(static_cast<std::uint64_t>(in.layer))) ^
                    static_cast<std::uint64_t>(h));
            for (std::int64_t j = 0; j < p; ++j) {
                // The top 24 bits as a float in [0, 1): exact, so ties are as rare as they get.
                const std::uint64_t r = mix(stream ^ static_cast<std::uint64_t>(j));
                row[static_cast<std::size_t>(j)] =
                    static_cast<float>(r >> 40) / static_cast<float>(1u << 24);
            }
        }
        return scorers::without_window_stats(in, std::move(rows));
    }

private:
    std::uint64_t seed_;
};

}  // namespace

std::unique_ptr<TokenScorer> make_random_scorer(const CompressionConfig& cfg) {
    return std::make_unique<RandomScorer>(cfg.seed);
}

}  // namespace hace::kv
