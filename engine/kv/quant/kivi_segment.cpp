#include "engine/kv/quant/kivi_segment.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "engine/core/error.h"
#include "engine/kv/quant/bit_pack.h"
#include "engine/kv/quant/group_quant.h"

namespace hace::kv::quant {

namespace {

constexpr float kLargestHalf = 65504.0f;

// Checked before any state changes, so that a bad row leaves the segment as it was (every stored
// row is quantised sooner or later, and its fp16 minimum and scale must exist).
void check_rows(const char* what, const float* rows, std::int64_t n_rows, int head_dim) {
    for (std::int64_t i = 0; i < n_rows * head_dim; ++i) {
        const float x = rows[i];
        if (std::isfinite(x) && std::fabs(x) <= kLargestHalf) continue;
        std::ostringstream message;
        message << what << " row " << i / head_dim << " channel " << i % head_dim << " holds " << x
                << ": values must be finite and within the fp16 range (|x| <= 65504)";
        throw_input("KIVI", message.str());
    }
}

float dot(const float* a, const float* b, int n) {
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

}  // namespace

void validate_kivi_params(const KiviParams& params, int head_dim) {
    if (params.bits != 2 && params.bits != 4) {
        throw_mismatch("KIVI", "bits", "2 or 4", std::to_string(params.bits));
    }
    if (params.group < 1) {
        throw_mismatch("KIVI", "group", "a positive group size", std::to_string(params.group));
    }
    const std::string multiple =
        "a positive multiple of the group size " + std::to_string(params.group);
    if (params.residual < 1 || params.residual % params.group != 0) {
        throw_mismatch("KIVI", "residual", multiple, std::to_string(params.residual));
    }
    if (head_dim < 1 || head_dim % params.group != 0) {
        throw_mismatch("KIVI", "head_dim", multiple, std::to_string(head_dim));
    }
}

KiviBytes kivi_bytes(std::int64_t tokens, int head_dim, const KiviParams& params) {
    validate_kivi_params(params, head_dim);
    if (tokens < 0) throw_mismatch("KIVI", "tokens", "a count >= 0", std::to_string(tokens));
    const std::int64_t d = head_dim;
    const std::int64_t quantized_keys = tokens / params.residual * params.residual;
    const std::int64_t key_groups = quantized_keys / params.group;
    const std::int64_t residual_values = std::min<std::int64_t>(tokens, params.residual);
    const std::int64_t quantized_values = tokens - residual_values;
    KiviBytes bytes;
    bytes.key_codes = key_groups * d * packed_words(params.group, params.bits) * 4;
    bytes.key_params = key_groups * d * 2 * 2;
    bytes.value_codes = quantized_values * packed_words(d, params.bits) * 4;
    bytes.value_params = quantized_values * (d / params.group) * 2 * 2;
    bytes.residual = (tokens - quantized_keys + residual_values) * d * kKiviResidualElementBytes;
    return bytes;
}

KiviSegment::KiviSegment(const KiviParams& params, int head_dim)
    : params_(params), head_dim_(head_dim) {
    validate_kivi_params(params, head_dim);
    key_words_per_channel_ = packed_words(params.group, params.bits);
    value_words_per_token_ = packed_words(head_dim, params.bits);
}

std::int64_t KiviSegment::residual_key_rows() const {
    return static_cast<std::int64_t>(key_residual_.size()) / head_dim_;
}

std::int64_t KiviSegment::residual_value_rows() const {
    return static_cast<std::int64_t>(value_residual_.size()) / head_dim_;
}

void KiviSegment::append_prompt(const float* k, const float* v, std::int64_t n) {
    if (n < 0) throw_mismatch("KIVI", "prompt rows", "a count >= 0", std::to_string(n));
    if (length() > 0) {
        throw_input("KIVI", "append_prompt on a segment that already holds " +
                                std::to_string(length()) + " tokens");
    }
    check_rows("prompt key", k, n, head_dim_);
    check_rows("prompt value", v, n, head_dim_);
    const std::int64_t d = head_dim_;
    const std::int64_t quantized_keys = n / params_.residual * params_.residual;
    quantize_key_block(k, quantized_keys);
    key_residual_.assign(k + quantized_keys * d, k + n * d);

    const std::int64_t quantized_values = std::max<std::int64_t>(0, n - params_.residual);
    for (std::int64_t t = 0; t < quantized_values; ++t) quantize_value_row(v + t * d);
    value_residual_.assign(v + quantized_values * d, v + n * d);
    value_ring_start_ = 0;
}

void KiviSegment::append(const float* k, const float* v) {
    check_rows("decode key", k, 1, head_dim_);
    check_rows("decode value", v, 1, head_dim_);
    key_residual_.insert(key_residual_.end(), k, k + head_dim_);
    if (residual_key_rows() == params_.residual) {
        quantize_key_block(key_residual_.data(), params_.residual);
        key_residual_.clear();
    }
    if (residual_value_rows() < params_.residual) {
        value_residual_.insert(value_residual_.end(), v, v + head_dim_);
        return;
    }
    float* oldest = value_residual_.data() + value_ring_start_ * head_dim_;
    quantize_value_row(oldest);
    std::copy(v, v + head_dim_, oldest);
    value_ring_start_ = (value_ring_start_ + 1) % params_.residual;
}

void KiviSegment::quantize_key_block(const float* rows, std::int64_t n_rows) {
    const int g = params_.group;
    const std::int64_t d = head_dim_;
    std::vector<std::uint8_t> codes(static_cast<std::size_t>(g));
    for (std::int64_t first = 0; first < n_rows; first += g) {
        for (std::int64_t c = 0; c < d; ++c) {
            // One channel of G consecutive tokens: stride d through the token-major rows.
            const GroupParams p =
                quantize_group(rows + first * d + c, g, d, params_.bits, codes.data());
            key_mins_.push_back(p.min);
            key_scales_.push_back(p.scale);
            const std::size_t at = key_codes_.size();
            key_codes_.resize(at + static_cast<std::size_t>(key_words_per_channel_));
            pack_codes(codes.data(), g, params_.bits, key_codes_.data() + at);
        }
    }
    quantized_keys_ += n_rows;
}

void KiviSegment::quantize_value_row(const float* row) {
    const int g = params_.group;
    std::vector<std::uint8_t> codes(static_cast<std::size_t>(head_dim_));
    for (int first = 0; first < head_dim_; first += g) {
        const GroupParams p = quantize_group(row + first, g, 1, params_.bits, codes.data() + first);
        value_mins_.push_back(p.min);
        value_scales_.push_back(p.scale);
    }
    const std::size_t at = value_codes_.size();
    value_codes_.resize(at + static_cast<std::size_t>(value_words_per_token_));
    pack_codes(codes.data(), head_dim_, params_.bits, value_codes_.data() + at);
    ++quantized_values_;
}

void KiviSegment::dequantize_key_group(std::int64_t group_index, float* rows) const {
    const int g = params_.group;
    const std::int64_t d = head_dim_;
    for (std::int64_t c = 0; c < d; ++c) {
        const std::int64_t slot = group_index * d + c;
        const float min = half_to_float(key_mins_[slot]);
        const float scale = half_to_float(key_scales_[slot]);
        const std::uint32_t* words = key_codes_.data() + slot * key_words_per_channel_;
        for (int t = 0; t < g; ++t) {
            rows[t * d + c] = dequantize_code(code_at(words, t, params_.bits), min, scale);
        }
    }
}

void KiviSegment::dequantize_value_row(std::int64_t index, float* row) const {
    const int g = params_.group;
    const std::int64_t groups_per_row = head_dim_ / g;
    const std::uint32_t* words = value_codes_.data() + index * value_words_per_token_;
    for (std::int64_t j = 0; j < groups_per_row; ++j) {
        const float min = half_to_float(value_mins_[index * groups_per_row + j]);
        const float scale = half_to_float(value_scales_[index * groups_per_row + j]);
        for (std::int64_t c = j * g; c < (j + 1) * g; ++c) {
            row[c] = dequantize_code(code_at(words, c, params_.bits), min, scale);
        }
    }
}

const float* KiviSegment::residual_value_row(std::int64_t index) const {
    const std::int64_t rows = residual_value_rows();
    return value_residual_.data() + ((value_ring_start_ + index) % rows) * head_dim_;
}

void KiviSegment::attend(const float* q, int g, float scale, float* out, float* probs) const {
    const std::int64_t n = length();
    if (n == 0) throw_input("KIVI", "attend on an empty segment");
    if (g < 1) throw_mismatch("KIVI", "query heads", ">= 1", std::to_string(g));
    const int d = head_dim_;
    const int group = params_.group;

    std::vector<float> own_logits;
    float* logits = probs;  // [g, n]; becomes the probabilities in place
    if (logits == nullptr) {
        own_logits.resize(static_cast<std::size_t>(g) * n);
        logits = own_logits.data();
    }

    std::vector<float> key_block(static_cast<std::size_t>(group) * d);
    for (std::int64_t gi = 0; gi < quantized_keys_ / group; ++gi) {
        dequantize_key_group(gi, key_block.data());
        for (int h = 0; h < g; ++h) {
            for (int t = 0; t < group; ++t) {
                logits[h * n + gi * group + t] =
                    scale * dot(q + h * d, key_block.data() + t * d, d);
            }
        }
    }
    for (std::int64_t r = 0; r < residual_key_rows(); ++r) {
        for (int h = 0; h < g; ++h) {
            logits[h * n + quantized_keys_ + r] = scale * dot(q + h * d, &key_residual_[r * d], d);
        }
    }

    for (int h = 0; h < g; ++h) {
        float* row = logits + h * n;
        const float peak = *std::max_element(row, row + n);
        double total = 0.0;
        for (std::int64_t j = 0; j < n; ++j) {
            row[j] = std::exp(row[j] - peak);
            total += row[j];
        }
        const float inverse = static_cast<float>(1.0 / total);
        for (std::int64_t j = 0; j < n; ++j) row[j] *= inverse;
    }

    std::vector<double> sum(static_cast<std::size_t>(g) * d, 0.0);
    std::vector<float> value(static_cast<std::size_t>(d));
    const auto accumulate = [&](std::int64_t position, const float* v) {
        for (int h = 0; h < g; ++h) {
            const double p = logits[h * n + position];
            for (int c = 0; c < d; ++c) sum[h * d + c] += p * v[c];
        }
    };
    for (std::int64_t t = 0; t < quantized_values_; ++t) {
        dequantize_value_row(t, value.data());
        accumulate(t, value.data());
    }
    for (std::int64_t r = 0; r < residual_value_rows(); ++r) {
        accumulate(quantized_values_ + r, residual_value_row(r));
    }
    for (std::size_t i = 0; i < sum.size(); ++i) out[i] = static_cast<float>(sum[i]);
}

KiviBytes KiviSegment::byte_breakdown() const {
    KiviBytes bytes;
    bytes.key_codes = static_cast<std::int64_t>(key_codes_.size() * sizeof(std::uint32_t));
    bytes.key_params =
        static_cast<std::int64_t>((key_mins_.size() + key_scales_.size()) * sizeof(Half));
    bytes.value_codes = static_cast<std::int64_t>(value_codes_.size() * sizeof(std::uint32_t));
    bytes.value_params =
        static_cast<std::int64_t>((value_mins_.size() + value_scales_.size()) * sizeof(Half));
    bytes.residual =
        static_cast<std::int64_t>((key_residual_.size() + value_residual_.size()) * sizeof(float));
    return bytes;
}

void KiviSegment::key_row(std::int64_t position, float* out) const {
    if (position < 0 || position >= length()) {
        throw_mismatch("KIVI", "key position", "< " + std::to_string(length()),
                       std::to_string(position));
    }
    if (position >= quantized_keys_) {
        const float* row = &key_residual_[(position - quantized_keys_) * head_dim_];
        std::copy(row, row + head_dim_, out);
        return;
    }
    const std::int64_t gi = position / params_.group;
    const std::int64_t t = position % params_.group;
    for (std::int64_t c = 0; c < head_dim_; ++c) {
        const std::int64_t slot = gi * head_dim_ + c;
        const std::uint32_t* words = key_codes_.data() + slot * key_words_per_channel_;
        out[c] = dequantize_code(code_at(words, t, params_.bits), half_to_float(key_mins_[slot]),
                                 half_to_float(key_scales_[slot]));
    }
}

void KiviSegment::value_row(std::int64_t position, float* out) const {
    if (position < 0 || position >= length()) {
        throw_mismatch("KIVI", "value position", "< " + std::to_string(length()),
                       std::to_string(position));
    }
    if (position < quantized_values_) {
        dequantize_value_row(position, out);
        return;
    }
    const float* row = residual_value_row(position - quantized_values_);
    std::copy(row, row + head_dim_, out);
}

void KiviSegment::dequantize_keys(float* out) const {
    const std::int64_t block = static_cast<std::int64_t>(params_.group) * head_dim_;
    for (std::int64_t gi = 0; gi < quantized_keys_ / params_.group; ++gi) {
        dequantize_key_group(gi, out + gi * block);
    }
    std::copy(key_residual_.begin(), key_residual_.end(), out + quantized_keys_ * head_dim_);
}

void KiviSegment::dequantize_values(float* out) const {
    for (std::int64_t t = 0; t < length(); ++t) value_row(t, out + t * head_dim_);
}

std::optional<KiviGroup> KiviSegment::key_group(std::int64_t position, int channel) const {
    if (position < 0 || position >= quantized_keys_ || channel < 0 || channel >= head_dim_) {
        return std::nullopt;
    }
    const std::int64_t slot = position / params_.group * head_dim_ + channel;
    return KiviGroup{half_to_float(key_mins_[slot]), half_to_float(key_scales_[slot])};
}

std::optional<KiviGroup> KiviSegment::value_group(std::int64_t position, int channel) const {
    if (position < 0 || position >= quantized_values_ || channel < 0 || channel >= head_dim_) {
        return std::nullopt;
    }
    const std::int64_t slot = position * (head_dim_ / params_.group) + channel / params_.group;
    return KiviGroup{half_to_float(value_mins_[slot]), half_to_float(value_scales_[slot])};
}

}  // namespace hace::kv::quant
