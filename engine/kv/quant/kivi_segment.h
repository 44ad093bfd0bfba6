// KIVI 2-/4-bit KV quantisation (ALGORITHMS.md section 6.3) of ONE segment: the keys and values
// of one KV head of one layer, head_dim d, fp32 in and out. No eviction: every token stays, the
// older ones quantised, the newest ones in a full-precision residual.
//
// Keys are quantised per channel: each run of G consecutive tokens shares one (min, scale) per
// channel. Values are quantised per token: each run of G consecutive channels of one token shares
// one (min, scale); d must be a multiple of G. Residual rules (after every call):
//   keys   - the first floor(N / R) * R tokens are quantised, the last N mod R stay full precision
//            (a prefill quantises whole R-blocks; during decoding the residual grows to R tokens
//            and is then quantised as one block);
//   values - all tokens except the newest min(N, R) are quantised (a decode token that pushes the
//            residual beyond R quantises the oldest residual token).
// KIVI's reference quantises a completed block right AFTER the step's attention; here append()
// quantises at once, so the token completing a key block (and the value leaving the residual)
// is already seen quantised by that step's attend(). Storage afterwards is identical.
//
// Storage, all counted by bytes() exactly as held (vector sizes, not capacities):
//   packed codes    uint32 words (bit_pack.h order). Keys: per G-token group, per channel, one row
//                   of G codes; values: per quantised token one row of d codes.
//   mins / scales   fp16 bit patterns (2 bytes each): d per key group, d/G per quantised value.
//   residual rows   fp32 (4 bytes per element), keys and values.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/kv/quant/fp16.h"

namespace hace::kv::quant {

struct KiviParams {
    int bits = 2;        // 2 or 4
    int group = 32;      // G (KIVI's group_size)
    int residual = 128;  // R (KIVI's residual_length), a positive multiple of G
};

// Throws InputError ("KIVI: <key>: expected ..., got ...") for bits not in {2, 4}, G < 1, R not a
// positive multiple of G, head_dim < 1 or head_dim not a multiple of G.
void validate_kivi_params(const KiviParams& params, int head_dim);

// Residual rows are stored as fp32.
inline constexpr int kKiviResidualElementBytes = 4;

struct KiviBytes {
    std::int64_t key_codes = 0;     // packed key words * 4
    std::int64_t key_params = 0;    // key mins + scales * 2
    std::int64_t value_codes = 0;   // packed value words * 4
    std::int64_t value_params = 0;  // value mins + scales * 2
    std::int64_t residual = 0;      // (residual key rows + residual value rows) * d * 4
    std::int64_t total() const {
        return key_codes + key_params + value_codes + value_params + residual;
    }
};

// Bytes of a segment holding `tokens` tokens. They depend on the total only, not on how it was
// split into prefill and decode appends. Equals KiviSegment::byte_breakdown() after the same
// appends.
KiviBytes kivi_bytes(std::int64_t tokens, int head_dim, const KiviParams& params);

// Scale and minimum of the quantisation group an element belongs to.
struct KiviGroup {
    float min = 0.0f;
    float scale = 0.0f;
};

class KiviSegment {
public:
    // Validates as validate_kivi_params.
    KiviSegment(const KiviParams& params, int head_dim);

    // Prefill of an EMPTY segment: k and v are [n, d] row-major. Throws InputError when the
    // segment already holds tokens or n < 0.
    void append_prompt(const float* k, const float* v, std::int64_t n);
    // One decode token: k and v are [d].
    void append(const float* k, const float* v);

    // Decode attention of g query heads sharing this KV head: q and out are [g, d]; logits are
    // scale * q.k over all length() keys (dequantised, then residual), one softmax per query head,
    // then the probability-weighted sum of the values. probs, when given, receives the [g,
    // length()] softmax probabilities in position order. Dequantises one key group (G x d) and one
    // value row at a time; thread-safe for concurrent calls. Throws InputError on an empty segment
    // or g < 1.
    void attend(const float* q, int g, float scale, float* out, float* probs = nullptr) const;

    std::int64_t length() const { return quantized_keys_ + residual_key_rows(); }
    std::int64_t bytes() const { return byte_breakdown().total(); }
    KiviBytes byte_breakdown() const;

    const KiviParams& params() const { return params_; }
    int head_dim() const { return head_dim_; }
    std::int64_t quantized_key_rows() const { return quantized_keys_; }
    std::int64_t residual_key_rows() const;
    std::int64_t quantized_value_rows() const { return quantized_values_; }
    std::int64_t residual_value_rows() const;

    // Rows as attend() sees them: dequantised where quantised, exact where residual.
    // out is [d] for one row, [length(), d] for all.
    void key_row(std::int64_t position, float* out) const;
    void value_row(std::int64_t position, float* out) const;
    void dequantize_keys(float* out) const;
    void dequantize_values(float* out) const;

    // The group of a quantised element; nullopt for a residual (full-precision) element.
    std::optional<KiviGroup> key_group(std::int64_t position, int channel) const;
    std::optional<KiviGroup> value_group(std::int64_t position, int channel) const;

    // Raw packed storage. Keys: [key groups][d][packed_words(G)], values: [quantised tokens]
    // [packed_words(d)].
    const std::vector<std::uint32_t>& key_codes() const { return key_codes_; }
    const std::vector<std::uint32_t>& value_codes() const { return value_codes_; }

private:
    void quantize_key_block(const float* rows, std::int64_t n_rows);
    void quantize_value_row(const float* row);
    void dequantize_key_group(std::int64_t group_index, float* rows) const;
    void dequantize_value_row(std::int64_t index, float* row) const;
    const float* residual_value_row(std::int64_t index) const;  // index 0 = oldest

    KiviParams params_;
    int head_dim_;
    std::int64_t key_words_per_channel_;  // packed_words(G, bits)
    std::int64_t value_words_per_token_;  // packed_words(d, bits)

    std::int64_t quantized_keys_ = 0;
    std::vector<std::uint32_t> key_codes_;  // [key groups][d][key_words_per_channel_]
    std::vector<Half> key_mins_;            // [key groups][d]
    std::vector<Half> key_scales_;          // [key groups][d]
    std::vector<float> key_residual_;       // [residual keys][d], in position order

    std::int64_t quantized_values_ = 0;
    std::vector<std::uint32_t> value_codes_;  // [quantised values][value_words_per_token_]
    std::vector<Half> value_mins_;            // [quantised values][d / G]
    std::vector<Half> value_scales_;          // [quantised values][d / G]
    // Ring of up to R rows; it fills in position order, and once full the oldest row sits at
    // value_ring_start_ and is overwritten by the next token after being quantised.
    std::vector<float> value_residual_;
    std::int64_t value_ring_start_ = 0;
};

}  // namespace hace::kv::quant
