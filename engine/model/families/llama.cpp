// Llama family forward (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM): RMSNorm,
// rotate-half RoPE (with rope_scaling, see rope.h), grouped-query attention, SwiGLU MLP, tied or
// untied lm_head. Mistral differs only by its sliding window (applied by the KV cache through
// attention_spec), Qwen2 by q/k/v biases without an o_proj bias. Reference: Hugging Face
// modeling_llama / modeling_mistral / modeling_qwen2 (re-stated, not copied). Q/K/V and gate/up
// projections are fused into one matrix each at load time so a decode step issues fewer, larger
// GEMVs; the fusion does not change any arithmetic.
#include "engine/model/families/llama.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/model/causal_lm.h"
#include "engine/model/layers.h"
#include "engine/model/rope.h"
#include "engine/model/weight_source.h"

namespace hace::model {
namespace {

struct LlamaLayer {
    at::Tensor attn_norm, mlp_norm;   // [hidden]
    at::Tensor w_qkv, b_qkv;          // [(Hq + 2 Hkv) d, hidden], bias optional
    at::Tensor w_o, b_o;              // [hidden, Hq d]
    at::Tensor w_gate_up, b_gate_up;  // [2 I, hidden]
    at::Tensor w_down, b_down;        // [hidden, I]
};

at::Tensor maybe(WeightSource& w, bool present, const std::string& name, std::int64_t n,
                 at::ScalarType dt) {
    return present ? w.take(name, {n}, dt) : at::Tensor();
}

class LlamaModel final : public CausalLm {
public:
    LlamaModel(const ModelConfig& cfg, WeightSource& w, const LoadOptions& opts)
        : CausalLm(cfg, opts), rope_(cfg, to_scalar_type(dtype_)) {
        const auto dt = to_scalar_type(dtype_);
        const std::int64_t h = cfg.hidden, d = cfg.head_dim, i = cfg.intermediate;
        const std::int64_t q_out = cfg.n_q_heads * d, kv_out = cfg.n_kv_heads * d;
        keep_alive_ = w.keep_alive();
        embed_ = w.take("model.embed_tokens.weight", {cfg.vocab, h}, dt);
        for (std::int64_t l = 0; l < cfg.n_layers; ++l) {
            const std::string p = "model.layers." + std::to_string(l) + ".";
            const std::string a = p + "self_attn.", m = p + "mlp.";
            LlamaLayer L;
            L.attn_norm = w.take(p + "input_layernorm.weight", {h}, dt);
            L.mlp_norm = w.take(p + "post_attention_layernorm.weight", {h}, dt);
            L.w_qkv = at::cat({w.take(a + "q_proj.weight", {q_out, h}, dt),
                               w.take(a + "k_proj.weight", {kv_out, h}, dt),
                               w.take(a + "v_proj.weight", {kv_out, h}, dt)});
            if (cfg.attention_bias || cfg.qkv_bias) {
                L.b_qkv = at::cat({w.take(a + "q_proj.bias", {q_out}, dt),
                                   w.take(a + "k_proj.bias", {kv_out}, dt),
                                   w.take(a + "v_proj.bias", {kv_out}, dt)});
            }
            L.w_o = w.take(a + "o_proj.weight", {h, q_out}, dt);
            L.b_o = maybe(w, cfg.attention_bias, a + "o_proj.bias", h, dt);
            L.w_gate_up = at::cat({w.take(m + "gate_proj.weight", {i, h}, dt),
                                   w.take(m + "up_proj.weight", {i, h}, dt)});
            if (cfg.mlp_bias) {
                L.b_gate_up = at::cat(
                    {w.take(m + "gate_proj.bias", {i}, dt), w.take(m + "up_proj.bias", {i}, dt)});
            }
            L.w_down = w.take(m + "down_proj.weight", {h, i}, dt);
            L.b_down = maybe(w, cfg.mlp_bias, m + "down_proj.bias", h, dt);
            layers_.push_back(std::move(L));
        }
        final_norm_ = w.take("model.norm.weight", {h}, dt);
        // HF ties by reusing the embedding when tie_word_embeddings is set, even if a stored
        // lm_head.weight exists (stories260K stores an identical copy).
        lm_head_ = cfg.tie_word_embeddings ? embed_ : w.take("lm_head.weight", {cfg.vocab, h}, dt);
        for (const auto& L : layers_) {
            count_weights({&L.attn_norm, &L.mlp_norm, &L.w_qkv, &L.b_qkv, &L.w_o, &L.b_o,
                           &L.w_gate_up, &L.b_gate_up, &L.w_down, &L.b_down});
        }
        count_weights({&embed_, &final_norm_});
        if (!cfg.tie_word_embeddings) count_weights({&lm_head_});
    }

    AttentionSpec attention_spec() const override {
        return {1.0 / std::sqrt(static_cast<double>(cfg_.head_dim)), cfg_.sliding_window};
    }

    at::Tensor forward(const at::Tensor& ids, KvCache& kv) const override {
        const std::int64_t t = ids.size(0);
        const std::int64_t start = kv.length();
        const std::int64_t d = cfg_.head_dim, hq = cfg_.n_q_heads, hkv = cfg_.n_kv_heads;
        const RopeTables rope = rope_.rows(start, t);  // shared by every layer
        at::Tensor x = embed_.index_select(0, ids);    // [T, hidden]
        for (std::int64_t l = 0; l < cfg_.n_layers; ++l) {
            const LlamaLayer& L = layers_[static_cast<std::size_t>(l)];
            const at::Tensor qkv = at::linear(rms_norm(x, L.attn_norm, cfg_.rms_eps), L.w_qkv,
                                              L.b_qkv);  // [T, (Hq + 2 Hkv) d]
            const at::Tensor q = qkv.narrow(1, 0, hq * d).view({t, hq, d}).transpose(0, 1);
            const at::Tensor k = qkv.narrow(1, hq * d, hkv * d).view({t, hkv, d}).transpose(0, 1);
            const at::Tensor v =
                qkv.narrow(1, (hq + hkv) * d, hkv * d).view({t, hkv, d}).transpose(0, 1);
            const at::Tensor attn = kv.attend(l, apply_rope(q, rope, 0), apply_rope(k, rope, 0), v);
            x = x + at::linear(attn, L.w_o, L.b_o);
            x = x + swiglu_mlp(rms_norm(x, L.mlp_norm, cfg_.rms_eps), L.w_gate_up, L.b_gate_up,
                               L.w_down, L.b_down);
        }
        kv.advance(t);
        return rms_norm(x, final_norm_, cfg_.rms_eps);
    }

    at::Tensor logits(const at::Tensor& hidden) const override {
        return at::linear(hidden, lm_head_).to(at::kFloat).contiguous();
    }

private:
    Rope rope_;
    std::shared_ptr<const void> keep_alive_;
    at::Tensor embed_, final_norm_, lm_head_;
    std::vector<LlamaLayer> layers_;
};

}  // namespace

std::unique_ptr<Model> create_llama_model(const ModelConfig& cfg, WeightSource& weights,
                                          const LoadOptions& opts) {
    return std::make_unique<LlamaModel>(cfg, weights, opts);
}

}  // namespace hace::model
