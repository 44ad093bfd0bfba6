// Element types of stored tensors and of the run (compute) dtype.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hace {

enum class DType { F32, F16, BF16, F64, I8, U8, I16, I32, I64, Bool };

std::size_t dtype_size(DType t);
// Safetensors spelling: "F32", "BF16", ...
std::string_view dtype_safetensors_name(DType t);
std::optional<DType> dtype_from_safetensors(std::string_view name);
// Command-line / config spelling: f32, f16, bf16 (also float32, float16, bfloat16).
std::optional<DType> dtype_from_run_name(std::string_view name);
std::string_view dtype_run_name(DType t);
bool dtype_is_float(DType t);

}  // namespace hace
