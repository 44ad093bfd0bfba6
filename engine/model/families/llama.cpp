// Llama family forward (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM): RMSNorm,
// rotate-half RoPE (with rope_scaling, see rope.h), grouped-query attention, SwiGLU MLP, tied or
// untied lm_head. Mistral differs only by its sliding window (applied by the KV cache through
// attention_spec), Qwen2 by q/k/v biases without an o_proj bias. Reference: Hugging Face
// modeling_llama / modeling_mistral / modeling_qwen2 (re-stated, not copied). Q/K/V and gate/up
// projections are fused into one matrix each at load time so a decode step issues fewer, larger
// GEMVs; the fusion does not change any arithmetic. A decode step of one token (decode_into) or of
// one token for each of B sequences (decode_batch_into) runs through the decode kernels
// (engine/kernels/decode_ops.h) on preallocated buffers, in float32 with the weights read as
// stored (f32 or bf16), no tensor op and no allocation; the attention of all B sequences' KV
// segments of a layer is one call (decode_attention.h), whatever cache each sequence has.
#include "engine/model/families/llama.h"

#include <cmath>
#include <cstring>
#include <span>

#include "engine/core/error.h"
#include "engine/kernels/decode_attention.h"
#include "engine/kernels/decode_ops.h"
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

// Decode buffers of one thread, grown to the largest model it has run; never shrunk, so steady
// decoding allocates nothing.
struct DecodeScratch {
    std::vector<float> x, xn, qkv, attn, gate_up, act;
    std::vector<kernels::AttentionSegment> segments;  // one layer's, of every row
    std::vector<KvCache*> segment_rows;               // the caches that gave segments
    static void fit(std::vector<float>& v, std::int64_t n) {
        if (static_cast<std::int64_t>(v.size()) < n) v.resize(static_cast<std::size_t>(n));
    }
};

kernels::WeightType weight_type(const at::Tensor& t) {
    return t.scalar_type() == at::kBFloat16 ? kernels::WeightType::BF16 : kernels::WeightType::F32;
}

// A float32 copy of a small vector (norm weights, biases); undefined stays undefined.
at::Tensor f32(const at::Tensor& t) {
    return t.defined() ? t.to(at::kFloat).contiguous() : at::Tensor();
}

const float* ptr_or_null(const at::Tensor& t) {
    return t.defined() ? t.data_ptr<float>() : nullptr;
}

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
        prepare_decode();
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
            const at::Tensor qkv = dense(rms_norm(x, L.attn_norm, cfg_.rms_eps), L.w_qkv,
                                         L.b_qkv);  // [T, (Hq + 2 Hkv) d]
            const at::Tensor q = qkv.narrow(1, 0, hq * d).view({t, hq, d}).transpose(0, 1);
            const at::Tensor k = qkv.narrow(1, hq * d, hkv * d).view({t, hkv, d}).transpose(0, 1);
            const at::Tensor v =
                qkv.narrow(1, (hq + hkv) * d, hkv * d).view({t, hkv, d}).transpose(0, 1);
            const at::Tensor attn = kv.attend(l, apply_rope(q, rope, 0), apply_rope(k, rope, 0), v);
            x = x + dense(attn, L.w_o, L.b_o);
            x = x + swiglu_mlp(rms_norm(x, L.mlp_norm, cfg_.rms_eps), L.w_gate_up, L.b_gate_up,
                               L.w_down, L.b_down);
        }
        kv.advance(t);
        return rms_norm(x, final_norm_, cfg_.rms_eps);
    }

    at::Tensor logits(const at::Tensor& hidden) const override {
        return dense(hidden, lm_head_).to(at::kFloat).contiguous();
    }

    bool decode_into(std::int64_t id, KvCache& kv, float* logits) const override {
        KvCache* const one[] = {&kv};
        return decode_rows(std::span<const std::int64_t>(&id, 1), one, logits);
    }

    void decode_batch_into(std::span<const std::int64_t> ids, std::span<KvCache* const> caches,
                           float* logits) const override {
        if (!decode_rows(ids, caches, logits)) CausalLm::decode_batch_into(ids, caches, logits);
    }

private:
    // One decode step of B rows (one token per sequence, each at its own position over its own
    // cache) through the decode kernels. Rows are packed, not padded: row b is sequence b's one
    // new token, so no masks are needed and each GEMV reads its weights once for all B rows.
    // Every per-row value is computed exactly as for B = 1 (the kernels' arithmetic per row does
    // not depend on the row count), so batched logits equal the unbatched ones. Returns false,
    // having done nothing, when a row cannot take this path.
    bool decode_rows(std::span<const std::int64_t> ids, std::span<KvCache* const> caches,
                     float* logits) const {
        if (!decode_ready_) return false;
        const auto rows = static_cast<std::int64_t>(ids.size());
        for (const KvCache* kv : caches) {
            if (kv->length() >= rope_cos_.size(0)) return false;  // dynamic RoPE beyond
        }
        const std::int64_t h = cfg_.hidden, d = cfg_.head_dim, i = cfg_.intermediate;
        const std::int64_t hq = cfg_.n_q_heads, hkv = cfg_.n_kv_heads;
        const std::int64_t qkv_n = (hq + 2 * hkv) * d;
        thread_local DecodeScratch s;
        DecodeScratch::fit(s.x, rows * h);
        DecodeScratch::fit(s.xn, rows * h);
        DecodeScratch::fit(s.qkv, rows * qkv_n);
        DecodeScratch::fit(s.attn, rows * hq * d);
        DecodeScratch::fit(s.gate_up, rows * 2 * i);
        DecodeScratch::fit(s.act, rows * i);
        float* x = s.x.data();
        float* xn = s.xn.data();
        float* qkv = s.qkv.data();
        float* attn = s.attn.data();

        for (std::int64_t b = 0; b < rows; ++b) {
            const std::int64_t id = ids[static_cast<std::size_t>(b)];
            if (embed_.scalar_type() == at::kBFloat16) {
                const auto* e = static_cast<const std::uint16_t*>(embed_.data_ptr()) + id * h;
                for (std::int64_t c = 0; c < h; ++c) x[b * h + c] = kernels::bf16_to_f32(e[c]);
            } else {
                std::memcpy(x + b * h, embed_.data_ptr<float>() + id * h, sizeof(float) * h);
            }
        }
        for (std::int64_t l = 0; l < cfg_.n_layers; ++l) {
            const LlamaLayer& L = layers_[static_cast<std::size_t>(l)];
            const DecodeLayer& D = decode_[static_cast<std::size_t>(l)];
            kernels::rms_norm_rows(x, rows, h, D.attn_norm.data_ptr<float>(), cfg_.rms_eps, xn);
            gemv(xn, rows, h, L.w_qkv, ptr_or_null(D.b_qkv), qkv, false);
            // Every row's segments (one per stored KV head of its cache) go to one kernel call;
            // a cache without the segment path attends alone through its tensor forward.
            s.segments.clear();
            s.segment_rows.clear();
            for (std::int64_t b = 0; b < rows; ++b) {
                KvCache& kv = *caches[static_cast<std::size_t>(b)];
                const std::int64_t pos = kv.length();  // advanced only after the last layer
                const float* cos = rope_cos_.data_ptr<float>() + pos * d;
                const float* sin = rope_sin_.data_ptr<float>() + pos * d;
                float* q = qkv + b * qkv_n;
                float* k = q + hq * d;
                const float* v = q + (hq + hkv) * d;
                float* out = attn + b * hq * d;
                kernels::rope_rotate_half(q, hq, d, cos, sin);
                kernels::rope_rotate_half(k, hkv, d, cos, sin);
                if (kv.decode_segments(l, q, k, v, out, s.segments)) {
                    s.segment_rows.push_back(&kv);
                } else {
                    attend_through_tensors(kv, l, q, k, v, out);
                }
            }
            kernels::decode_attention_segments(s.segments);
            for (KvCache* kv : s.segment_rows) kv->finish_decode_segments(l);
            gemv(attn, rows, hq * d, L.w_o, ptr_or_null(D.b_o), x, true);
            kernels::rms_norm_rows(x, rows, h, D.mlp_norm.data_ptr<float>(), cfg_.rms_eps, xn);
            gemv(xn, rows, h, L.w_gate_up, ptr_or_null(D.b_gate_up), s.gate_up.data(), false);
            for (std::int64_t b = 0; b < rows; ++b) {
                const float* gu = s.gate_up.data() + b * 2 * i;
                kernels::silu_mul(gu, gu + i, i, s.act.data() + b * i);
            }
            gemv(s.act.data(), rows, i, L.w_down, ptr_or_null(D.b_down), x, true);
        }
        for (KvCache* kv : caches) kv->advance(1);
        kernels::rms_norm_rows(x, rows, h, final_norm_f32_.data_ptr<float>(), cfg_.rms_eps, xn);
        gemv(xn, rows, h, lm_head_, nullptr, logits, false);
        return true;
    }

    struct DecodeLayer {
        at::Tensor attn_norm, mlp_norm, b_qkv, b_o, b_gate_up, b_down;  // float32 copies
    };

    // The decode path needs contiguous f32 or bf16 weights; any other run dtype keeps the
    // tensor forward.
    void prepare_decode() {
        const auto dt = embed_.scalar_type();
        if (dt != at::kFloat && dt != at::kBFloat16) return;
        for (const auto& L : layers_) {
            for (const at::Tensor* t : {&L.w_qkv, &L.w_o, &L.w_gate_up, &L.w_down}) {
                if (!t->is_contiguous() || t->scalar_type() != dt) return;
            }
            decode_.push_back({f32(L.attn_norm), f32(L.mlp_norm), f32(L.b_qkv), f32(L.b_o),
                               f32(L.b_gate_up), f32(L.b_down)});
        }
        if (!embed_.is_contiguous() || !lm_head_.is_contiguous()) return;
        final_norm_f32_ = f32(final_norm_);
        rope_cos_ = f32(rope_.table().cos);
        rope_sin_ = f32(rope_.table().sin);
        decode_ready_ = true;
    }

    // y[r] = (accumulate ? y[r] : 0) + bias + w x[r] for `rows` packed rows x [rows, k] ->
    // y [rows, n]; w [n, k] as stored, read once for all rows.
    static void gemv(const float* x, std::int64_t rows, std::int64_t k, const at::Tensor& w,
                     const float* bias, float* y, bool accumulate) {
        kernels::GemvArgs a;
        a.x = x;
        a.rows = rows;
        a.k = k;
        a.w = w.data_ptr();
        a.wtype = weight_type(w);
        a.n = w.size(0);
        a.bias = bias;
        a.y = y;
        a.accumulate = accumulate;
        kernels::gemv_rows(a);
    }

    // Caches without a raw decode path (compressed, probing): the tensor attend() on views of
    // the buffers, in the cache's dtype.
    void attend_through_tensors(KvCache& kv, std::int64_t l, float* q, float* k, const float* v,
                                float* out) const {
        const std::int64_t d = cfg_.head_dim, hq = cfg_.n_q_heads, hkv = cfg_.n_kv_heads;
        const auto dt = to_scalar_type(dtype_);
        const auto f = at::TensorOptions().dtype(at::kFloat);
        const at::Tensor qt = at::from_blob(q, {hq, 1, d}, f).to(dt);
        const at::Tensor kt = at::from_blob(k, {hkv, 1, d}, f).to(dt);
        const at::Tensor vt = at::from_blob(const_cast<float*>(v), {hkv, 1, d}, f).to(dt);
        const at::Tensor o = kv.attend(l, qt, kt, vt).to(at::kFloat).contiguous();
        std::memcpy(out, o.data_ptr<float>(), sizeof(float) * hq * d);
    }

    Rope rope_;
    std::shared_ptr<const void> keep_alive_;
    at::Tensor embed_, final_norm_, lm_head_;
    std::vector<LlamaLayer> layers_;
    std::vector<DecodeLayer> decode_;
    at::Tensor final_norm_f32_, rope_cos_, rope_sin_;  // [positions, d] float32
    bool decode_ready_ = false;
};

}  // namespace

std::unique_ptr<Model> create_llama_model(const ModelConfig& cfg, WeightSource& weights,
                                          const LoadOptions& opts) {
    return std::make_unique<LlamaModel>(cfg, weights, opts);
}

}  // namespace hace::model
