#include "engine/model/shapes.h"

#include "engine/core/error.h"

namespace hace::model {
namespace {

struct ShapeDef {
    const char* name;
    const char* description;
    const char* config_json;
};

// Values from each model's published config.json (PERFORMANCE.md section 1).
const ShapeDef kShapes[] = {
    {"llama2-7b", "meta-llama/Llama-2-7b-hf config.json",
     R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":4096,
         "intermediate_size":11008,"num_hidden_layers":32,"num_attention_heads":32,
         "num_key_value_heads":32,"vocab_size":32000,"max_position_embeddings":4096,
         "rms_norm_eps":1e-05,"rope_theta":10000.0,"tie_word_embeddings":false,
         "hidden_act":"silu","torch_dtype":"float16","bos_token_id":1,"eos_token_id":2})"},
    {"mistral-7b", "mistralai/Mistral-7B-Instruct-v0.2 config.json (theta 1e6, no sliding window)",
     R"({"architectures":["MistralForCausalLM"],"model_type":"mistral","hidden_size":4096,
         "intermediate_size":14336,"num_hidden_layers":32,"num_attention_heads":32,
         "num_key_value_heads":8,"vocab_size":32000,"max_position_embeddings":32768,
         "rms_norm_eps":1e-05,"rope_theta":1000000.0,"sliding_window":null,
         "tie_word_embeddings":false,"hidden_act":"silu","torch_dtype":"bfloat16",
         "bos_token_id":1,"eos_token_id":2})"},
    {"opt-13b", "facebook/opt-13b config.json (learned positions: 2048 tokens at most)",
     R"({"architectures":["OPTForCausalLM"],"model_type":"opt","hidden_size":5120,
         "ffn_dim":20480,"num_hidden_layers":40,"num_attention_heads":40,"vocab_size":50272,
         "max_position_embeddings":2048,"word_embed_proj_dim":5120,"do_layer_norm_before":true,
         "_remove_final_layer_norm":false,"activation_function":"relu","enable_bias":true,
         "torch_dtype":"float16","bos_token_id":2,"eos_token_id":2,"pad_token_id":1})"},
    {"qwen-14b",
     "Qwen/Qwen-14B (v1, QWenLMHeadModel) config.json (seq_length 2048, dynamic NTK + logn)",
     R"({"architectures":["QWenLMHeadModel"],"model_type":"qwen","hidden_size":5120,
         "intermediate_size":27392,"num_hidden_layers":40,"num_attention_heads":40,
         "kv_channels":128,"vocab_size":152064,"max_position_embeddings":8192,
         "seq_length":2048,"layer_norm_epsilon":1e-06,"rotary_emb_base":10000,
         "rotary_pct":1.0,"use_dynamic_ntk":true,"use_logn_attn":true,"no_bias":true,
         "scale_attn_weights":true,"tie_word_embeddings":false,"torch_dtype":"bfloat16"})"},
    {"llama-100m", "a ~110M-parameter Llama for CPU benchmarks (hidden 768, 12 layers, tied)",
     R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":768,
         "intermediate_size":2048,"num_hidden_layers":12,"num_attention_heads":12,
         "num_key_value_heads":12,"vocab_size":32000,"max_position_embeddings":2048,
         "rms_norm_eps":1e-05,"rope_theta":10000.0,"tie_word_embeddings":true,
         "hidden_act":"silu","torch_dtype":"float32","bos_token_id":1,"eos_token_id":2})"},
    {"llama-134m",
     "llama-100m untied: 134M parameters, the model of the llama2.c comparison (PERFORMANCE.md "
     "5.4)",
     R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":768,
         "intermediate_size":2048,"num_hidden_layers":12,"num_attention_heads":12,
         "num_key_value_heads":12,"vocab_size":32000,"max_position_embeddings":2048,
         "rms_norm_eps":1e-05,"rope_theta":10000.0,"tie_word_embeddings":false,
         "hidden_act":"silu","torch_dtype":"float32","bos_token_id":1,"eos_token_id":2})"},
};

}  // namespace

std::vector<ShapeRow> shape_rows() {
    std::vector<ShapeRow> rows;
    for (const auto& s : kShapes) rows.push_back({s.name, s.description});
    return rows;
}

ModelConfig shape_config(const std::string& name, std::optional<std::int64_t> layers) {
    for (const auto& s : kShapes) {
        if (name != s.name) continue;
        auto j = nlohmann::json::parse(s.config_json);
        if (layers) {
            if (*layers <= 0) throw InputError("--layers must be a positive integer");
            j["num_hidden_layers"] = *layers;
        }
        ModelConfig cfg = parse_model_config(j, std::string("built-in shape ") + s.name);
        return cfg;
    }
    std::string known;
    for (const auto& s : kShapes) known += (known.empty() ? "" : ", ") + std::string(s.name);
    throw InputError("unknown shape \"" + name + "\" (known: " + known + ")");
}

}  // namespace hace::model
