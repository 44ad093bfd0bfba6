// A model's architecture as read from its Hugging Face config.json, validated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/core/dtype.h"

namespace hace::model {

struct ModelConfig {
    std::string architecture;  // "LlamaForCausalLM"
    std::string family;        // registry id: "llama"
    std::string model_type;    // config's model_type ("llama")

    std::int64_t hidden = 0;        // hidden_size
    std::int64_t intermediate = 0;  // intermediate_size
    std::int64_t n_layers = 0;
    std::int64_t n_q_heads = 0;
    std::int64_t n_kv_heads = 0;
    std::int64_t head_dim = 0;
    std::int64_t vocab = 0;
    std::int64_t max_positions = 0;  // max_position_embeddings

    double rms_eps = 1e-6;
    double rope_theta = 10000.0;
    bool tie_word_embeddings = false;
    bool attention_bias = false;
    bool mlp_bias = false;
    std::string hidden_act = "silu";
    DType checkpoint_dtype = DType::F32;  // torch_dtype

    std::int32_t bos_id = -1;
    std::vector<std::int32_t> eos_ids;

    std::filesystem::path source;  // config.json it came from ("" for built-in shapes)
    nlohmann::json raw;            // the parsed file, for run metadata

    std::int64_t group_size() const { return n_q_heads / n_kv_heads; }
    // Number of weights, counting a tied lm_head once.
    std::int64_t param_count() const;
};

// Reads and validates <dir>/config.json (or a config.json path). Errors name the file, the key,
// the expected and the actual value. Unknown architectures are refused.
ModelConfig load_model_config(const std::filesystem::path& dir_or_file);

// Validates an already parsed config object (used for built-in shapes too).
ModelConfig parse_model_config(const nlohmann::json& j, const std::string& file_label);

}  // namespace hace::model
