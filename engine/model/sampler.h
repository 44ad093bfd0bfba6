// Next-token choice from a logits vector: greedy, or seeded temperature / top-k / top-p sampling.
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace hace::model {

struct SamplingParams {
    double temperature = 0.0;  // 0: greedy (argmax, the lowest id wins ties)
    std::int32_t top_k = 0;    // 0: no top-k filter
    double top_p = 1.0;        // 1: no nucleus filter
    std::uint64_t seed = 0;
};

class Sampler {
public:
    explicit Sampler(const SamplingParams& p);
    std::int32_t next(std::span<const float> logits);
    const SamplingParams& params() const { return p_; }

private:
    SamplingParams p_;
    std::mt19937_64 rng_;
};

// Index of the largest value; the first one on ties (numpy/torch argmax convention).
std::int32_t argmax(std::span<const float> logits);

}  // namespace hace::model
