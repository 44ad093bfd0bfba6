// Llama-family config.json keys (LlamaForCausalLM; Mistral and Qwen2 share this path later).
#include "engine/model/families/llama.h"

#include "engine/model/config_reader.h"
#include "engine/model/model_config.h"

namespace hace::model {

void parse_llama_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg) {
    ConfigReader r(j, file);
    cfg.hidden = r.positive_int("hidden_size");
    cfg.intermediate = r.positive_int("intermediate_size");
    cfg.n_layers = r.positive_int("num_hidden_layers");
    cfg.n_q_heads = r.positive_int("num_attention_heads");
    cfg.n_kv_heads = r.positive_int_or("num_key_value_heads", cfg.n_q_heads);
    if (cfg.n_q_heads % cfg.n_kv_heads != 0) {
        r.fail("num_key_value_heads", "a divisor of num_attention_heads (" +
                                          std::to_string(cfg.n_q_heads) + ")");
    }
    if (r.has("head_dim")) {
        cfg.head_dim = r.positive_int("head_dim");
    } else {
        if (cfg.hidden % cfg.n_q_heads != 0) {
            r.fail("num_attention_heads",
                   "a divisor of hidden_size (" + std::to_string(cfg.hidden) + ")");
        }
        cfg.head_dim = cfg.hidden / cfg.n_q_heads;
    }
    if (cfg.head_dim % 2 != 0) r.fail("head_dim", "an even number (RoPE rotates pairs)");
    cfg.vocab = r.positive_int("vocab_size");
    cfg.max_positions = r.positive_int("max_position_embeddings");
    cfg.rms_eps = r.positive_number_or("rms_norm_eps", 1e-6);
    cfg.rope_theta = r.positive_number_or("rope_theta", 10000.0);
    cfg.tie_word_embeddings = r.boolean_or("tie_word_embeddings", false);
    cfg.attention_bias = r.boolean_or("attention_bias", false);
    cfg.mlp_bias = r.boolean_or("mlp_bias", false);
    cfg.hidden_act = r.string_or("hidden_act", "silu");
    if (cfg.hidden_act != "silu") r.fail("hidden_act", "\"silu\"");
    if (r.has("rope_scaling")) {
        // Scaled RoPE variants change every logit; running without them would be silently wrong.
        r.fail("rope_scaling", "null (rope scaling types are not supported yet)");
    }
    if (r.positive_int_or("pretraining_tp", 1) != 1) r.fail("pretraining_tp", "1");
}

}  // namespace hace::model
