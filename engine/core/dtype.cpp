#include "engine/core/dtype.h"

namespace hace {

std::size_t dtype_size(DType t) {
    switch (t) {
        case DType::F64:
        case DType::I64: return 8;
        case DType::F32:
        case DType::I32: return 4;
        case DType::F16:
        case DType::BF16:
        case DType::I16: return 2;
        case DType::I8:
        case DType::U8:
        case DType::Bool: return 1;
    }
    return 0;
}

std::string_view dtype_safetensors_name(DType t) {
    switch (t) {
        case DType::F32: return "F32";
        case DType::F16: return "F16";
        case DType::BF16: return "BF16";
        case DType::F64: return "F64";
        case DType::I8: return "I8";
        case DType::U8: return "U8";
        case DType::I16: return "I16";
        case DType::I32: return "I32";
        case DType::I64: return "I64";
        case DType::Bool: return "BOOL";
    }
    return "?";
}

std::optional<DType> dtype_from_safetensors(std::string_view n) {
    for (DType t : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I8, DType::U8,
                    DType::I16, DType::I32, DType::I64, DType::Bool}) {
        if (n == dtype_safetensors_name(t)) return t;
    }
    return std::nullopt;
}

std::optional<DType> dtype_from_run_name(std::string_view n) {
    if (n == "f32" || n == "float32" || n == "fp32") return DType::F32;
    if (n == "f16" || n == "float16" || n == "fp16" || n == "half") return DType::F16;
    if (n == "bf16" || n == "bfloat16") return DType::BF16;
    return std::nullopt;
}

std::string_view dtype_run_name(DType t) {
    switch (t) {
        case DType::F32: return "f32";
        case DType::F16: return "f16";
        case DType::BF16: return "bf16";
        default: return dtype_safetensors_name(t);
    }
}

bool dtype_is_float(DType t) {
    return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F64;
}

}  // namespace hace
