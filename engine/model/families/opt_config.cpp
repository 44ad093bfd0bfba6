// config.json keys of OPTForCausalLM (facebook/opt-*): learned positions, LayerNorm pre- or post-
// residual (do_layer_norm_before), ReLU MLP of width ffn_dim, an embedding narrower than the model
// when word_embed_proj_dim != hidden_size (opt-350m), and a head tied to the embedding.
#include "engine/model/config_reader.h"
#include "engine/model/families/opt.h"
#include "engine/model/model_config.h"

namespace hace::model {

void parse_opt_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg) {
    ConfigReader r(j, file);
    cfg.hidden = r.positive_int("hidden_size");
    cfg.intermediate = r.positive_int("ffn_dim");
    cfg.n_layers = r.positive_int("num_hidden_layers");
    cfg.n_q_heads = r.positive_int("num_attention_heads");
    cfg.n_kv_heads = cfg.n_q_heads;
    cfg.head_dim = r.split_hidden(cfg.hidden, cfg.n_q_heads);
    cfg.vocab = r.positive_int("vocab_size");
    // Learned positions: the table has max_position_embeddings (+ 2 offset) rows and no more.
    cfg.max_positions = r.positive_int("max_position_embeddings");
    cfg.word_embed_proj_dim = r.positive_int_or("word_embed_proj_dim", cfg.hidden);
    cfg.layer_norm_before = r.boolean_or("do_layer_norm_before", true);
    cfg.final_layer_norm =
        cfg.layer_norm_before && !r.boolean_or("_remove_final_layer_norm", false);
    cfg.hidden_act = r.string_or("activation_function", "relu");
    if (cfg.hidden_act != "relu") r.fail("activation_function", "\"relu\"");
    if (!r.boolean_or("layer_norm_elementwise_affine", true)) {
        r.fail("layer_norm_elementwise_affine",
               "true (LayerNorm without weights is not supported)");
    }
    cfg.attention_bias = cfg.mlp_bias = r.boolean_or("enable_bias", true);
    cfg.tie_word_embeddings = r.boolean_or("tie_word_embeddings", true);
    cfg.rope_theta = 0.0;       // no RoPE
    cfg.layer_norm_eps = 1e-5;  // OPT's LayerNorms use the PyTorch default
}

std::int64_t opt_param_count(const ModelConfig& c) {
    const std::int64_t h = c.hidden, f = c.intermediate, p = c.word_embed_proj_dim;
    std::int64_t layer = 4 * h * h + 2 * h * f + 4 * h;  // projections + two LayerNorms
    if (c.attention_bias) layer += 4 * h;
    if (c.mlp_bias) layer += f + h;
    std::int64_t total = c.n_layers * layer + c.vocab * p + (c.max_positions + 2) * h;
    if (p != h) total += 2 * h * p;  // project_in, project_out
    if (c.final_layer_norm) total += 2 * h;
    if (!c.tie_word_embeddings) total += c.vocab * p;
    return total;
}

}  // namespace hace::model
