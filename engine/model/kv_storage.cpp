#include "engine/model/kv_storage.h"

namespace hace::model {

KvStorage::KvStorage(std::int64_t n_layers, std::int64_t n_kv_heads, std::int64_t head_dim,
                     std::int64_t capacity, at::ScalarType dtype)
    : n_kv_heads_(n_kv_heads), head_dim_(head_dim), capacity_(capacity) {
    const auto opts = at::TensorOptions().dtype(dtype);
    for (std::int64_t l = 0; l < n_layers; ++l) {
        k_.push_back(at::empty({n_kv_heads, capacity, head_dim}, opts));
        v_.push_back(at::empty({n_kv_heads, capacity, head_dim}, opts));
    }
    elem_bytes_ = static_cast<std::int64_t>(c10::elementSize(dtype));
}

void KvStorage::append(std::int64_t layer, const at::Tensor& k, const at::Tensor& v) {
    const std::int64_t t = k.size(1);
    const auto l = static_cast<std::size_t>(layer);
    k_[l].narrow(1, length_, t).copy_(k);
    v_[l].narrow(1, length_, t).copy_(v);
}

KvStats KvStorage::stats() const {
    KvStats s;
    const auto layers = static_cast<std::int64_t>(k_.size());
    s.full_entries = layers * n_kv_heads_ * length_;
    s.kept_entries = s.full_entries;
    s.bytes = s.kept_entries * 2 * head_dim_ * elem_bytes_;
    s.capacity_bytes = layers * n_kv_heads_ * capacity_ * 2 * head_dim_ * elem_bytes_;
    return s;
}

}  // namespace hace::model
