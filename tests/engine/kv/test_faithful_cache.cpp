// Faithful mode end to end on the needle model: each reference's selector, granularity, skip
// rules and integer quirks, checked against the faithful budget functions.
#include <numeric>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/kv/faithful_budgets.h"
#include "engine/kv/methods.h"
#include "engine/model/generate.h"
#include "engine/model/model.h"
#include "tests/support/test_data.h"

namespace hace::kv {
namespace {

using model::TokenId;

struct Needle {
    std::unique_ptr<model::Model> model;
    std::vector<TokenId> prompt, answer;
};

Needle needle() {
    Needle f;
    const auto dir = test::shared_data() / "models/needle-llama-1m";
    f.model = model::load_model(dir);
    const auto g = read_json_file(dir / "golden.json");
    f.prompt = g["cases"][2]["prompt_ids"].get<std::vector<TokenId>>();  // 900 tokens
    f.answer = g["cases"][2]["generated_ids"].get<std::vector<TokenId>>();
    return f;
}

// Query-head scores [4][8] (normalised) and their KV-head sums [4][2].
std::vector<std::vector<double>> query_scores() {
    std::vector<std::vector<double>> s(4, std::vector<double>(8));
    double sum = 0.0;
    for (int l = 0; l < 4; ++l) {
        for (int h = 0; h < 8; ++h) sum += s[l][h] = (l + 1) * (h % 3 + 1);
    }
    for (auto& r : s) {
        for (auto& x : r) x /= sum;
    }
    return s;
}

CompressionConfig faithful_config(const std::string& method, double r) {
    const MethodRow& row = method_by_id(method);
    CompressionConfig c;
    c.method = method;
    c.mode = "faithful";
    c.selector = faithful_selector(row);
    c.retention = r;
    if (needs_head_scores(row)) {
        c.head_scores_query = query_scores();
        c.head_scores.assign(4, std::vector<double>(2, 0.0));
        for (int l = 0; l < 4; ++l) {
            for (int h = 0; h < 8; ++h) c.head_scores[l][h / 4] += c.head_scores_query[l][h];
        }
    }
    return c;
}

const model::CompressionReport& prefill(const Needle& f, const CompressionConfig& c,
                                        std::unique_ptr<model::Session>& s) {
    s = new_compressed_session(*f.model, static_cast<std::int64_t>(f.prompt.size()), c);
    s->prefill(f.prompt);
    return *s->compression_report();
}

TEST(FaithfulCache, SnapKvKeepsCMinusWPerQueryHead) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    std::unique_ptr<model::Session> s;
    const auto& rep = prefill(f, faithful_config("snapkv", 0.05), s);  // C = 45, w = 32
    ASSERT_TRUE(rep.compressed);
    EXPECT_TRUE(rep.query_heads);
    EXPECT_EQ(rep.window_keep, 32);
    for (const auto& L : rep.layers) {
        ASSERT_EQ(L.heads.size(), 8u);  // query heads
        for (const auto& h : L.heads) {
            EXPECT_EQ(h.budget, 45 - 32);
            EXPECT_EQ(h.kept.size(), 45u);
        }
    }
    // Stored per query head: 4 layers x 8 heads x 45 entries, G = 4 times a KV-head store.
    EXPECT_EQ(s->kv_stats().kept_entries, 4 * 8 * 45);
}

TEST(FaithfulCache, PyramidKvFollowsTheReferencePlan) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    std::unique_ptr<model::Session> s;
    const auto& rep = prefill(f, faithful_config("pyramidkv", 0.1), s);  // C = 90, w = 8
    const auto plan = faithful::pyramid_budgets(4, 90, 8, 900, 20.0);
    ASSERT_EQ(plan.regime, faithful::PyramidPlan::Pyramid);
    for (std::size_t l = 0; l < 4; ++l) {
        for (const auto& h : rep.layers[l].heads) EXPECT_EQ(h.budget, plan.per_layer[l]);
    }
    EXPECT_GT(rep.layers[0].budget, rep.layers[3].budget);
}

TEST(FaithfulCache, HeadKvRoundsTheGlobalFormulaPerQueryHead) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    std::unique_ptr<model::Session> s;
    const auto cfg = faithful_config("headkv", 0.1);  // C = 90, w = 8, B = 82
    const auto& rep = prefill(f, cfg, s);
    const auto want = faithful::headkv_budgets(query_scores(), 82, 1.01);
    for (std::size_t l = 0; l < 4; ++l) {
        for (std::size_t h = 0; h < 8; ++h) {
            EXPECT_EQ(rep.layers[l].heads[h].budget, std::min<std::int64_t>(want[l][h], 892));
        }
    }
}

TEST(FaithfulCache, HaceLayerOnlyReducesToCake) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    std::unique_ptr<model::Session> a, b;
    const auto& cake = prefill(f, faithful_config("cake", 0.1), a);
    const auto& layer_only = prefill(f, faithful_config("hace-layer", 0.1), b);
    ASSERT_TRUE(cake.compressed);
    EXPECT_FALSE(cake.query_heads);
    std::int64_t total = 0;
    for (std::size_t l = 0; l < cake.layers.size(); ++l) {
        ASSERT_TRUE(cake.layers[l].preference.has_value());
        EXPECT_EQ(cake.layers[l].preference, layer_only.layers[l].preference);
        for (std::size_t h = 0; h < cake.layers[l].heads.size(); ++h) {
            EXPECT_EQ(cake.layers[l].heads[h].kept, layer_only.layers[l].heads[h].kept);
            // CAKE gives every KV head of a layer the same budget.
            EXPECT_EQ(cake.layers[l].heads[h].budget, cake.layers[l].heads[0].budget);
        }
        total += cake.layers[l].heads[0].budget;
    }
    EXPECT_LE(total, 4 * (90 - 32));  // T = (C - w) L; the cascade can only fall short
}

TEST(FaithfulCache, AdaKvSplitsWithTheAlphaFloor) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    std::unique_ptr<model::Session> s;
    const auto& rep = prefill(f, faithful_config("adakv", 0.1), s);  // B = 90 - 32 = 58
    for (const auto& L : rep.layers) {
        ASSERT_EQ(L.heads.size(), 2u);  // GQA support: KV heads
        for (const auto& h : L.heads) EXPECT_GE(h.budget, static_cast<std::int64_t>(0.2 * 58 * 0.8));
        EXPECT_NEAR(static_cast<double>(L.budget), 2 * 58, 2.0);  // rounding may move a token
    }
}

TEST(FaithfulCache, SkipRulesAndRefusals) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    std::unique_ptr<model::Session> s;
    auto snap = faithful_config("snapkv", 1.0);  // C = n: SnapKV skips when n < C only
    EXPECT_TRUE(prefill(f, snap, s).compressed);
    snap.capacity = 901;
    snap.retention.reset();
    EXPECT_FALSE(prefill(f, snap, s).compressed);
    auto cake = faithful_config("cake", 0.1);
    cake.retention.reset();
    cake.capacity = 900 - 32;  // n <= C + w: CAKE does not evict
    EXPECT_FALSE(prefill(f, cake, s).compressed);
    auto tiny = faithful_config("snapkv", 0.02);  // C = 18 <= w = 32
    EXPECT_THROW(prefill(f, tiny, s), InputError);
    auto hace = faithful_config("hace", 0.1);
    hace.head_scores.assign(4, std::vector<double>(2, 0.125));
    EXPECT_THROW(prefill(f, hace, s), InputError);
}

TEST(FaithfulCache, QueryHeadStorageDecodesAndKeepsTheFirstToken) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    for (const std::string m : {"snapkv", "pyramidkv", "headkv", "adakv", "cake"}) {
        const auto cfg = faithful_config(m, 0.1);
        model::GenerateOptions g;
        g.max_new_tokens = 8;
        g.ignore_eos = true;
        g.make_session = [&](std::int64_t cap) { return new_compressed_session(*f.model, cap, cfg); };
        const auto r = model::generate(*f.model, f.prompt, g);
        ASSERT_EQ(r.output_ids.size(), 8u) << m;
        EXPECT_EQ(r.output_ids[0], f.answer[0]) << m;
    }
}

}  // namespace
}  // namespace hace::kv

#include "engine/model/shapes.h"

namespace hace::kv {
namespace {

TEST(Tau, ChosenFromCakesTablePerModelAndCapacity) {
    CompressionConfig c;
    c.method = "cake";
    c.tau_model_key = tau_model_key(model::shape_config("llama2-7b"));
    EXPECT_EQ(c.tau_model_key, "llama2-7b");
    EXPECT_EQ(tau_model_key(model::shape_config("mistral-7b")), "mistral-7b");
    EXPECT_EQ(tau_model_key(model::shape_config("opt-13b")), "");
    // Equal mode (section 13.6): nearest tuned C, switching at sqrt(128 * 1024).
    EXPECT_EQ(resolve_tau(c, 128), std::make_pair(0.9, 2.3));
    EXPECT_EQ(resolve_tau(c, 300), std::make_pair(0.9, 2.3));
    EXPECT_EQ(resolve_tau(c, 4096), std::make_pair(1.9, 1.8));
    // Faithful mode: only the tuned C; others fall back to (1, 1) like pred_cake.py.
    c.mode = "faithful";
    EXPECT_EQ(resolve_tau(c, 1024), std::make_pair(1.9, 1.8));
    EXPECT_EQ(resolve_tau(c, 512), std::make_pair(1.0, 1.0));
    c.tau1 = 3.0;  // an explicit value wins
    EXPECT_EQ(resolve_tau(c, 1024), std::make_pair(3.0, 1.8));
}

}  // namespace
}  // namespace hace::kv
