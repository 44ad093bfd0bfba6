// Prefill sharing (model/prompt_recording.h) on the needle model: a compressing cache filled by
// replaying a full-cache session's recorded prompt forward ends exactly as the cache its own
// forward fills (report: kept positions and budgets; statistics; sequence state; and the stored
// K/V, through bit-identical logits of decode steps that attend over it), for SnapKV, CAKE, H2O
// (decode-time eviction), KIVI (quantised storage), faithful AdaKV and HeadKV (head scores).
// The recorded last logits are the forward's, and sessions prefill from a recording.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "engine/core/json_io.h"
#include "engine/kv/compressed_kv_cache.h"
#include "engine/kv/head_scores.h"
#include "engine/kv/methods.h"
#include "engine/model/causal_lm.h"
#include "engine/model/prompt_recording.h"
#include "tests/support/test_data.h"

namespace hace::kv {
namespace {

using model::TokenId;

std::vector<CompressionConfig> configs(const model::ModelConfig& mc) {
    const auto scores = load_head_score_file(
        test::source_dir() / "resources/models/needle-llama-1m/head_scores_hiv.json");
    std::vector<CompressionConfig> out;
    for (const std::string m : {"snapkv", "cake", "h2o", "kivi", "adakv", "headkv"}) {
        const MethodRow& row = method_by_id(m);
        CompressionConfig c;
        c.method = m;
        if (m == "adakv") {
            c.mode = "faithful";
            c.selector = faithful_selector(row);
        }
        if (row.token != TokenPolicy::KeepAll) c.retention = 0.1;
        if (needs_head_scores(row)) {
            c.head_scores = kv_head_scores(scores, mc.n_layers, mc.n_q_heads, mc.n_kv_heads);
        }
        c.validate(mc);
        out.push_back(c);
    }
    return out;
}

void expect_same_report(const model::CompressionReport& a, const model::CompressionReport& b,
                        const std::string& at) {
    EXPECT_EQ(a.compressed, b.compressed) << at;
    EXPECT_EQ(a.capacity, b.capacity) << at;
    EXPECT_EQ(a.prompt_tokens, b.prompt_tokens) << at;
    EXPECT_EQ(a.window_keep, b.window_keep) << at;
    EXPECT_EQ(a.kv_bits, b.kv_bits) << at;
    ASSERT_EQ(a.layers.size(), b.layers.size()) << at;
    for (std::size_t l = 0; l < a.layers.size(); ++l) {
        const auto &x = a.layers[l], &y = b.layers[l];
        EXPECT_EQ(x.budget, y.budget) << at << " layer " << l;
        EXPECT_EQ(x.preference, y.preference) << at << " layer " << l;
        if (!std::isnan(x.entropy)) {
            EXPECT_EQ(x.entropy, y.entropy) << at << " layer " << l;
        }
        EXPECT_EQ(x.temporal_variance, y.temporal_variance) << at << " layer " << l;
        ASSERT_EQ(x.heads.size(), y.heads.size()) << at;
        for (std::size_t h = 0; h < x.heads.size(); ++h) {
            EXPECT_EQ(x.heads[h].budget, y.heads[h].budget) << at << " " << l << "/" << h;
            EXPECT_EQ(x.heads[h].kept, y.heads[h].kept) << at << " " << l << "/" << h;
        }
    }
}

TEST(PromptReplay, AReplayedCacheEqualsTheOneItsOwnForwardFills) {
    const auto dir = test::shared_data() / "models/needle-llama-1m";
    HACE_REQUIRE_PATH(dir);
    const auto loaded = model::load_model(dir);
    const auto* lm = dynamic_cast<const model::CausalLm*>(loaded.get());
    ASSERT_NE(lm, nullptr);
    const auto g = read_json_file(dir / "golden.json");
    const auto prompt = g["cases"][2]["prompt_ids"].get<std::vector<TokenId>>();  // 900 tokens
    const auto answer = g["cases"][2]["generated_ids"].get<std::vector<TokenId>>();
    ASSERT_GE(answer.size(), 4u);
    const auto n = static_cast<std::int64_t>(prompt.size());
    const std::int64_t cap = n + 16;

    // The recording, made over a full cache; its logits are a plain prefill's, bit for bit.
    auto full = lm->new_session(cap);
    std::shared_ptr<const model::PromptRecording> recording;
    const std::vector<float> recorded_logits = full->prefill_recorded(prompt, &recording);
    ASSERT_TRUE(recording);
    const std::vector<float> plain = lm->new_session(cap)->prefill(prompt);
    EXPECT_EQ(recorded_logits, plain);
    EXPECT_TRUE(std::ranges::equal(recording->ids(), prompt));
    const auto& rec = dynamic_cast<const model::RecordedPrompt&>(*recording);
    ASSERT_EQ(static_cast<std::int64_t>(rec.layers.size()), lm->config().n_layers);
    // q, k (rotated copies) and the fused projection the v view keeps: (2 Hq + 3 Hkv) d floats
    // per token and layer, the bound the executor budgets with.
    const auto& mc = lm->config();
    EXPECT_EQ(recording->bytes(),
              mc.n_layers * n * mc.head_dim * 4 * (2 * mc.n_q_heads + 3 * mc.n_kv_heads));
    EXPECT_EQ(full->position(), n);

    at::Tensor ids = at::empty({n}, at::kLong);
    std::copy(prompt.begin(), prompt.end(), ids.data_ptr<std::int64_t>());
    for (const CompressionConfig& cfg : configs(mc)) {
        const std::string at = cfg.method + (cfg.faithful() ? " faithful" : "");
        auto own = make_compressed_cache(lm->cache_shape(cap), lm->attention_spec(), cfg);
        const at::Tensor h = lm->forward(ids, *own);
        const at::Tensor own_logits = lm->logits(h.narrow(0, n - 1, 1));
        auto replayed = make_compressed_cache(lm->cache_shape(cap), lm->attention_spec(), cfg);
        model::replay_prompt(rec, *replayed);

        ASSERT_EQ(own_logits.numel(), static_cast<std::int64_t>(rec.last_logits.size()));
        EXPECT_TRUE(std::equal(rec.last_logits.begin(), rec.last_logits.end(),
                               own_logits.data_ptr<float>()))
            << at;
        EXPECT_EQ(replayed->length(), own->length()) << at;
        EXPECT_EQ(replayed->sequence_state(), own->sequence_state()) << at;
        ASSERT_NE(own->report(), nullptr);
        const bool evicts = method_by_id(cfg.method).token != TokenPolicy::KeepAll;
        EXPECT_EQ(own->report()->compressed, evicts) << at;
        expect_same_report(*own->report(), *replayed->report(), at);
        EXPECT_EQ(replayed->stats().kept_entries, own->stats().kept_entries) << at;
        EXPECT_EQ(replayed->stats().bytes, own->stats().bytes) << at;
        // Decode steps attend over the stored K/V (and H2O evicts by their attention): equal
        // logits at every step means equal stored entries.
        for (std::size_t s = 0; s < 4; ++s) {
            const at::Tensor tok = at::full({1}, std::int64_t(answer[s]), at::kLong);
            const at::Tensor a = lm->logits(lm->forward(tok, *own));
            const at::Tensor b = lm->logits(lm->forward(tok, *replayed));
            EXPECT_TRUE(at::equal(a, b)) << at << " decode step " << s;
        }
        EXPECT_EQ(replayed->stats().kept_entries, own->stats().kept_entries) << at;

        // Through sessions: a replayed session returns the recorded logits.
        auto session = new_compressed_session(*lm, cap, cfg);
        EXPECT_EQ(session->prefill_replayed(*recording), recorded_logits) << at;
        EXPECT_EQ(session->position(), n);
        expect_same_report(*own->report(), *session->compression_report(), at + " session");
        EXPECT_THROW(session->prefill_replayed(*recording), std::logic_error) << "not empty";
    }
}

}  // namespace
}  // namespace hace::kv
