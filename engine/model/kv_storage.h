// The uncompressed KV cache of one sequence: per layer one preallocated [Hkv, capacity, d] key and
// value tensor; new tokens are written in place (no per-step allocation or copy of the cache).
// Internal (ATen). The compressed, ragged per-head cache of the methods builds on this contract.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "engine/model/model.h"

namespace hace::model {

class KvStorage {
public:
    KvStorage(std::int64_t n_layers, std::int64_t n_kv_heads, std::int64_t head_dim,
              std::int64_t capacity, at::ScalarType dtype);

    // Writes k/v [Hkv, T, d] of layer l at positions length()..length()+T-1. All layers of a
    // forward append before advance(T) commits the new length.
    void append(std::int64_t layer, const at::Tensor& k, const at::Tensor& v);
    void advance(std::int64_t t) { length_ += t; }

    // Full-capacity views [Hkv, capacity, d]; rows past length() + pending are undefined.
    const at::Tensor& keys(std::int64_t layer) const { return k_[static_cast<std::size_t>(layer)]; }
    const at::Tensor& values(std::int64_t layer) const { return v_[static_cast<std::size_t>(layer)]; }

    std::int64_t length() const { return length_; }
    std::int64_t capacity() const { return capacity_; }
    KvStats stats() const;

private:
    std::vector<at::Tensor> k_, v_;
    std::int64_t n_kv_heads_, head_dim_, capacity_, length_ = 0;
    std::int64_t elem_bytes_;
};

}  // namespace hace::model
