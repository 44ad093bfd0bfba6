// Sweep plans (DESIGN.md sections 3 and 6): cell expansion and order, stable cell keys (a golden
// key checked against coreutils' sha256sum), what changes a key and what does not, and the
// dry-run cost model on a hand-computed case.
#include <cmath>
#include <fstream>
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/runner/batch_size.h"
#include "engine/runner/canonical_json.h"
#include "engine/runner/plan_report.h"
#include "engine/runner/sweep_plan.h"
#include "tests/engine/runner/runner_test_context.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

json spec_json() {
    return {{"name", "plan"},
            {"models",
             {test::stories_model().string(),
              {{"dir", test::needle_model().string()},
               {"head_scores", test::head_score_file().string()}}}},
            {"context_lengths", {128, 256}},
            {"retentions", {0.1, 0.5}},
            {"methods", {"full", "snapkv"}},
            {"tasks", {"multifieldqa_zh", "niah"}},
            {"samples_per_task", 4},
            {"data",
             {{"longbench", test::longbench_dir().string()},
              {"haystack", test::haystack_dir().string()}}}};
}

SweepPlan plan_of(const json& j) {
    return make_plan(parse_sweep_spec(j, "/"), test::test_context());
}

std::vector<std::string> hashes_of(const SweepPlan& p) {
    std::vector<std::string> out;
    for (const auto& c : p.cells) out.push_back(c.hash);
    return out;
}

class SweepPlanTest : public ::testing::Test {
protected:
    void SetUp() override {
        HACE_REQUIRE_PATH(test::stories_model());
        HACE_REQUIRE_PATH(test::needle_model());
        HACE_REQUIRE_PATH(test::longbench_dir() / "multifieldqa_zh.jsonl");
        HACE_REQUIRE_PATH(test::haystack_dir());
        HACE_REQUIRE_PATH(test::head_score_file());
    }
};

// 2 models x 2 contexts x (full: 1 + snapkv: 2 retentions) x 2 tasks = 24 cells, nested
// model > context > method > retention > task.
TEST_F(SweepPlanTest, ExpandsCellsInSpecOrderFullOncePerContext) {
    const SweepPlan p = plan_of(spec_json());
    ASSERT_EQ(p.cells.size(), 24u);
    EXPECT_EQ(p.total_samples(), 24 * 4);
    const char* expected[] = {"full/-/multifieldqa_zh",     "full/-/niah",
                              "snapkv/0.1/multifieldqa_zh", "snapkv/0.1/niah",
                              "snapkv/0.5/multifieldqa_zh", "snapkv/0.5/niah"};
    for (std::size_t i = 0; i < p.cells.size(); ++i) {
        const RunCell& c = p.cells[i];
        const std::string r = c.retention ? json(*c.retention).dump() : "-";
        EXPECT_EQ(c.method + "/" + r + "/" + c.task.id, expected[i % 6]) << i;
        EXPECT_EQ(c.context_length, (i / 6) % 2 == 0 ? 128 : 256) << i;
        EXPECT_EQ(c.model_index, i / 12) << i;
        EXPECT_EQ(c.samples, 4);
    }
    EXPECT_EQ(p.cells[0].model.name, "stories260K");
    EXPECT_EQ(p.cells[12].model.name, "needle-llama-1m");
    EXPECT_EQ(p.cells[0].mode, "");  // full: no mode
    EXPECT_EQ(p.cells[2].mode, "equal");
    EXPECT_EQ(p.cells[0].max_new_tokens, 64);  // multifieldqa_zh protocol
    EXPECT_EQ(p.cells[1].max_new_tokens, 32);  // niah
    EXPECT_EQ(*p.cells[1].data_dir, test::haystack_dir());
    EXPECT_FALSE(p.cells[14].head_scores.has_value());  // snapkv reads none
}

TEST_F(SweepPlanTest, KeysAreTheHashOfTheConfigUniqueAndRepeatable) {
    const SweepPlan a = plan_of(spec_json());
    const SweepPlan b = plan_of(spec_json());
    EXPECT_EQ(hashes_of(a), hashes_of(b));
    std::set<std::string> unique;
    for (const auto& c : a.cells) {
        EXPECT_EQ(c.hash, config_hash(c.config));
        EXPECT_EQ(c.hash.size(), 64u);
        unique.insert(c.hash);
    }
    EXPECT_EQ(unique.size(), a.cells.size());
}

// The key's exact content, documented in sweep_plan.h; the expected key is coreutils'
// sha256sum of the expected text, so any change of format or hashing shows here.
TEST_F(SweepPlanTest, GoldenKeyOfAFullCell) {
    const fs::path dir = hace::test::temp_dir("runner-golden");
    const json j = {{"models", {test::write_opt13b_model(dir).string()}},
                    {"context_lengths", {1024}},
                    {"methods", {"full"}},
                    {"tasks", {"niah"}},
                    {"data", {{"haystack", test::haystack_dir().string()}}}};
    const SweepPlan p = plan_of(j);
    ASSERT_EQ(p.cells.size(), 1u);
    EXPECT_EQ(canonical_json(p.cells[0].config),
              R"({"context_length":1024,"decoding":{"greedy":true,"seed":42},"dtype":"f32",)"
              R"("format":"hace-cell/1","head_scores_sha256":null,"max_new_tokens":32,)"
              R"("method":"full","mode":null,"model":{"head_dim":128,"hidden":5120,)"
              R"("kv_heads":40,"layers":40,"max_positions":2048,"name":"opt-13b","params":0,)"
              R"("q_heads":40,"vocab":50272},"params":{},"retention":null,)"
              R"("task":{"id":"niah","options":{}}})");
    EXPECT_EQ(p.cells[0].hash, "1eb763b5b753a5297ef1025aee4ff1a405776fa749458c01a3c414aceca852d0");
}

TEST_F(SweepPlanTest, HeadScoreMethodsKeyTheFileContent) {
    json j = spec_json();
    j["models"] = {{{"dir", test::needle_model().string()},
                    {"head_scores", test::head_score_file().string()}}};
    j["methods"] = {"hace"};
    j["retentions"] = {0.1};
    j["tasks"] = {"niah"};
    const SweepPlan p = plan_of(j);
    ASSERT_EQ(p.cells.size(), 2u);  // two contexts
    // sha256sum of the official Mistral retrieval-head file.
    EXPECT_EQ(p.cells[0].config["head_scores_sha256"],
              "73a58163c51df53b2b9e5495295f3ee80e17ea43d6691f201241b449a8d095bd");
    EXPECT_EQ(*p.cells[0].head_scores, test::head_score_file());
    EXPECT_EQ(p.cells[0].config["params"], json({{"beta", 1.01}, {"window", 32}}));

    // The same content under another name and folder: same key.
    const fs::path dir = hace::test::temp_dir("runner-hscopy");
    fs::copy_file(test::head_score_file(), dir / "renamed.json");
    j["models"][0]["head_scores"] = (dir / "renamed.json").string();
    EXPECT_EQ(plan_of(j).cells[0].hash, p.cells[0].hash);
}

// Folders, device, labels and sample counts do not change what a cell computes, so they do not
// change its key; everything that changes results does.
TEST_F(SweepPlanTest, WhatChangesAKeyAndWhatDoesNot) {
    const std::string base = plan_of(spec_json()).cells[2].hash;  // stories, 128, snapkv 0.1, mfqa
    auto key_with = [](const std::function<void(json&)>& edit) {
        json j = spec_json();
        edit(j);
        return plan_of(j).cells[2].hash;
    };
    const fs::path dir = hace::test::temp_dir("runner-moved");
    fs::create_directories(dir / "stories260K");
    fs::copy_file(test::stories_model() / "config.json", dir / "stories260K" / "config.json");
    EXPECT_EQ(key_with([&](json& j) { j["models"][0] = (dir / "stories260K").string(); }), base);
    EXPECT_EQ(key_with([](json& j) { j["device"] = "cuda:1"; }), base);
    EXPECT_EQ(key_with([](json& j) { j["samples_per_task"] = 100; }), base);
    EXPECT_EQ(key_with([](json& j) { j["name"] = "renamed"; }), base);
    EXPECT_EQ(key_with([](json& j) {
                  j["methods"][1] = {{"id", "snapkv"}, {"name", "SnapKV (w32)"}};
              }),
              base);
    EXPECT_EQ(key_with([](json& j) {
                  j["method_params"] = {{"snapkv", {{"window", 32.0}}}};
              }),
              base);

    EXPECT_NE(key_with([](json& j) { j["method_params"] = {{"snapkv", {{"window", 64}}}}; }), base);
    EXPECT_NE(key_with([](json& j) { j["dtype"] = "bf16"; }), base);
    EXPECT_NE(key_with([](json& j) { j["decoding"] = {{"seed", 7}}; }), base);
    EXPECT_NE(key_with([](json& j) { j["decoding"] = {{"max_new_tokens", 20}}; }), base);
    EXPECT_NE(key_with([](json& j) { j["mode"] = "faithful"; }), base);
    EXPECT_NE(key_with([](json& j) { j["retentions"] = {0.2, 0.5}; }), base);
}

TEST_F(SweepPlanTest, MethodParamsMergeDefaultsSpecAndEntry) {
    json j = spec_json();
    j["methods"] = {{{"id", "snapkv"}, {"name", "k3"}, {"params", {{"kernel", 3}}}}, "snapkv"};
    j["method_params"] = {{"snapkv", {{"window", 64}}}};
    const SweepPlan p = plan_of(j);
    EXPECT_EQ(p.cells[0].method_name, "k3");
    EXPECT_EQ(p.cells[0].method_params, json({{"kernel", 3}, {"window", 64}}));
    EXPECT_EQ(p.cells[4].method_name, "snapkv");
    EXPECT_EQ(p.cells[4].method_params, json({{"kernel", 7}, {"window", 64}}));
}

TEST_F(SweepPlanTest, InvalidSpecIsRefusedWithEveryProblem) {
    json j = spec_json();
    j["methods"] = {"snapkvv"};
    j["retentions"] = {1.5};
    hace::test::expect_input_error([&] { (void)plan_of(j); },
                                   {"2 problems", "methods[0]: unknown method \"snapkvv\"",
                                    "retentions[0]: retention 1.5 is outside (0, 1]"});
}

// The model of the hand-computed cost cases below: L = 2, Hq = 2, Hkv = 1, d = 4, D = 8,
// V = 10, P = 1000.
ModelInfo tiny_model() {
    ModelInfo m;
    m.layers = 2;
    m.q_heads = 2;
    m.kv_heads = 1;
    m.head_dim = 4;
    m.hidden = 8;
    m.vocab = 10;
    m.params = 1000;
    return m;
}

// n = 100, m = 10, R = 0.1 (k = 10), s = 2, L = 2, Hq = 2, Hkv = 1, d = 4, D = 8, V = 10,
// P = 1000, 1e6 FLOP/s, 1e3 B/s, 3 samples:
//   prefill FLOP = 2*1000*100 + 2*2*2*4*100^2 = 520000 -> 0.52 s
//   per token: FLOP 2000 + 4*2*2*4*15 = 2960 (0.00296 s), bytes 2000 + 32*15 = 2480 (2.48 s)
//   sample = 0.52 + 10 * 2.48 = 25.32 s; cell = 75.96 s
//   kv = 32 * 20 = 640; kv peak = 16 * 100 + 640 = 2240; activations = 8*100*8*2 + 40 = 12840
//   peak = 2000 + 2240 + 12840 = 17080; full cache: kv peak = 32 * 110 = 3520
TEST(CostModel, HandComputedCell) {
    const ModelInfo m = tiny_model();
    const CostModel cost{1e6, 1e3};
    const CellEstimate e = estimate_cell({m, 100, 0.1, 10, 3, 2}, cost);
    EXPECT_NEAR(e.seconds_per_sample, 25.32, 1e-9);
    EXPECT_NEAR(e.seconds, 75.96, 1e-9);
    EXPECT_EQ(e.weights_bytes, 2000);
    EXPECT_EQ(e.kv_bytes, 640);
    EXPECT_EQ(e.kv_peak_bytes, 2240);
    EXPECT_EQ(e.activation_bytes, 12840);
    EXPECT_EQ(e.peak_bytes, 17080);
    const CellEstimate full = estimate_cell({m, 100, std::nullopt, 10, 3, 2}, cost);
    EXPECT_EQ(full.kv_peak_bytes, 3520);
    EXPECT_EQ(full.kv_bytes, 32 * 110);
}

// The same cell at B = 4 (cache bytes per row 32*15 = 480, decode FLOP per row 2960):
//   step = max(4*2960/1e6 = 0.01184, (2000 + 4*480)/1e3 = 3.92) = 3.92 s
//   sample = 0.52 + 10 * 3.92 / 4 = 10.32 s; cell = 30.96 s
//   kv = 640 per sequence; kv peak = 16*100 + 4*640 = 4160; activations = 12800 + 40*4 = 12960
//   peak = 2000 + 4160 + 12960 = 19120; full cache: kv peak = 4 * 32 * 110 = 14080
// With flops 1e3 the step is compute bound: max(4*2960/1e3 = 11.84, 3.92) = 11.84 s, so a
// sample's decode share is 10 * 11.84 / 4 = 29.6 s, as unbatched (10 * 2.96).
TEST(CostModel, HandComputedCellAtBatchSize4) {
    const ModelInfo m = tiny_model();
    CellShape shape{m, 100, 0.1, 10, 3, 2};
    shape.batch = 4;
    const CellEstimate e = estimate_cell(shape, {1e6, 1e3});
    EXPECT_NEAR(e.seconds_per_sample, 10.32, 1e-9);
    EXPECT_NEAR(e.seconds, 30.96, 1e-9);
    EXPECT_EQ(e.weights_bytes, 2000);
    EXPECT_EQ(e.kv_bytes, 640);
    EXPECT_EQ(e.kv_peak_bytes, 4160);
    EXPECT_EQ(e.activation_bytes, 12960);
    EXPECT_EQ(e.peak_bytes, 19120);
    shape.retention = std::nullopt;
    EXPECT_EQ(estimate_cell(shape, {1e6, 1e3}).kv_peak_bytes, 14080);
    shape.retention = 0.1;
    EXPECT_NEAR(estimate_cell(shape, {1e3, 1e3}).seconds_per_sample, 520.0 + 29.6, 1e-9);
}

// "auto" over two shapes of the cell above (s = 2, 300 samples each):
//   compressing: peak(B) = 2000 + (1600 + 640 B) + (12800 + 40 B) = 16400 + 680 B
//   full cache:  peak(B) = 2000 + 3520 B + (12800 + 40 B)         = 14800 + 3560 B
// 50000 available, 20% kept free: budget 40000. Compressing alone: B <= 34.7 -> 34; with the
// full cell: B <= 7.08 -> 7 (peak 39720). 3 samples cap B at 3; 20000 available (budget
// 16000 < 17080) fits nothing: B = 1, fits false.
TEST(AutoBatch, LargestBatchWhoseLargestCellFitsTheBudget) {
    const ModelInfo m = tiny_model();
    const CostModel cost{1e6, 1e3};
    CellShape compressing{m, 100, 0.1, 10, 300, 2};
    CellShape full{m, 100, std::nullopt, 10, 300, 2};
    EXPECT_EQ(largest_peak_at({compressing}, 5, cost), 16400 + 680 * 5);

    AutoBatch a = resolve_auto_batch({compressing}, 50000, cost);
    EXPECT_EQ(a.batch, 34);
    EXPECT_EQ(a.budget_bytes, 40000);
    EXPECT_EQ(a.peak_bytes, 16400 + 680 * 34);
    EXPECT_TRUE(a.fits);
    a = resolve_auto_batch({compressing, full}, 50000, cost);
    EXPECT_EQ(a.batch, 7);
    EXPECT_EQ(a.peak_bytes, 39720);
    compressing.samples = 3;
    full.samples = 2;
    EXPECT_EQ(resolve_auto_batch({compressing, full}, 1'000'000, cost).batch, 3);
    compressing.samples = 300;
    EXPECT_EQ(resolve_auto_batch({compressing}, std::int64_t(1) << 40, cost).batch, 256);
    a = resolve_auto_batch({compressing}, 20000, cost);
    EXPECT_EQ(a.batch, 1);
    EXPECT_FALSE(a.fits);
}

TEST(CostModel, KeptEntriesFollowTheBudgetRule) {
    EXPECT_EQ(kept_entries_per_head(1000, std::nullopt), 1000);
    EXPECT_EQ(kept_entries_per_head(1000, 0.005), 8);    // round(5) = 5 -> floor of 8
    EXPECT_EQ(kept_entries_per_head(1000, 0.0125), 12);  // 12.5 -> 12 (half to even)
    EXPECT_EQ(kept_entries_per_head(1000, 0.0135), 14);  // 13.5 -> 14 (half to even)
    EXPECT_EQ(kept_entries_per_head(4, 0.5), 4);         // the floor of 8 is capped at n
    ModelInfo m;
    m.layers = 2;
    m.hidden = 8;
    m.vocab = 10;
    EXPECT_EQ(estimated_params(m), 12 * 2 * 64 + 2 * 10 * 8);
}

TEST_F(SweepPlanTest, DryRunReportListsEveryCellWithItsEstimate) {
    const SweepPlan p = plan_of(spec_json());
    const json j = plan_json(p);
    ASSERT_EQ(j["cells"].size(), 24u);
    EXPECT_EQ(j["totals"]["cells"], 24);
    EXPECT_EQ(j["totals"]["samples"], 96);
    EXPECT_EQ(j["cells"][2]["hash"], p.cells[2].hash);
    EXPECT_EQ(j["cells"][2]["retention"], 0.1);
    EXPECT_TRUE(j["cells"][0]["retention"].is_null());
    double seconds = 0.0;
    for (const auto& c : j["cells"]) {
        EXPECT_GT(c["estimate"]["peak_bytes"].get<std::int64_t>(), 0);
        seconds += c["estimate"]["seconds"].get<double>();
    }
    EXPECT_NEAR(j["totals"]["seconds"].get<double>(), seconds, 1e-9 * seconds);
    // Compressing keeps less cache than the full cell of the same context and task.
    EXPECT_LT(p.cells[2].estimate.kv_bytes, p.cells[0].estimate.kv_bytes);

    const std::string text = plan_text(p);
    EXPECT_THAT(text, HasSubstr("sweep plan on cpu: 24 cells"));
    EXPECT_THAT(text, HasSubstr("total: 24 cells, 96 samples"));
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 24 + 3);
    EXPECT_THAT(text, HasSubstr(p.cells[23].hash.substr(0, 12)));
}

}  // namespace
}  // namespace hace::runner

namespace hace::runner {
namespace {

// Token budgets beside retentions: one cell per budget after the ratio cells, keyed by
// "capacity" with retention null; query-agnostic tasks key every cell (full included) by
// "query"; the keys of query-aware ratio cells do not change.
TEST_F(SweepPlanTest, BudgetsAndTheQueryProtocolMakeTheirOwnCells) {
    const SweepPlan base = plan_of(spec_json());
    json j = spec_json();
    j["budgets"] = {64, 128};
    const SweepPlan withBudgets = plan_of(j);
    // + 2 models x 2 contexts x snapkv x 2 budgets x 2 tasks
    ASSERT_EQ(withBudgets.cells.size(), base.cells.size() + 16u);
    const auto baseHashes = hashes_of(base);
    const std::set<std::string> baseKeys(baseHashes.begin(), baseHashes.end());
    std::int64_t budgetCells = 0;
    for (const auto& c : withBudgets.cells) {
        if (c.capacity) {
            ++budgetCells;
            EXPECT_FALSE(c.retention);
            EXPECT_EQ(c.config["capacity"], *c.capacity);
            EXPECT_TRUE(c.config["retention"].is_null());
            EXPECT_FALSE(baseKeys.count(c.hash));
        } else {
            EXPECT_TRUE(baseKeys.count(c.hash)) << "an unchanged cell changed its key";
            EXPECT_FALSE(c.config.contains("capacity"));
        }
    }
    EXPECT_EQ(budgetCells, 16);
    // Budgets alone satisfy the compressing methods.
    json only = spec_json();
    only.erase("retentions");
    only["budgets"] = {256};
    EXPECT_EQ(plan_of(only).cells.size(), 2u * 2u * (1u + 1u) * 2u);

    json agnostic = spec_json();
    agnostic["query"] = "agnostic";
    const SweepPlan a = plan_of(agnostic);
    ASSERT_EQ(a.cells.size(), base.cells.size());
    for (std::size_t i = 0; i < a.cells.size(); ++i) {
        EXPECT_EQ(a.cells[i].query, "agnostic");
        EXPECT_EQ(a.cells[i].config["query"], "agnostic");
        EXPECT_NE(a.cells[i].hash, base.cells[i].hash) << "aware and agnostic cells collide";
    }
    // Per task: only niah agnostic.
    json perTask = spec_json();
    perTask["tasks"] = {"multifieldqa_zh", {{"id", "niah"}, {"query", "agnostic"}}};
    for (const auto& c : plan_of(perTask).cells) {
        EXPECT_EQ(c.query, c.task.id == "niah" ? "agnostic" : "aware") << c.task.id;
    }
}

TEST(SweepSpecProtocol, QueryBudgetsAndStoreKeptAreValidated) {
    json j = {{"models", {"m"}},
              {"context_lengths", {128}},
              {"methods", {"snapkv"}},
              {"tasks", {{{"id", "niah"}, {"query", "blind"}}}},
              {"budgets", {64, 0, 64, 1.5}},
              {"query", "unaware"},
              {"store_kept", "yes"}};
    const SweepSpec spec = parse_sweep_spec(j, "/");
    std::vector<std::string> texts;
    for (const auto& p : spec.problems) texts.push_back(p.text());
    EXPECT_THAT(texts, ::testing::Contains(HasSubstr("tasks[0].query: unknown query protocol")));
    EXPECT_THAT(texts, ::testing::Contains(HasSubstr("budgets[1]: must be >= 1, got 0")));
    EXPECT_THAT(texts, ::testing::Contains(HasSubstr("budgets[2]: duplicate of budgets[0]")));
    EXPECT_THAT(texts, ::testing::Contains(HasSubstr("budgets[3]: expected an integer")));
    EXPECT_THAT(texts, ::testing::Contains(HasSubstr("query: unknown query protocol \"unaware\"")));
    EXPECT_THAT(texts, ::testing::Contains(HasSubstr("store_kept: expected true or false")));
    EXPECT_EQ(spec.budgets, std::vector<std::int64_t>{64});

    const SweepSpec ok = parse_sweep_spec(
        {{"models", {"m"}},
         {"context_lengths", {128}},
         {"methods", {"snapkv"}},
         {"tasks", {"niah", {{"id", "niah"}, {"query", "aware"}, {"options", {{"x", 1}}}}}},
         {"budgets", {128}},
         {"query", "agnostic"},
         {"store_kept", true}},
        "/");
    EXPECT_TRUE(ok.problems.empty()) << ok.problems[0].text();
    EXPECT_TRUE(ok.store_kept);
    EXPECT_EQ(ok.query_of(ok.tasks[0]), "agnostic");
    EXPECT_EQ(ok.query_of(ok.tasks[1]), "aware");
    // An explicit protocol equal to the sweep's is the same task entry.
    const SweepSpec dup =
        parse_sweep_spec({{"models", {"m"}},
                          {"context_lengths", {128}},
                          {"methods", {"snapkv"}},
                          {"tasks", {"niah", {{"id", "niah"}, {"query", "aware"}}}},
                          {"retentions", {0.1}}},
                         "/");
    ASSERT_EQ(dup.problems.size(), 1u);
    EXPECT_THAT(dup.problems[0].text(), HasSubstr("tasks[1]: duplicate of tasks[0]"));
}

}  // namespace
}  // namespace hace::runner
