// config.json keys of the Llama family: LlamaForCausalLM, MistralForCausalLM (sliding_window) and
// Qwen2ForCausalLM (q/k/v biases; a window only with use_sliding_window), plus "rope_scaling"
// with Hugging Face's meaning of each type (modeling_rope_utils; legacy "type" key accepted).
#include <algorithm>
#include <cmath>

#include "engine/model/config_reader.h"
#include "engine/model/families/llama.h"
#include "engine/model/model_config.h"

namespace hace::model {
namespace {

enum class Variant { llama, mistral, qwen2 };

// Dynamic NTK is defined at every length (the base grows with it); the engine stops at 32x the
// trained context, which takes a 4K model to the study's longest grid point (128K).
constexpr double kDynamicStretch = 32.0;

// A key that may be 0 (ConfigReader's integers are positive).
std::int64_t count_or(const nlohmann::json& j, const ConfigReader& r, const std::string& key,
                      std::int64_t fallback) {
    if (!r.has(key)) return fallback;
    const auto& v = j.at(key);
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0) r.fail(key, "an integer >= 0");
    return v.get<std::int64_t>();
}

RopeScaling parse_rope_scaling(const nlohmann::json& j, const ConfigReader& top,
                               std::int64_t max_pos) {
    RopeScaling s;
    if (!top.has("rope_scaling")) return s;
    const nlohmann::json& node = j.at("rope_scaling");
    const std::string expected =
        "null or an object whose rope_type (or legacy type) is linear, "
        "dynamic, llama3 or yarn";
    if (!node.is_object()) top.fail("rope_scaling", expected);
    // Errors inside the object read "<file>: rope_scaling: <key>: expected ...".
    std::string label = top.file();
    label.append(": rope_scaling");
    const ConfigReader r(node, label);
    const std::string type =
        r.has("rope_type") ? r.string_or("rope_type", "") : r.string_or("type", "");
    if (type == "default") return s;
    if (type != "linear" && type != "dynamic" && type != "llama3" && type != "yarn") {
        // Every other type changes the logits in ways this engine does not reproduce.
        top.fail("rope_scaling", expected);
    }
    s.type = type;
    s.factor = r.positive_number_or("factor", 0.0);
    if (s.factor < 1.0) r.fail("factor", "a number >= 1");
    s.original_context = r.positive_int_or("original_max_position_embeddings", max_pos);
    if (type == "dynamic" && s.original_context != max_pos) {
        // transformers releases disagree on which of the two the dynamic formula uses.
        r.fail("original_max_position_embeddings",
               "absent or equal to max_position_embeddings (" + std::to_string(max_pos) + ")");
    }
    if (type == "llama3") {
        if (!r.has("original_max_position_embeddings")) {
            r.fail("original_max_position_embeddings", "a positive integer");
        }
        s.low_freq_factor = r.positive_number_or("low_freq_factor", 0.0);
        s.high_freq_factor = r.positive_number_or("high_freq_factor", 0.0);
        if (s.low_freq_factor <= 0.0) r.fail("low_freq_factor", "a positive number");
        if (s.high_freq_factor <= s.low_freq_factor) {
            r.fail("high_freq_factor", "a number above low_freq_factor");
        }
    }
    if (type == "yarn") {
        // The pre-yarn context is original_max_position_embeddings when given (the YaRN paper's
        // and vLLM's reading), else max_position_embeddings; factor is used as written.
        s.beta_fast = r.positive_number_or("beta_fast", 32.0);
        s.beta_slow = r.positive_number_or("beta_slow", 1.0);
        s.truncate = r.boolean_or("truncate", true);
        const auto mscale = [&](double m) {
            return s.factor <= 1.0 ? 1.0 : 0.1 * m * std::log(s.factor) + 1.0;
        };
        const double m = r.positive_number_or("mscale", 0.0);
        const double m_all = r.positive_number_or("mscale_all_dim", 0.0);
        s.attention_factor = (m > 0.0 && m_all > 0.0) ? mscale(m) / mscale(m_all) : mscale(1.0);
        s.attention_factor = r.positive_number_or("attention_factor", s.attention_factor);
    }
    return s;
}

std::int64_t scaled_context(const RopeScaling& s, std::int64_t max_pos) {
    if (s.type.empty()) return max_pos;
    const double stretch = s.type == "dynamic" ? std::max(s.factor, kDynamicStretch) : s.factor;
    return std::max<std::int64_t>(max_pos, std::llround(double(s.original_context) * stretch));
}

// Qwen2 slides layer i iff i >= max_window_layers (transformers' layer_types); one window for
// all layers is what the KV cache supports, so a mix is refused.
std::int64_t qwen2_window(const nlohmann::json& j, const ConfigReader& r, std::int64_t layers) {
    if (!r.boolean_or("use_sliding_window", false)) return 0;
    const std::int64_t window = r.positive_int("sliding_window");
    const std::int64_t first = count_or(j, r, "max_window_layers", 28);
    if (first >= layers) return 0;
    if (first > 0) {
        r.fail("max_window_layers",
               "0 or >= num_hidden_layers (a mix of sliding-window and "
               "full-attention layers is not supported)");
    }
    return window;
}

void parse(const nlohmann::json& j, const std::string& file, ModelConfig& cfg, Variant v) {
    ConfigReader r(j, file);
    cfg.hidden = r.positive_int("hidden_size");
    cfg.intermediate = r.positive_int("intermediate_size");
    cfg.n_layers = r.positive_int("num_hidden_layers");
    cfg.n_q_heads = r.positive_int("num_attention_heads");
    cfg.n_kv_heads = r.positive_int_or("num_key_value_heads", cfg.n_q_heads);
    if (cfg.n_q_heads % cfg.n_kv_heads != 0) {
        r.fail("num_key_value_heads",
               "a divisor of num_attention_heads (" + std::to_string(cfg.n_q_heads) + ")");
    }
    if (r.has("head_dim")) {
        cfg.head_dim = r.positive_int("head_dim");
    } else {
        cfg.head_dim = r.split_hidden(cfg.hidden, cfg.n_q_heads);
    }
    if (cfg.head_dim % 2 != 0) r.fail("head_dim", "an even number (RoPE rotates pairs)");
    cfg.vocab = r.positive_int("vocab_size");
    const std::int64_t max_pos = r.positive_int("max_position_embeddings");
    cfg.rms_eps = r.positive_number_or("rms_norm_eps", 1e-6);
    cfg.rope_theta = r.positive_number_or("rope_theta", 10000.0);
    cfg.tie_word_embeddings = r.boolean_or("tie_word_embeddings", false);
    cfg.hidden_act = r.string_or("hidden_act", "silu");
    if (cfg.hidden_act != "silu") r.fail("hidden_act", "\"silu\"");
    cfg.rope_scaling = parse_rope_scaling(j, r, max_pos);
    cfg.max_positions = scaled_context(cfg.rope_scaling, max_pos);
    switch (v) {
        case Variant::llama:
            cfg.attention_bias = r.boolean_or("attention_bias", false);
            cfg.mlp_bias = r.boolean_or("mlp_bias", false);
            if (r.positive_int_or("pretraining_tp", 1) != 1) r.fail("pretraining_tp", "1");
            break;
        case Variant::mistral:  // no biases anywhere; the window applies to every layer
            cfg.sliding_window = r.positive_int_or("sliding_window", 0);
            break;
        case Variant::qwen2:  // q/k/v always carry biases, o_proj never
            cfg.qkv_bias = true;
            cfg.sliding_window = qwen2_window(j, r, cfg.n_layers);
            break;
    }
}

}  // namespace

void parse_llama_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg) {
    parse(j, file, cfg, Variant::llama);
}

void parse_mistral_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg) {
    parse(j, file, cfg, Variant::mistral);
}

void parse_qwen2_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg) {
    parse(j, file, cfg, Variant::qwen2);
}

std::int64_t llama_param_count(const ModelConfig& c) {
    const std::int64_t q = c.n_q_heads * c.head_dim, kv = c.n_kv_heads * c.head_dim;
    std::int64_t attn = c.hidden * (2 * q + 2 * kv);
    if (c.attention_bias || c.qkv_bias) attn += q + 2 * kv;
    if (c.attention_bias) attn += c.hidden;
    std::int64_t mlp = 3 * c.hidden * c.intermediate;
    if (c.mlp_bias) mlp += 2 * c.intermediate + c.hidden;
    const std::int64_t norms = 2 * c.hidden;
    std::int64_t total = c.n_layers * (attn + mlp + norms) + c.hidden + c.vocab * c.hidden;
    if (!c.tie_word_embeddings) total += c.vocab * c.hidden;
    return total;
}

}  // namespace hace::model
