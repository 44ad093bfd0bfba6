#include "engine/model/weight_source.h"

#include <cstring>

#include "engine/core/error.h"
#include "engine/model/safetensors.h"

namespace hace::model {

at::ScalarType to_scalar_type(DType t) {
    switch (t) {
        case DType::F32: return at::kFloat;
        case DType::F16: return at::kHalf;
        case DType::BF16: return at::kBFloat16;
        case DType::F64: return at::kDouble;
        case DType::I8: return at::kChar;
        case DType::U8: return at::kByte;
        case DType::I16: return at::kShort;
        case DType::I32: return at::kInt;
        case DType::I64: return at::kLong;
        case DType::Bool: return at::kBool;
    }
    return at::kFloat;
}

namespace {

class CheckpointWeights final : public WeightSource {
public:
    explicit CheckpointWeights(std::shared_ptr<const WeightStore> store) : store_(std::move(store)) {}

    bool has(const std::string& name) const override { return store_->contains(name); }

    at::Tensor take(const std::string& name, const std::vector<std::int64_t>& shape,
                    at::ScalarType dtype) override {
        const TensorView& tv = store_->require(name, shape);
        if (!dtype_is_float(tv.dtype)) {
            throw_mismatch(tv.file.string(), "tensor " + name, "a floating-point dtype",
                           std::string(dtype_safetensors_name(tv.dtype)));
        }
        const auto src_type = to_scalar_type(tv.dtype);
        const auto align = dtype_size(tv.dtype);
        auto* ptr = const_cast<std::byte*>(tv.data);  // never written: see the class comment
        const bool aligned = reinterpret_cast<std::uintptr_t>(ptr) % align == 0;
        auto opts = at::TensorOptions().dtype(src_type);
        at::Tensor t;
        if (aligned) {
            t = at::from_blob(ptr, shape, opts);
        } else {
            t = at::empty(shape, opts);
            std::memcpy(t.data_ptr(), ptr, tv.nbytes);
        }
        if (src_type != dtype) return t.to(dtype);
        // The store outlives every model built from it (the model holds it), so a view is safe.
        return t;
    }

    std::string label() const override { return store_->dir().string(); }
    std::shared_ptr<const void> keep_alive() const override { return store_; }

private:
    std::shared_ptr<const WeightStore> store_;
};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class RandomWeights final : public WeightSource {
public:
    RandomWeights(std::uint64_t seed, double std) : std_(std) {
        gen_ = at::make_generator<at::CPUGeneratorImpl>(seed);
    }

    bool has(const std::string&) const override { return true; }

    at::Tensor take(const std::string& name, const std::vector<std::int64_t>& shape,
                    at::ScalarType dtype) override {
        auto opts = at::TensorOptions().dtype(dtype);
        if (ends_with(name, "norm.weight") || ends_with(name, "layernorm.weight") ||
            ends_with(name, "ln_1.weight") || ends_with(name, "ln_2.weight") ||
            ends_with(name, "ln_f.weight")) {
            return at::ones(shape, opts);
        }
        if (ends_with(name, ".bias")) return at::zeros(shape, opts);
        at::Tensor t = at::empty(shape, at::TensorOptions().dtype(at::kFloat));
        t.normal_(0.0, std_, gen_);
        return dtype == at::kFloat ? t : t.to(dtype);
    }

    std::string label() const override { return "random"; }

private:
    double std_;
    at::Generator gen_;
};

}  // namespace

std::unique_ptr<WeightSource> checkpoint_weights(std::shared_ptr<const WeightStore> store) {
    return std::make_unique<CheckpointWeights>(std::move(store));
}

std::unique_ptr<WeightSource> random_weights(std::uint64_t seed, double std) {
    return std::make_unique<RandomWeights>(seed, std);
}

}  // namespace hace::model
