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

// RoPE frequency scaling from config.json "rope_scaling", with the meaning Hugging Face's
// modeling_rope_utils gives each type. type "" is plain RoPE.
struct RopeScaling {
    std::string type;                   // "", "linear", "dynamic", "llama3" or "yarn"
    double factor = 1.0;                // context stretch
    std::int64_t original_context = 0;  // pre-scaling context the frequencies were trained for
    double low_freq_factor = 1.0;       // llama3 band edges: wavelengths original / factor
    double high_freq_factor = 4.0;
    double beta_fast = 32.0;  // yarn correction range (rotations)
    double beta_slow = 1.0;
    bool truncate = true;           // yarn: floor / ceil the correction range
    double attention_factor = 1.0;  // yarn: multiplies cos and sin (so q.k by its square)
};

struct ModelConfig {
    std::string architecture;  // "LlamaForCausalLM"
    std::string family;        // registry id: "llama"
    std::string model_type;    // config's model_type ("llama")

    std::int64_t hidden = 0;        // hidden_size
    std::int64_t intermediate = 0;  // MLP width: intermediate_size (OPT ffn_dim, Qwen v1 half)
    std::int64_t n_layers = 0;
    std::int64_t n_q_heads = 0;
    std::int64_t n_kv_heads = 0;
    std::int64_t head_dim = 0;
    std::int64_t vocab = 0;
    // Longest sequence the engine runs: max_position_embeddings, stretched by rope_scaling (see
    // llama_config.cpp).
    std::int64_t max_positions = 0;

    double rms_eps = 1e-6;
    double rope_theta = 10000.0;
    bool tie_word_embeddings = false;
    bool attention_bias = false;
    bool mlp_bias = false;
    std::string hidden_act = "silu";
    bool qkv_bias = false;            // q/k/v biases without an output bias (Qwen2, Qwen v1)
    std::int64_t sliding_window = 0;  // > 0: query i sees key j iff 0 <= i - j < window
    RopeScaling rope_scaling;         // Llama family only

    // OPT (learned absolute positions, LayerNorm).
    std::int64_t word_embed_proj_dim = 0;  // token embedding width; != hidden: project_in/out
    bool layer_norm_before = true;         // do_layer_norm_before: pre-LN (else post-LN)
    bool final_layer_norm = true;          // model-level LayerNorm after the last layer
    double layer_norm_eps = 1e-5;

    // Qwen v1 (QWenLMHeadModel): NTK and logn take effect past the trained context seq_length.
    std::int64_t seq_length = 0;
    bool dynamic_ntk = false;  // use_dynamic_ntk: RoPE base from the prefill length
    bool logn_attn = false;    // use_logn_attn: query scaled by log_{seq_length}(p + 1)

    DType checkpoint_dtype = DType::F32;  // torch_dtype

    std::int32_t bos_id = -1;
    std::vector<std::int32_t> eos_ids;

    std::filesystem::path source;  // config.json it came from ("" for built-in shapes)
    nlohmann::json raw;            // the parsed file, for run metadata

    std::int64_t group_size() const { return n_q_heads / n_kv_heads; }
    // Number of weights (per family), counting a tied lm_head once.
    std::int64_t param_count() const;
    // How positions enter the model, for run metadata: "RoPE theta 10000, yarn factor 4 ...".
    std::string position_encoding() const;
};

// Reads and validates <dir>/config.json (or a config.json path). Errors name the file, the key,
// the expected and the actual value. Unknown architectures are refused.
ModelConfig load_model_config(const std::filesystem::path& dir_or_file);

// Validates an already parsed config object (used for built-in shapes too).
ModelConfig parse_model_config(const nlohmann::json& j, const std::string& file_label);

}  // namespace hace::model
