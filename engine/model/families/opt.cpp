// OPT family forward (OPTForCausalLM). Reference: Hugging Face modeling_opt (re-stated, not
// copied). Token embedding (then project_in when the embedding is narrower than the model) plus
// the learned position row p + 2 (OPT's offset for unpadded input); per layer multi-head
// attention with biases and a ReLU MLP fc2(relu(fc1(x))), with LayerNorm either before each
// sub-block (pre-LN: h += attn(LN1(h)); h += mlp(LN2(h)); then final_layer_norm) or after each
// residual add (post-LN, opt-350m: h = LN1(h + attn(h)); h = LN2(h + mlp(h))). Logits come from
// project_out (if any) and the head tied to the token embedding. q is scaled by head_dim^-0.5
// through the attention scale. Three tensor-name layouts exist: "model.decoder.*" with a stored
// lm_head.weight (125m, 1.3b, 2.7b, 66b), "decoder.*" without it (6.7b, 13b, 30b) and "decoder.*"
// with project_in/out (350m).
#include "engine/model/families/opt.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/model/causal_lm.h"
#include "engine/model/layers.h"
#include "engine/model/weight_source.h"

namespace hace::model {
namespace {

constexpr std::int64_t kPositionOffset = 2;  // row p + 2 holds position p

struct OptLayer {
    at::Tensor ln1_w, ln1_b, ln2_w, ln2_b;  // [hidden]: self_attn_layer_norm, final_layer_norm
    at::Tensor w_qkv, b_qkv;                // [3 hidden, hidden], [3 hidden]
    at::Tensor w_o, b_o;                    // [hidden, hidden]
    at::Tensor w_fc1, b_fc1;                // [ffn, hidden]
    at::Tensor w_fc2, b_fc2;                // [hidden, ffn]
};

class OptModel final : public CausalLm {
public:
    OptModel(const ModelConfig& cfg, WeightSource& w, const LoadOptions& opts)
        : CausalLm(cfg, opts) {
        const auto dt = to_scalar_type(dtype_);
        const std::int64_t h = cfg.hidden, f = cfg.intermediate, p = cfg.word_embed_proj_dim;
        keep_alive_ = w.keep_alive();
        // The 125m-style layout nests the decoder under "model."; the others start at "decoder.".
        const std::string d =
            w.has("model.decoder.embed_tokens.weight") ? "model.decoder." : "decoder.";
        const auto bias = [&](bool present, const std::string& name, std::int64_t n) {
            return present ? w.take(name, {n}, dt) : at::Tensor();
        };
        embed_ = w.take(d + "embed_tokens.weight", {cfg.vocab, p}, dt);
        positions_ =
            w.take(d + "embed_positions.weight", {cfg.max_positions + kPositionOffset, h}, dt);
        if (p != h) {
            project_in_ = w.take(d + "project_in.weight", {h, p}, dt);
            project_out_ = w.take(d + "project_out.weight", {p, h}, dt);
        }
        for (std::int64_t l = 0; l < cfg.n_layers; ++l) {
            const std::string pre = d + "layers." + std::to_string(l) + ".";
            const std::string a = pre + "self_attn.";
            OptLayer L;
            L.ln1_w = w.take(pre + "self_attn_layer_norm.weight", {h}, dt);
            L.ln1_b = w.take(pre + "self_attn_layer_norm.bias", {h}, dt);
            L.ln2_w = w.take(pre + "final_layer_norm.weight", {h}, dt);
            L.ln2_b = w.take(pre + "final_layer_norm.bias", {h}, dt);
            L.w_qkv = at::cat({w.take(a + "q_proj.weight", {h, h}, dt),
                               w.take(a + "k_proj.weight", {h, h}, dt),
                               w.take(a + "v_proj.weight", {h, h}, dt)});
            if (cfg.attention_bias) {
                L.b_qkv =
                    at::cat({w.take(a + "q_proj.bias", {h}, dt), w.take(a + "k_proj.bias", {h}, dt),
                             w.take(a + "v_proj.bias", {h}, dt)});
            }
            L.w_o = w.take(a + "out_proj.weight", {h, h}, dt);
            L.b_o = bias(cfg.attention_bias, a + "out_proj.bias", h);
            L.w_fc1 = w.take(pre + "fc1.weight", {f, h}, dt);
            L.b_fc1 = bias(cfg.mlp_bias, pre + "fc1.bias", f);
            L.w_fc2 = w.take(pre + "fc2.weight", {h, f}, dt);
            L.b_fc2 = bias(cfg.mlp_bias, pre + "fc2.bias", h);
            layers_.push_back(std::move(L));
        }
        if (cfg.final_layer_norm) {
            final_w_ = w.take(d + "final_layer_norm.weight", {h}, dt);
            final_b_ = w.take(d + "final_layer_norm.bias", {h}, dt);
        }
        // HF ties the head to embed_tokens; 125m-style files store an identical copy.
        lm_head_ = cfg.tie_word_embeddings ? embed_ : w.take("lm_head.weight", {cfg.vocab, p}, dt);
        for (const auto& L : layers_) {
            count_weights({&L.ln1_w, &L.ln1_b, &L.ln2_w, &L.ln2_b, &L.w_qkv, &L.b_qkv, &L.w_o,
                           &L.b_o, &L.w_fc1, &L.b_fc1, &L.w_fc2, &L.b_fc2});
        }
        count_weights({&embed_, &positions_, &project_in_, &project_out_, &final_w_, &final_b_});
        if (!cfg.tie_word_embeddings) count_weights({&lm_head_});
    }

    AttentionSpec attention_spec() const override {
        return {1.0 / std::sqrt(static_cast<double>(cfg_.head_dim)), 0};
    }

    at::Tensor forward(const at::Tensor& ids, KvCache& kv) const override {
        const std::int64_t t = ids.size(0);
        const std::int64_t start = kv.length();
        const std::int64_t h = cfg_.hidden, d = cfg_.head_dim, heads = cfg_.n_q_heads;
        if (start + t > cfg_.max_positions) {
            // Sessions already stop here; a cache built by hand must not read past the table.
            throw InputError("OPT has learned positions for " + std::to_string(cfg_.max_positions) +
                             " tokens only; position " + std::to_string(start + t - 1) +
                             " does not exist");
        }
        const double eps = cfg_.layer_norm_eps;
        const bool pre_ln = cfg_.layer_norm_before;
        at::Tensor x = embed_.index_select(0, ids);  // [T, word_embed_proj_dim]
        if (project_in_.defined()) x = dense(x, project_in_);
        x = x + positions_.narrow(0, start + kPositionOffset, t);  // [T, hidden]
        for (std::int64_t l = 0; l < cfg_.n_layers; ++l) {
            const OptLayer& L = layers_[static_cast<std::size_t>(l)];
            const at::Tensor qkv = dense(pre_ln ? layer_norm(x, L.ln1_w, L.ln1_b, eps) : x, L.w_qkv,
                                         L.b_qkv);  // [T, 3 hidden]
            const auto split = [&](std::int64_t i) {
                return qkv.narrow(1, i * h, h).view({t, heads, d}).transpose(0, 1);
            };
            x = x + dense(kv.attend(l, split(0), split(1), split(2)), L.w_o, L.b_o);
            if (!pre_ln) x = layer_norm(x, L.ln1_w, L.ln1_b, eps);
            const at::Tensor up =
                dense(pre_ln ? layer_norm(x, L.ln2_w, L.ln2_b, eps) : x, L.w_fc1, L.b_fc1);
            x = x + dense(at::relu(up), L.w_fc2, L.b_fc2);
            if (!pre_ln) x = layer_norm(x, L.ln2_w, L.ln2_b, eps);
        }
        kv.advance(t);
        return final_w_.defined() ? layer_norm(x, final_w_, final_b_, eps) : x;
    }

    // project_out belongs to HF's decoder; it is applied here so forward() keeps returning
    // [T, hidden].
    at::Tensor logits(const at::Tensor& hidden) const override {
        const at::Tensor h = project_out_.defined() ? dense(hidden, project_out_) : hidden;
        return dense(h, lm_head_).to(at::kFloat).contiguous();
    }

private:
    std::shared_ptr<const void> keep_alive_;
    at::Tensor embed_;        // [vocab, word_embed_proj_dim]
    at::Tensor positions_;    // [max_positions + 2, hidden]
    at::Tensor project_in_;   // [hidden, word_embed_proj_dim] or undefined
    at::Tensor project_out_;  // [word_embed_proj_dim, hidden] or undefined
    at::Tensor final_w_, final_b_;
    at::Tensor lm_head_;  // [vocab, word_embed_proj_dim]
    std::vector<OptLayer> layers_;
};

}  // namespace

std::unique_ptr<Model> create_opt_model(const ModelConfig& cfg, WeightSource& weights,
                                        const LoadOptions& opts) {
    return std::make_unique<OptModel>(cfg, weights, opts);
}

}  // namespace hace::model
