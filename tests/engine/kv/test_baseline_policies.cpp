// StreamingLLM and H2O (ALGORITHMS.md section 6): hand-built cases with a known answer, the
// streaming column sums against a dense softmax, and both on the real needle model.
#include <random>

#include <gtest/gtest.h>

#include "engine/core/json_io.h"
#include "engine/core/error.h"
#include "engine/kv/methods.h"
#include "engine/kv/quant/kivi_segment.h"
#include "engine/kv/token_policies.h"
#include "engine/model/generate.h"
#include "engine/model/model.h"
#include "tests/support/test_data.h"

namespace hace::kv {
namespace {

using model::TokenId;

TEST(StreamingLlm, KeepsExactlySinksAndRecent) {
    const auto split = streaming_split(10, 4);
    EXPECT_EQ(split.sinks, 4);
    EXPECT_EQ(split.recent, 6);
    EXPECT_EQ(streaming_keep(20, split),
              (std::vector<std::int64_t>{0, 1, 2, 3, 14, 15, 16, 17, 18, 19}));
    EXPECT_EQ(streaming_keep(8, split).size(), 8u);  // the prompt fits: everything stays
    EXPECT_EQ(streaming_split(3, 4).sinks, 3);       // C below the sink count: all sinks
    // Rolling: the 11th entry pushes out the oldest non-sink row.
    EXPECT_EQ(streaming_victim(10, split), -1);
    EXPECT_EQ(streaming_victim(11, split), 4);
}

TEST(H2o, KeepsTheHeavyHittersBeforeTheRecentTokens) {
    // Position 2 and 5 received the most attention; 8 and 9 are recent and kept regardless.
    const std::vector<float> sums = {0.5f, 0.1f, 3.0f, 0.2f, 0.1f, 2.0f, 0.3f, 9.0f, 0.0f, 1.0f};
    EXPECT_EQ(h2o_keep(sums, 2, 3), (std::vector<std::int64_t>{2, 5, 7, 8, 9}));
    // Ties go to the smaller position.
    EXPECT_EQ(h2o_keep({1.0f, 1.0f, 1.0f, 0.0f}, 1, 1), (std::vector<std::int64_t>{0, 3}));
    // Decode-time eviction: the lowest accumulated score outside the recent part goes; a tie
    // drops the later entry.
    EXPECT_EQ(h2o_victim({0.4f, 0.1f, 0.1f, 0.9f, 0.0f}, 2, 2), 2);
    EXPECT_EQ(h2o_victim({0.4f, 0.1f, 0.9f, 0.0f}, 2, 2), -1);
}

// Streaming column sums over query chunks equal the dense n x n softmax (GQA, with and without a
// sliding window), and each query row contributes total mass 1.
TEST(H2o, StreamingColumnSumsEqualDenseAttention) {
    at::manual_seed(7);
    for (std::int64_t n : {1, 5, 37, 300}) {
        const at::Tensor q = at::randn({6, n, 16});
        const at::Tensor k = at::randn({2, n, 16});
        for (std::int64_t window : {0, 4}) {
            const auto a = h2o_column_sums(q, k, 0.25, window);
            const auto b = h2o_column_sums_dense(q, k, 0.25, window);
            ASSERT_EQ(a.size(), 2u);
            for (std::size_t h = 0; h < 2; ++h) {
                double mass = 0.0;
                for (std::int64_t j = 0; j < n; ++j) {
                    EXPECT_NEAR(a[h][j], b[h][j], 1e-4) << "n " << n << " window " << window;
                    mass += a[h][j];
                }
                EXPECT_NEAR(mass, static_cast<double>(n), 1e-3);
            }
        }
    }
}

struct Needle {
    std::unique_ptr<model::Model> model;
    std::vector<TokenId> prompt, answer;
};

Needle needle_900() {
    Needle f;
    const auto dir = test::shared_data() / "models/needle-llama-1m";
    f.model = model::load_model(dir);
    const auto golden = read_json_file(dir / "golden.json");
    f.prompt = golden["cases"][2]["prompt_ids"].get<std::vector<TokenId>>();
    f.answer = golden["cases"][2]["generated_ids"].get<std::vector<TokenId>>();
    return f;
}

model::GenerateResult run(const Needle& f, CompressionConfig cfg, std::int32_t tokens,
                          const model::CompressionReport** report = nullptr,
                          model::KvStats* after_prefill = nullptr) {
    static model::CompressionReport kept_report;
    model::GenerateOptions g;
    g.max_new_tokens = tokens;
    g.ignore_eos = true;
    g.make_session = [&](std::int64_t cap) { return new_compressed_session(*f.model, cap, cfg); };
    g.on_prefill = [&](const model::Session& s) {
        if (s.compression_report()) kept_report = *s.compression_report();
        if (after_prefill) *after_prefill = s.kv_stats();
    };
    auto r = model::generate(*f.model, f.prompt, g);
    if (report) *report = &kept_report;
    return r;
}

TEST(StreamingLlm, OnTheNeedleModelKeepsSinksAndRecentAndRollsWhileDecoding) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle_900();
    const auto& mc = f.model->config();
    CompressionConfig cfg;
    cfg.method = "streamingllm";
    cfg.retention = 0.05;  // C = 45: 4 sinks + 41 recent
    const model::CompressionReport* rep = nullptr;
    model::KvStats prefill;
    const auto rolling = run(f, cfg, 6, &rep, &prefill);
    std::vector<std::int64_t> expected = {0, 1, 2, 3};
    for (std::int64_t j = 900 - 41; j < 900; ++j) expected.push_back(j);
    for (const auto& L : rep->layers) {
        for (const auto& h : L.heads) EXPECT_EQ(h.kept, expected);
    }
    EXPECT_EQ(prefill.kept_entries, mc.n_layers * mc.n_kv_heads * 45);
    EXPECT_EQ(rolling.kv.kept_entries, prefill.kept_entries);  // rolling: constant C
    cfg.decode_eviction = false;                               // one-shot: grows by one a step
    const auto one_shot = run(f, cfg, 6);
    EXPECT_EQ(one_shot.kv.kept_entries, prefill.kept_entries + mc.n_layers * mc.n_kv_heads * 5);
}

TEST(H2o, OnTheNeedleModelKeepsHeavyHittersAndStaysAtCapacityWhileDecoding) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle_900();
    const auto& mc = f.model->config();
    CompressionConfig cfg;
    cfg.method = "h2o";
    cfg.retention = 0.05;  // C = 45: recent min(32, 22) = 22, heavy 23
    const model::CompressionReport* rep = nullptr;
    model::KvStats prefill;
    const auto r = run(f, cfg, 6, &rep, &prefill);
    EXPECT_EQ(rep->window_keep, 22);
    for (const auto& L : rep->layers) {
        for (const auto& h : L.heads) {
            EXPECT_EQ(h.budget, 23);
            EXPECT_EQ(h.kept.size(), 45u);
        }
    }
    EXPECT_EQ(r.kv.kept_entries, prefill.kept_entries);
    EXPECT_EQ(r.kv.kept_entries, mc.n_layers * mc.n_kv_heads * 45);
    cfg.recent = 5;
    run(f, cfg, 1, &rep);
    EXPECT_EQ(rep->window_keep, 5);
    EXPECT_EQ(rep->layers[0].heads[0].budget, 40);
}

// The methods really differ: with 5% of the cache a mid-context needle is gone for StreamingLLM
// (it keeps only the start and the end), while HACE keeps the needle and answers.
TEST(StreamingLlm, LosesTheMidContextNeedleThatHaceRetrieves) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle_900();
    const std::vector<TokenId> answer(f.answer.begin(), f.answer.begin() + 7);  // " 39901."
    CompressionConfig streaming;
    streaming.method = "streamingllm";
    streaming.retention = 0.05;
    const auto s = run(f, streaming, 7);
    EXPECT_NE(s.output_ids, answer);
    CompressionConfig hace;
    hace.method = "hace";
    hace.retention = 0.05;
    hace.selector = sel_snap();
    const auto& mc = f.model->config();
    hace.head_scores.assign(static_cast<std::size_t>(mc.n_layers),
                            std::vector<double>(static_cast<std::size_t>(mc.n_kv_heads),
                                                1.0 / static_cast<double>(mc.n_layers * mc.n_kv_heads)));
    const auto h = run(f, hace, 7);
    EXPECT_EQ(h.output_ids, answer);
}

// KIVI keeps every token; the reported bytes are the packed codes + fp16 mins/scales + the fp32
// residual of every (layer, KV head), exactly the formula's; 2 and 4 bits both still retrieve.
TEST(Kivi, KeepsEveryTokenAndReportsExactlyThePackedBytes) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle_900();
    const auto& mc = f.model->config();
    const std::vector<TokenId> answer(f.answer.begin(), f.answer.begin() + 7);
    for (int bits : {2, 4}) {
        CompressionConfig cfg;
        cfg.method = "kivi";
        cfg.kv_bits = bits;
        const model::CompressionReport* rep = nullptr;
        const auto r = run(f, cfg, 7, &rep);
        EXPECT_EQ(r.output_ids, answer) << bits << " bits";
        EXPECT_EQ(rep->kv_bits, bits);
        EXPECT_EQ(r.kv.kept_entries, r.kv.full_entries);
        // 906 tokens per head (900 + the 6 decoded before the last step's forward), G = head_dim 16.
        const std::int64_t tokens = r.kv.kept_entries / (mc.n_layers * mc.n_kv_heads);
        const quant::KiviParams p{bits, 16, 128};
        EXPECT_EQ(r.kv.bytes, mc.n_layers * mc.n_kv_heads *
                                  quant::kivi_bytes(tokens, static_cast<int>(mc.head_dim), p).total());
        EXPECT_LT(r.kv.bytes, r.kv.full_entries * 2 * mc.head_dim * 4 / (bits == 2 ? 4 : 3));
    }
}

// Eviction and quantisation compose: SnapKV's kept entries, stored at 2 bits, per head.
TEST(Kivi, ComposesWithEvictionPerHead) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle_900();
    const auto& mc = f.model->config();
    CompressionConfig cfg;
    cfg.method = "snapkv";
    cfg.retention = 0.3;
    const model::CompressionReport* rep = nullptr;
    const auto plain = run(f, cfg, 1, &rep);
    cfg.kv_bits = 2;
    const auto packed = run(f, cfg, 1, &rep);
    EXPECT_EQ(packed.kv.kept_entries, plain.kv.kept_entries);
    std::int64_t expected = 0;
    for (const auto& L : rep->layers) {
        for (const auto& h : L.heads) {
            expected += quant::kivi_bytes(static_cast<std::int64_t>(h.kept.size()),
                                          static_cast<int>(mc.head_dim), {2, 16, 128})
                            .total();
        }
    }
    EXPECT_EQ(packed.kv.bytes, expected);
    EXPECT_LT(packed.kv.bytes, plain.kv.bytes / 2);
    cfg.kv_bits = 3;
    EXPECT_THROW(cfg.validate(mc), InputError);
    cfg.kv_bits = 2;
    cfg.kivi_residual = 20;  // not a multiple of G = 16
    EXPECT_THROW(cfg.validate(mc), InputError);
}

}  // namespace
}  // namespace hace::kv
