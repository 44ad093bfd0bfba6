// Built-in model shapes for `--shape NAME --random-weights`: configs equal to the real models'
// config.json, so speed can be measured at real shapes without downloading weights.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/model/model_config.h"

namespace hace::model {

struct ShapeRow {
    std::string name;         // "llama2-7b"
    std::string description;  // where the numbers come from
};

std::vector<ShapeRow> shape_rows();
// The validated config of a built-in shape; layers > 0 keeps the shape but cuts the depth.
// Throws InputError for an unknown name (listing the known ones).
ModelConfig shape_config(const std::string& name, std::optional<std::int64_t> layers = {});

}  // namespace hace::model
