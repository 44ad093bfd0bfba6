// Faithful mode end to end on the needle model: each reference's selector, granularity, skip
// rules and integer quirks, checked against the faithful budget functions.
#include <map>
#include <numeric>

#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/kv/budget.h"
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

// The skip rules at their edges, n = 900 with C = n + 1, n, n - 1 (and CAKE's own edge at
// C + w). Each reference decides with its own test: SnapKV and PyramidKV skip when n < C, AdaKV
// and HeadKV when C - w > n - w (the same as n < C), CAKE when n <= C + w. A skipped prompt keeps
// all 900 positions and reports budget P = n - w on every head.
TEST(FaithfulCache, SkipRulesAtNEqualsC) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    std::map<std::pair<std::string, std::int64_t>, model::CompressionReport> reports;
    auto run = [&](const std::string& method, std::int64_t c) -> const model::CompressionReport& {
        const auto key = std::make_pair(method, c);
        if (!reports.count(key)) {
            auto cfg = faithful_config(method, 0.1);
            cfg.retention.reset();
            cfg.capacity = c;
            std::unique_ptr<model::Session> s;
            reports[key] = prefill(f, cfg, s);
        }
        return reports[key];
    };
    // Every head of every layer has budget b and keeps b + w positions; the window is kept.
    auto expect_heads = [](const model::CompressionReport& rep, std::int64_t w, auto budget_of,
                           const std::string& what) {
        for (std::size_t l = 0; l < rep.layers.size(); ++l) {
            for (std::size_t h = 0; h < rep.layers[l].heads.size(); ++h) {
                const auto& head = rep.layers[l].heads[h];
                const std::int64_t b = budget_of(l, h);
                EXPECT_EQ(head.budget, b) << what << " layer " << l << " head " << h;
                ASSERT_EQ(static_cast<std::int64_t>(head.kept.size()), b + w) << what;
                EXPECT_EQ(head.kept.back(), 899) << what;
                EXPECT_EQ(head.kept[head.kept.size() - static_cast<std::size_t>(w)], 900 - w)
                    << what;
            }
        }
    };
    auto all = [](std::int64_t b) { return [b](std::size_t, std::size_t) { return b; }; };
    for (const std::string m : {"snapkv", "pyramidkv", "adakv", "headkv", "hace-head"}) {
        const std::int64_t w = faithful_selector(method_by_id(m)).window;  // 32 or 8
        // n = C - 1: skipped by all four.
        const auto& above = run(m, 901);
        EXPECT_FALSE(above.compressed) << m;
        expect_heads(above, w, all(900 - w), m + " C = 901");
        // n = C and n = C + 1: compressed by all four (B = C - w).
        EXPECT_TRUE(run(m, 900).compressed) << m;
        EXPECT_TRUE(run(m, 899).compressed) << m;
    }
    // SnapKV (w 32): B = C - w per query head. At n = C, B = P = 868: every position stays
    // although the prompt counts as compressed; at n = C + 1 one position per head goes.
    expect_heads(run("snapkv", 900), 32, all(868), "snapkv C = 900");
    expect_heads(run("snapkv", 899), 32, all(867), "snapkv C = 899");
    // PyramidKV (w 8): C <= n < 2 (C - w) is KVF's uniform regime, B = C - w on every layer.
    expect_heads(run("pyramidkv", 900), 8, all(892), "pyramidkv C = 900");
    expect_heads(run("pyramidkv", 899), 8, all(891), "pyramidkv C = 899");
    // AdaKV (w 32, alpha 0.2, KV heads). At n = C, B = P = 868: the global top 2 x 868 of the
    // 2 x 868 scores are all of them, c_h = 868, floor = int(868 x 0.2) = 173, and
    // b_h = round(0.8 x 868 + 173) = round(867.4) = 867: one token per head goes (868 mod 5 = 3).
    expect_heads(run("adakv", 900), 32, all(867), "adakv C = 900");
    // At n = C + 1, B = 867, floor = 173; the counts sum to 1734 with each <= 868, so
    // c_h is 866, 867 or 868 and b_h = round(0.8 c_h + 173) is 866, 867 or 867.
    const auto& ada = run("adakv", 899);
    for (const auto& L : ada.layers) {
        ASSERT_EQ(L.heads.size(), 2u);
        for (const auto& h : L.heads) {
            EXPECT_TRUE(h.budget == 866 || h.budget == 867) << h.budget;
            EXPECT_EQ(static_cast<std::int64_t>(h.kept.size()), h.budget + 32);
        }
        EXPECT_GE(L.budget, 866 + 867);
    }
    // HeadKV (w 8, beta 1.01): at n = C, B = 892, p = 892 // 1.01 = 883, m = 9, and head (l, h)
    // scores (l + 1)(h mod 3 + 1) / 150: head (0, 0) gets round(883 x 32 / 150 + 9) =
    // round(197.37) = 197 of the 892 selectable positions; heads above P saturate at 892.
    for (const std::string m : {"headkv", "hace-head"}) {
        for (const std::int64_t c : {900, 899}) {
            const auto want = faithful::headkv_budgets(query_scores(), c - 8, 1.01);
            const auto& rep = run(m, c);
            expect_heads(
                rep, 8,
                [&](std::size_t l, std::size_t h) {
                    return std::min<std::int64_t>(want[l][h], 892);
                },
                m + " C = " + std::to_string(c));
            EXPECT_EQ(rep.layers[0].heads[0].budget, 197) << m;  // also 197 at C = 899 (197.16)
            EXPECT_EQ(rep.layers[3].heads[2].budget, 892) << m;  // 12/150: saturated
        }
    }
    // CAKE (w 32) skips up to n = C + w = 900 at C = 868 and compresses from C = 867 on.
    for (const std::string m : {"cake", "hace-layer"}) {
        for (const std::int64_t c : {901, 900, 899, 868}) {
            const auto& rep = run(m, c);
            EXPECT_FALSE(rep.compressed) << m << " C = " << c;
            expect_heads(rep, 32, all(868), m + " C = " + std::to_string(c));
        }
        const auto& cut = run(m, 867);
        EXPECT_TRUE(cut.compressed) << m;
        std::int64_t total = 0;
        for (const auto& L : cut.layers) total += L.heads[0].budget;
        EXPECT_LE(total, 4 * (867 - 32)) << m;  // T = (C - w) L, at most P = 868 per layer
    }
}

// How a cascade raises a layer it cut before (T = 10, P = 100, integer effects of
// adjust_budgets): after layer 1, preferences (50.5, 49.5) give raw (5.05, 4.95) -> (5, 4),
// the missing 1 to layer 0: (6, 4). After layer 2 (preference 1.2), raw (4.99, 4.89, 0.12) ->
// (4, 4, 0), the missing 2 to layers 0 and 1: (5, 5, 0). Layer 1 holds 4 entries but the
// reference records 5 as its decode budget.
TEST(FaithfulBudgets, CakeCascadeCanRaiseALayerItCutBefore) {
    EXPECT_EQ(faithful::cake_adjust_budgets(stage1_cake({50.5, 49.5}, 10), 10, 100),
              (std::vector<std::int64_t>{6, 4}));
    EXPECT_EQ(faithful::cake_adjust_budgets(stage1_cake({50.5, 49.5, 1.2}, 10), 10, 100),
              (std::vector<std::int64_t>{5, 5, 0}));
}

// Faithful CAKE's decode-time budget is the reference's last recorded cascade figure: replaying
// the cascade from the reported preferences (stage 1 over layers 0..l, adjust_budgets, clamp to
// [0, P] at every step l), a layer holds the smallest of its figures and decodes with the last
// one, so each of its heads grows back by the difference, one entry per step, then evicts one per
// step (the prefill and decode sizes follow these figures exactly; on this prompt, for these C,
// the last figure happens to equal the held one: the hand case below shows how they part).
TEST(FaithfulCache, CakeDecodesWithTheLastCascadeFigure) {
    HACE_REQUIRE_PATH(test::shared_data() / "models/needle-llama-1m");
    const auto f = needle();
    const std::int64_t n = 900, w = 32, p = n - w, layers = 4, heads = 2;
    for (std::int64_t c = 40; c <= 200; c += 16) {
        auto cfg = faithful_config("cake", 0.1);
        cfg.retention.reset();
        cfg.capacity = c;
        auto s = new_compressed_session(*f.model, n + 12, cfg);
        s->prefill(f.prompt);
        const auto& rep = *s->compression_report();
        ASSERT_TRUE(rep.compressed);
        std::vector<double> prefs;
        std::vector<std::int64_t> held(layers, p), last(layers, p);
        const std::int64_t t = (c - w) * layers;
        for (std::int64_t l = 0; l < layers; ++l) {
            prefs.push_back(*rep.layers[static_cast<std::size_t>(l)].preference);
            const auto b = faithful::cake_adjust_budgets(stage1_cake(prefs, t), t, p);
            for (std::int64_t i = 0; i <= l; ++i) {
                last[i] = std::clamp<std::int64_t>(b[static_cast<std::size_t>(i)], 0, p);
                held[i] = std::min(held[i], last[i]);
            }
        }
        std::int64_t kept = 0;
        for (std::int64_t l = 0; l < layers; ++l) {
            for (const auto& h : rep.layers[static_cast<std::size_t>(l)].heads) {
                ASSERT_EQ(h.budget, held[l]) << "C = " << c << " layer " << l;
            }
            kept += heads * (held[l] + w);
        }
        EXPECT_EQ(s->kv_stats().kept_entries, kept);
        for (std::int64_t step = 1; step <= 12; ++step) {
            s->decode_step(f.answer[static_cast<std::size_t>(step - 1) % f.answer.size()]);
            std::int64_t want = 0;
            for (std::int64_t l = 0; l < layers; ++l) {
                want += heads * (std::min(held[l] + step, last[l]) + w);
            }
            ASSERT_EQ(s->kv_stats().kept_entries, want) << "C = " << c << " step " << step;
        }
    }
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
