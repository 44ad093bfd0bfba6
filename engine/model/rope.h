// Rotary position embedding of the Llama family with Hugging Face's rope_scaling types
// (modeling_rope_utils, re-stated): linear divides every frequency by factor; llama3 divides the
// long wavelengths, keeps the short ones and blends the band between; yarn blends interpolated
// and original frequencies over a correction range and multiplies cos and sin by its attention
// factor; dynamic raises the base for a forward chunk whose last position p passes the trained
// context: base * (factor (p + 1) / original - (factor - 1))^(d / (d - 2)). Keys already cached
// keep the rotation they were stored with, as in HF generate().
#pragma once

#include <cstdint>
#include <vector>

#include "engine/model/layers.h"
#include "engine/model/model_config.h"

namespace hace::model {

// Frequencies [head_dim / 2] of base theta after a static scaling (none, linear, llama3, yarn);
// for dynamic, the unscaled ones.
std::vector<double> rope_inv_freq(std::int64_t head_dim, double theta, const RopeScaling& s);

// Base of a dynamic-NTK chunk covering `length` positions (the base itself up to `original`).
double dynamic_ntk_theta(double theta, double factor, std::int64_t length, std::int64_t original,
                         std::int64_t head_dim);

// The RoPE of one model: cos/sin precomputed wherever they do not depend on the sequence.
class Rope {
public:
    Rope(const ModelConfig& cfg, at::ScalarType dtype);
    // cos/sin [t, head_dim] of positions start..start+t-1 of one forward chunk; pass them to
    // apply_rope(x, rows, 0).
    RopeTables rows(std::int64_t start, std::int64_t t) const;
    // The precomputed cos/sin [positions, head_dim] (every position, or up to the trained
    // context for dynamic scaling, whose later rows depend on the sequence).
    const RopeTables& table() const { return table_; }

private:
    RopeScaling scaling_;
    std::int64_t head_dim_ = 0;
    double theta_ = 0.0;
    at::ScalarType dtype_ = at::kFloat;
    RopeTables table_;  // [positions, head_dim]: all of them, or up to the trained context
};

}  // namespace hace::model
