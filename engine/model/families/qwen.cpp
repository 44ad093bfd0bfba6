// Qwen v1 forward (QWenLMHeadModel). Reference: Qwen's remote code modeling_qwen.py (as published
// with Qwen-7B-Chat / Qwen-72B; re-stated, not copied). Tensor names transformer.h.N.*; per layer
// RMSNorm ln_1, fused c_attn (rows q | k | v, with bias), rotate-half RoPE, multi-head attention
// scaled by 1/sqrt(kv_channels), c_proj (bias only without no_bias), RMSNorm ln_2 and the MLP
// c_proj(w1(x) * silu(w2(x))) (w2 is the gate); then ln_f and lm_head.
// Long context, as the reference runs it with a KV cache:
//  - use_dynamic_ntk: the first forward of a sequence (P tokens) picks
//    alpha = max(2^ceil(log2(P / seq_length) + 1) - 1, 1) and every later step keeps it; RoPE
//    uses base rotary_emb_base * alpha^(d / (d - 2)) at the cache index as position.
//  - use_logn_attn: after RoPE (and after the key is cached), the query at position p is
//    multiplied by log(p + 1) / log(seq_length) when p + 1 > seq_length; keys are not scaled.
#include "engine/model/families/qwen.h"

#include <cmath>
#include <stdexcept>

#include "engine/model/causal_lm.h"
#include "engine/model/layers.h"
#include "engine/model/rope.h"
#include "engine/model/weight_source.h"

namespace hace::model {
namespace {

struct QwenLayer {
    at::Tensor ln_1, ln_2;            // [hidden]
    at::Tensor w_qkv, b_qkv;          // attn.c_attn: [3 hidden, hidden], [3 hidden]
    at::Tensor w_o, b_o;              // attn.c_proj: [hidden, hidden], bias optional
    at::Tensor w_gate_up, b_gate_up;  // [w2; w1]: [2 I, hidden], I = intermediate_size / 2
    at::Tensor w_down, b_down;        // mlp.c_proj: [hidden, I]
};

class QwenModel final : public CausalLm {
public:
    QwenModel(const ModelConfig& cfg, WeightSource& w, const LoadOptions& opts)
        : CausalLm(cfg, opts) {
        const auto dt = to_scalar_type(dtype_);
        const std::int64_t h = cfg.hidden, i = cfg.intermediate;
        keep_alive_ = w.keep_alive();
        const auto maybe = [&](bool present, const std::string& name, std::int64_t n) {
            return present ? w.take(name, {n}, dt) : at::Tensor();
        };
        embed_ = w.take("transformer.wte.weight", {cfg.vocab, h}, dt);
        for (std::int64_t l = 0; l < cfg.n_layers; ++l) {
            const std::string p = "transformer.h." + std::to_string(l) + ".";
            QwenLayer L;
            L.ln_1 = w.take(p + "ln_1.weight", {h}, dt);
            L.ln_2 = w.take(p + "ln_2.weight", {h}, dt);
            L.w_qkv = w.take(p + "attn.c_attn.weight", {3 * h, h}, dt);
            L.b_qkv = w.take(p + "attn.c_attn.bias", {3 * h}, dt);
            L.w_o = w.take(p + "attn.c_proj.weight", {h, h}, dt);
            L.b_o = maybe(cfg.attention_bias, p + "attn.c_proj.bias", h);
            L.w_gate_up = at::cat(
                {w.take(p + "mlp.w2.weight", {i, h}, dt), w.take(p + "mlp.w1.weight", {i, h}, dt)});
            if (cfg.mlp_bias) {
                L.b_gate_up = at::cat(
                    {w.take(p + "mlp.w2.bias", {i}, dt), w.take(p + "mlp.w1.bias", {i}, dt)});
            }
            L.w_down = w.take(p + "mlp.c_proj.weight", {h, i}, dt);
            L.b_down = maybe(cfg.mlp_bias, p + "mlp.c_proj.bias", h);
            layers_.push_back(std::move(L));
        }
        final_norm_ = w.take("transformer.ln_f.weight", {h}, dt);
        lm_head_ = cfg.tie_word_embeddings ? embed_ : w.take("lm_head.weight", {cfg.vocab, h}, dt);
        rope_ = make_rope_tables(cfg.max_positions, cfg.head_dim, cfg.rope_theta, dt);
        for (const auto& L : layers_) {
            count_weights({&L.ln_1, &L.ln_2, &L.w_qkv, &L.b_qkv, &L.w_o, &L.b_o, &L.w_gate_up,
                           &L.b_gate_up, &L.w_down, &L.b_down});
        }
        count_weights({&embed_, &final_norm_});
        if (!cfg.tie_word_embeddings) count_weights({&lm_head_});
    }

    AttentionSpec attention_spec() const override {
        return {1.0 / std::sqrt(static_cast<double>(cfg_.head_dim)), 0};
    }

    at::Tensor forward(const at::Tensor& ids, KvCache& kv) const override {
        const std::int64_t t = ids.size(0);
        const std::int64_t start = kv.length();
        const std::int64_t h = cfg_.hidden, d = cfg_.head_dim, heads = cfg_.n_q_heads;
        const RopeTables rope = rope_rows_for(sequence_alpha(kv, start, t), start, t);
        const at::Tensor logn = logn_factors(start, t);  // [1, T, 1] or undefined
        at::Tensor x = embed_.index_select(0, ids);      // [T, hidden]
        for (std::int64_t l = 0; l < cfg_.n_layers; ++l) {
            const QwenLayer& L = layers_[static_cast<std::size_t>(l)];
            const at::Tensor qkv = dense(rms_norm(x, L.ln_1, cfg_.rms_eps), L.w_qkv, L.b_qkv);
            const auto split = [&](std::int64_t i) {
                return qkv.narrow(1, i * h, h).view({t, heads, d}).transpose(0, 1);
            };
            at::Tensor q = apply_rope(split(0), rope, 0);
            if (logn.defined()) q = q * logn;
            const at::Tensor attn = kv.attend(l, q, apply_rope(split(1), rope, 0), split(2));
            x = x + dense(attn, L.w_o, L.b_o);
            x = x + swiglu_mlp(rms_norm(x, L.ln_2, cfg_.rms_eps), L.w_gate_up, L.b_gate_up,
                               L.w_down, L.b_down);
        }
        kv.advance(t);
        return rms_norm(x, final_norm_, cfg_.rms_eps);
    }

    at::Tensor logits(const at::Tensor& hidden) const override {
        return dense(hidden, lm_head_).to(at::kFloat).contiguous();
    }

private:
    // The NTK alpha of the sequence held by `kv`: chosen by its first forward (from the prefill
    // length, as Qwen's reference does), kept in the cache's sequence state afterwards.
    double sequence_alpha(KvCache& kv, std::int64_t start, std::int64_t t) const {
        if (!cfg_.dynamic_ntk) return 1.0;
        auto& state = kv.sequence_state();
        if (start == 0) return state["qwen_ntk_alpha"] = qwen_ntk_alpha(t, cfg_.seq_length);
        const auto it = state.find("qwen_ntk_alpha");
        if (it == state.end()) {
            throw std::logic_error("Qwen v1: the sequence was not prefilled by this model");
        }
        return it->second;
    }

    RopeTables rope_rows_for(double alpha, std::int64_t start, std::int64_t t) const {
        if (alpha == 1.0) return {rope_.cos.narrow(0, start, t), rope_.sin.narrow(0, start, t)};
        const double dd = static_cast<double>(cfg_.head_dim);
        const double base = cfg_.rope_theta * std::pow(alpha, dd / (dd - 2.0));
        return rope_rows(rope_inv_freq(cfg_.head_dim, base, {}), start, t, 1.0,
                         to_scalar_type(dtype_));
    }

    at::Tensor logn_factors(std::int64_t start, std::int64_t t) const {
        if (!cfg_.logn_attn || start + t <= cfg_.seq_length) return {};
        const double log_s = std::log(static_cast<double>(cfg_.seq_length));
        at::Tensor f = at::empty({1, t, 1}, at::TensorOptions().dtype(at::kDouble));
        double* p = f.data_ptr<double>();
        for (std::int64_t j = 0; j < t; ++j) {
            const auto n = static_cast<double>(start + j + 1);
            p[j] = n > static_cast<double>(cfg_.seq_length) ? std::log(n) / log_s : 1.0;
        }
        return f.to(to_scalar_type(dtype_));
    }

    std::shared_ptr<const void> keep_alive_;
    at::Tensor embed_, final_norm_, lm_head_;
    std::vector<QwenLayer> layers_;
    RopeTables rope_;  // alpha 1 (no NTK), all positions
};

}  // namespace

std::unique_ptr<Model> create_qwen_model(const ModelConfig& cfg, WeightSource& weights,
                                         const LoadOptions& opts) {
    return std::make_unique<QwenModel>(cfg, weights, opts);
}

}  // namespace hace::model
