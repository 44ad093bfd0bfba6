#include "engine/model/rope.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "engine/core/error.h"

namespace hace::model {
namespace {

std::vector<double> plain_inv_freq(std::int64_t d, double theta) {
    std::vector<double> f(static_cast<std::size_t>(d / 2));
    for (std::size_t i = 0; i < f.size(); ++i) {
        f[i] = 1.0 / std::pow(theta, static_cast<double>(2 * i) / static_cast<double>(d));
    }
    return f;
}

void llama3_bands(std::vector<double>& f, const RopeScaling& s) {
    const double original = static_cast<double>(s.original_context);
    const double low_wavelen = original / s.low_freq_factor;
    const double high_wavelen = original / s.high_freq_factor;
    for (double& x : f) {
        const double wavelen = 2.0 * std::numbers::pi / x;
        if (wavelen > low_wavelen) {
            x /= s.factor;
        } else if (wavelen >= high_wavelen) {
            const double smooth =
                (original / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
            x = (1.0 - smooth) * x / s.factor + smooth * x;
        }
    }
}

void yarn_blend(std::vector<double>& f, std::int64_t d, double theta, const RopeScaling& s) {
    const double dim = static_cast<double>(d);
    const auto correction_dim = [&](double rotations) {
        return dim *
               std::log(static_cast<double>(s.original_context) /
                        (rotations * 2.0 * std::numbers::pi)) /
               (2.0 * std::log(theta));
    };
    double low = correction_dim(s.beta_fast);
    double high = correction_dim(s.beta_slow);
    if (s.truncate) {
        low = std::floor(low);
        high = std::ceil(high);
    }
    low = std::max(low, 0.0);
    high = std::min(high, dim - 1.0);
    if (low == high) high += 0.001;  // HF's guard against a zero-width ramp
    for (std::size_t i = 0; i < f.size(); ++i) {
        const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
        const double keep = 1.0 - ramp;  // weight of the original (extrapolated) frequency
        f[i] = f[i] / s.factor * (1.0 - keep) + f[i] * keep;
    }
}

}  // namespace

std::vector<double> rope_inv_freq(std::int64_t head_dim, double theta, const RopeScaling& s) {
    std::vector<double> f = plain_inv_freq(head_dim, theta);
    if (s.type == "linear") {
        for (double& x : f) x /= s.factor;
    } else if (s.type == "llama3") {
        llama3_bands(f, s);
    } else if (s.type == "yarn") {
        yarn_blend(f, head_dim, theta, s);
    }
    return f;
}

double dynamic_ntk_theta(double theta, double factor, std::int64_t length, std::int64_t original,
                         std::int64_t head_dim) {
    const double len = static_cast<double>(std::max(length, original));
    const double d = static_cast<double>(head_dim);
    return theta *
           std::pow(factor * len / static_cast<double>(original) - (factor - 1.0), d / (d - 2.0));
}

Rope::Rope(const ModelConfig& cfg, at::ScalarType dtype)
    : scaling_(cfg.rope_scaling), head_dim_(cfg.head_dim), theta_(cfg.rope_theta), dtype_(dtype) {
    const bool dynamic = scaling_.type == "dynamic";
    const double scale = scaling_.type == "yarn" ? scaling_.attention_factor : 1.0;
    const std::int64_t positions = dynamic ? scaling_.original_context : cfg.max_positions;
    table_ = rope_rows(rope_inv_freq(head_dim_, theta_, scaling_), 0, positions, scale, dtype_);
}

RopeTables Rope::rows(std::int64_t start, std::int64_t t) const {
    if (start + t <= table_.cos.size(0)) {
        return {table_.cos.narrow(0, start, t), table_.sin.narrow(0, start, t)};
    }
    // Sessions stop at max_positions, so only dynamic scaling gets here: a chunk past the trained
    // context, with its own base.
    if (scaling_.type != "dynamic") {
        throw InputError("position " + std::to_string(start + t - 1) +
                         " is beyond the RoPE table of " + std::to_string(table_.cos.size(0)) +
                         " positions");
    }
    const double theta =
        dynamic_ntk_theta(theta_, scaling_.factor, start + t, scaling_.original_context, head_dim_);
    return rope_rows(rope_inv_freq(head_dim_, theta, {}), start, t, 1.0, dtype_);
}

}  // namespace hace::model
