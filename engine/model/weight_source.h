// Where a family's forward gets its weights: a mapped checkpoint or seeded random values.
// Internal to the engine (includes ATen); never included by front ends.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "engine/core/dtype.h"

namespace hace::model {

class WeightStore;

at::ScalarType to_scalar_type(DType t);

class WeightSource {
public:
    virtual ~WeightSource() = default;
    virtual bool has(const std::string& name) const = 0;
    // The tensor `name` with exactly `shape`, converted to `dtype`. Throws InputError naming the
    // checkpoint and the tensor when it is missing or shaped differently.
    virtual at::Tensor take(const std::string& name, const std::vector<std::int64_t>& shape,
                            at::ScalarType dtype) = 0;
    // Where the weights come from, for messages and run metadata.
    virtual std::string label() const = 0;
    // What a model must hold on to so that in-place (mapped) tensors stay valid.
    virtual std::shared_ptr<const void> keep_alive() const { return nullptr; }
};

// Tensors from a mapped safetensors store. Same-dtype, aligned tensors are used in place (no copy:
// the mapping is read-only and weights are never written).
std::unique_ptr<WeightSource> checkpoint_weights(std::shared_ptr<const WeightStore> store);

// Normal(0, std) matrices, ones for norm weights, zeros for biases; seeded and reproducible.
std::unique_ptr<WeightSource> random_weights(std::uint64_t seed, double std = 0.02);

}  // namespace hace::model
