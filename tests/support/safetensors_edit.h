// Test helper: read a safetensors file as (header JSON, data bytes) and write one back, so tests
// can build corrupt or altered checkpoints from real ones.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace hace::test {

struct SafetensorsParts {
    nlohmann::json header;  // including __metadata__ if present
    std::string data;       // the data section
};

SafetensorsParts read_safetensors(const std::filesystem::path& path);
// Writes header + data (header padded with spaces to a multiple of 8 bytes).
void write_safetensors(const std::filesystem::path& path, const SafetensorsParts& parts);
// Copies a model folder (config, tokenizer, weights) into dst.
void copy_model_dir(const std::filesystem::path& src, const std::filesystem::path& dst);

}  // namespace hace::test
