// config.json keys of QWenLMHeadModel (Qwen v1, remote code modeling_qwen.py): one head size
// (kv_channels) for all heads, an MLP whose two branches are each intermediate_size / 2 wide,
// RMSNorm eps layer_norm_epsilon, RoPE base rotary_emb_base, and the long-context switches
// use_dynamic_ntk and use_logn_attn, which act past the trained context seq_length.
#include <algorithm>
#include <cmath>

#include "engine/model/config_reader.h"
#include "engine/model/families/qwen.h"
#include "engine/model/model_config.h"

namespace hace::model {

void parse_qwen_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg) {
    ConfigReader r(j, file);
    cfg.hidden = r.positive_int("hidden_size");
    cfg.n_layers = r.positive_int("num_hidden_layers");
    cfg.n_q_heads = r.positive_int("num_attention_heads");
    cfg.n_kv_heads = cfg.n_q_heads;
    r.split_hidden(cfg.hidden, cfg.n_q_heads);  // refuses a head count that does not divide
    // Qwen splits c_attn by hidden_size but sizes it by kv_channels: the two must agree.
    cfg.head_dim = r.positive_int_or("kv_channels", 128);
    if (cfg.head_dim * cfg.n_q_heads != cfg.hidden) {
        r.fail("kv_channels", "hidden_size / num_attention_heads (" +
                                  std::to_string(cfg.hidden / cfg.n_q_heads) + ")");
    }
    if (cfg.head_dim % 2 != 0) r.fail("kv_channels", "an even number (RoPE rotates pairs)");
    const std::int64_t inter = r.positive_int("intermediate_size");
    if (inter % 2 != 0) r.fail("intermediate_size", "an even number (w1 and w2 are half as wide)");
    cfg.intermediate = inter / 2;  // the width of w1, w2 and c_proj's input
    cfg.vocab = r.positive_int("vocab_size");
    cfg.rms_eps = r.positive_number_or("layer_norm_epsilon", 1e-6);
    cfg.rope_theta = r.positive_number_or("rotary_emb_base", 10000.0);
    if (r.positive_number_or("rotary_pct", 1.0) != 1.0) {
        r.fail("rotary_pct", "1.0 (partial rotary embeddings are not supported)");
    }
    if (!r.boolean_or("scale_attn_weights", true)) r.fail("scale_attn_weights", "true");
    // no_bias: c_proj and the MLP have no biases; c_attn always has one.
    cfg.qkv_bias = true;
    cfg.attention_bias = cfg.mlp_bias = !r.boolean_or("no_bias", true);
    cfg.tie_word_embeddings = r.boolean_or("tie_word_embeddings", false);
    cfg.seq_length = r.positive_int_or("seq_length", 2048);
    cfg.dynamic_ntk = r.boolean_or("use_dynamic_ntk", true);
    cfg.logn_attn = r.boolean_or("use_logn_attn", true);
    // The reference's eager attention masks with a max_position_embeddings square, so that is as
    // far as it runs.
    cfg.max_positions = r.positive_int_or("max_position_embeddings", 8192);
}

std::int64_t qwen_param_count(const ModelConfig& c) {
    const std::int64_t h = c.hidden, i = c.intermediate;
    std::int64_t layer = 3 * h * h + 3 * h + h * h + 3 * h * i + 2 * h;
    if (c.attention_bias) layer += h;  // c_proj
    if (c.mlp_bias) layer += 2 * i + h;
    std::int64_t total = c.n_layers * layer + h + c.vocab * h;
    if (!c.tie_word_embeddings) total += c.vocab * h;
    return total;
}

double qwen_ntk_alpha(std::int64_t prefill_length, std::int64_t seq_length) {
    // log(x) / log(2) as Python's math.log(x, 2) computes it, so that ceil() sees the same value.
    const double context =
        std::log(static_cast<double>(prefill_length) / static_cast<double>(seq_length)) /
            std::log(2.0) +
        1.0;
    return std::max(std::pow(2.0, std::ceil(context)) - 1.0, 1.0);
}

}  // namespace hace::model
