// Golden tests on real checkpoints: greedy ids exact, logits within 1e-4 of the float64
// reference (shared/data/models/*/golden.json), cached decode == one-shot recompute.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/model/generate.h"
#include "engine/model/model.h"
#include "tests/support/test_data.h"

namespace hace::model {
namespace {

constexpr double kLogitTol = 1e-4;

std::vector<TokenId> ids_of(const nlohmann::json& j) { return j.get<std::vector<TokenId>>(); }

void expect_close(const std::vector<float>& got, const nlohmann::json& want, std::size_t offset,
                  const std::string& what) {
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_NEAR(got.at(offset + i), want[i].get<double>(), kLogitTol) << what << " index " << i;
    }
}

void expect_close_within(const std::vector<float>& got, const nlohmann::json& want, double tol,
                         const std::string& what) {
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_NEAR(got.at(i), want[i].get<double>(), tol) << what << " index " << i;
    }
}

void check_golden_folder(const std::string& folder) {
    const auto dir = test::shared_data() / "models" / folder;
    ASSERT_TRUE(std::filesystem::exists(dir / "golden.json")) << dir;
    const auto golden = read_json_file(dir / "golden.json");
    const auto model = load_model(dir);
    for (const auto& c : golden["cases"]) {
        const std::string name = folder + "/" + c["name"].get<std::string>();
        const auto prompt = ids_of(c["prompt_ids"]);
        const auto want = ids_of(c["generated_ids"]);
        std::vector<std::vector<float>> seen;
        GenerateOptions opts;
        opts.max_new_tokens = static_cast<std::int32_t>(want.size());
        opts.ignore_eos = true;  // the goldens never stop early
        opts.on_logits = [&](std::int32_t, std::span<const float> l) {
            seen.emplace_back(l.begin(), l.end());
        };
        const auto r = generate(*model, prompt, opts);
        EXPECT_EQ(r.output_ids, want) << name;
        ASSERT_GE(seen.size(), c["logits_first8"].size());
        for (std::size_t s = 0; s < c["logits_first8"].size(); ++s) {
            expect_close(seen[s], c["logits_first8"][s], 0, name + " step " + std::to_string(s));
        }
        if (c.contains("logits_step0_full")) {
            expect_close(seen[0], c["logits_step0_full"], 0, name + " full step 0");
        }
        for (std::size_t s = 0; s < c["logits_top5"].size(); ++s) {
            for (const auto& pair : c["logits_top5"][s]) {
                // [id, logit] pairs of the reference's five largest logits.
                const auto id = pair[0].get<std::size_t>();
                EXPECT_NEAR(seen[s].at(id), pair[1].get<double>(), kLogitTol) << name;
            }
        }
        if (c.contains("prompt_position_logits_first8")) {
            auto session = model->new_session(static_cast<std::int64_t>(prompt.size()));
            const auto all = session->prefill(prompt, /*all_positions=*/true);
            const auto vocab = static_cast<std::size_t>(model->config().vocab);
            ASSERT_EQ(all.size(), prompt.size() * vocab);
            const auto& rows = c["prompt_position_logits_first8"];
            for (std::size_t p = 0; p < rows.size(); ++p) {
                expect_close(all, rows[p], p * vocab, name + " prompt position " + std::to_string(p));
            }
        }
    }
}

TEST(LlamaGolden, Stories260kF32) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/stories260K");
    check_golden_folder("stories260K");
}

TEST(LlamaGolden, Stories260kBf16TiedWithoutLmHead) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/stories260K-bf16-tied");
    check_golden_folder("stories260K-bf16-tied");
}

// bf16 (weights and KV stored bf16; prefill in LibTorch's bf16 ops, the decode step computing
// in float32) against the f32 goldens. bf16 keeps 8 significant bits; measured logit shifts:
// stories260K <= 0.16 per step, the needle model <= 0.65 (900-token prompts, bf16 KV). The
// documented tolerance (per model, below) holds for every logit. Greedy ids must be identical up
// to the first step whose f32 top-1/top-2 margin is below twice the tolerance: only there can a
// shift within the tolerance flip the argmax (stories260K/prompt1 has a 0.0018 tie at step 20),
// and after it the two runs continue different texts. The margins come from the f32 engine,
// which equals the goldens to 1e-4.

void check_bf16_against_golden(const std::string& folder, double tol, std::size_t& checked,
                               std::size_t& steps) {
    const auto dir = test::shared_data() / "models" / folder;
    if (!std::filesystem::exists(dir / "golden.json")) return;
    const auto golden = read_json_file(dir / "golden.json");
    LoadOptions bf16;
    bf16.dtype = DType::BF16;
    const auto m32 = load_model(dir), m16 = load_model(dir, bf16);
    for (const auto& c : golden["cases"]) {
        const std::string name = folder + "/" + c["name"].get<std::string>();
        const auto prompt = ids_of(c["prompt_ids"]);
        const auto want = ids_of(c["generated_ids"]);
        auto run = [&](const Model& m, std::vector<std::vector<float>>& seen) {
            GenerateOptions opts;
            opts.max_new_tokens = static_cast<std::int32_t>(want.size());
            opts.ignore_eos = true;
            opts.on_logits = [&](std::int32_t, std::span<const float> l) {
                seen.emplace_back(l.begin(), l.end());
            };
            return generate(m, prompt, opts).output_ids;
        };
        std::vector<std::vector<float>> l32, l16;
        const auto ids32 = run(*m32, l32);
        const auto ids16 = run(*m16, l16);
        ASSERT_EQ(ids32, want) << name;
        std::size_t tie = want.size();
        for (std::size_t s = 0; s < l32.size(); ++s) {
            std::vector<float> top(l32[s]);
            std::partial_sort(top.begin(), top.begin() + 2, top.end(), std::greater<float>());
            if (top[0] - top[1] < 2 * tol) {
                tie = s;
                break;
            }
        }
        checked += tie;
        steps += want.size();
        EXPECT_EQ(std::vector<TokenId>(ids16.begin(), ids16.begin() + tie),
                  std::vector<TokenId>(want.begin(), want.begin() + tie))
            << name << " (steps before the first near tie at step " << tie << ")";
        // Same context up to and including the tie step: every logit within the tolerance.
        for (std::size_t s = 0; s < std::min(tie + 1, l16.size()); ++s) {
            double worst = 0.0;
            for (std::size_t v = 0; v < l16[s].size(); ++v) {
                worst = std::max(worst, std::abs(double(l16[s][v]) - l32[s][v]));
            }
            EXPECT_LE(worst, tol) << name << " step " << s;
        }
        expect_close_within(l16[0], c["logits_first8"][0], tol, name + " bf16 step 0");
    }
}

TEST(LlamaGolden, Bf16MatchesTheF32GoldensWithinItsTolerance) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/stories260K");
    std::size_t checked = 0, steps = 0;
    check_bf16_against_golden("stories260K", 0.25, checked, steps);
    check_bf16_against_golden("needle-llama-1m", 1.0, checked, steps);
    // Not vacuous: a good part of the steps is clear of near ties.
    EXPECT_GE(3 * checked, steps) << checked << " of " << steps << " steps checked";
    std::printf("bf16: greedy ids checked on %zu of %zu golden steps\n", checked, steps);
}

TEST(LlamaGolden, NeedleLlamaRetrievesTheNeedle) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    check_golden_folder("needle-llama-1m");
}

TEST(LlamaGolden, Stories260kLong200TokenRun) {
    const auto dir = test::shared_data() / "models/stories260K";
    HACE_REQUIRE_PATH(dir);
    const auto golden = read_json_file(dir / "golden.json");
    const auto& c = golden["bos_long"];
    const auto model = load_model(dir);
    GenerateOptions opts;
    opts.max_new_tokens = c["steps"].get<std::int32_t>();
    opts.ignore_eos = true;
    const auto r = generate(*model, ids_of(c["prompt_ids"]), opts);
    EXPECT_EQ(r.output_ids, ids_of(c["generated_ids"]));
}

// Decoding token by token through the cache must give what a one-shot forward over the whole
// sequence gives at every position.
TEST(LlamaCache, IncrementalDecodeEqualsFullRecompute) {
    const auto dir = test::shared_data() / "models/needle-llama-1m";
    HACE_REQUIRE_PATH(dir);
    const auto golden = read_json_file(dir / "golden.json");
    const auto model = load_model(dir);
    auto seq = ids_of(golden["cases"][0]["prompt_ids"]);  // 82 tokens
    const std::size_t split = 40;
    const auto vocab = static_cast<std::size_t>(model->config().vocab);

    auto full = model->new_session(static_cast<std::int64_t>(seq.size()));
    const auto all = full->prefill(seq, true);

    auto inc = model->new_session(static_cast<std::int64_t>(seq.size()));
    std::vector<float> last = inc->prefill(std::span(seq).first(split));
    double worst = 0.0;
    for (std::size_t p = split; p <= seq.size(); ++p) {
        for (std::size_t v = 0; v < vocab; ++v) {
            worst = std::max(worst, std::abs(double(last[v]) - all[(p - 1) * vocab + v]));
        }
        if (p < seq.size()) last = inc->decode_step(seq[p]);
    }
    EXPECT_LT(worst, 1e-4);
    EXPECT_EQ(inc->position(), static_cast<std::int64_t>(seq.size()));
    const auto kv = inc->kv_stats();
    const auto& cfg = model->config();
    EXPECT_EQ(kv.full_entries, cfg.n_layers * cfg.n_kv_heads * static_cast<std::int64_t>(seq.size()));
    EXPECT_EQ(kv.bytes, kv.kept_entries * 2 * cfg.head_dim * 4);
}

TEST(LlamaSession, RefusesSequencesBeyondCapacityAndBadIds) {
    const auto dir = test::shared_data() / "models/stories260K";
    HACE_REQUIRE_PATH(dir);
    const auto model = load_model(dir);
    auto s = model->new_session(4);
    const std::vector<TokenId> five = {1, 2, 3, 4, 5};
    EXPECT_THROW(s->prefill(five), InputError);
    const std::vector<TokenId> bad = {1, 512};
    EXPECT_THROW(s->prefill(bad), InputError);
    EXPECT_THROW(model->new_session(513), InputError);  // max_position_embeddings = 512
    EXPECT_THROW(s->prefill(std::vector<TokenId>{}), InputError);
}

TEST(LlamaSampling, SeededSamplingIsReproducibleAndDiffersAcrossSeeds) {
    const auto dir = test::shared_data() / "models/stories260K";
    HACE_REQUIRE_PATH(dir);
    const auto model = load_model(dir);
    const std::vector<TokenId> prompt = {1};
    GenerateOptions opts;
    opts.max_new_tokens = 30;
    opts.ignore_eos = true;
    opts.sampling = {1.0, 40, 0.95, 7};
    const auto a = generate(*model, prompt, opts).output_ids;
    const auto b = generate(*model, prompt, opts).output_ids;
    opts.sampling.seed = 8;
    const auto c = generate(*model, prompt, opts).output_ids;
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

}  // namespace
}  // namespace hace::model
