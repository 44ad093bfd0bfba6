// The executor's planning side: the real method and task tables as a ValidationContext, sweep
// parameters mapped onto CompressionConfig, every problem of a spec reported at once, HIV cells
// folded to one per model, cell groups for Slurm.
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/kv/methods.h"
#include "engine/model/model_config.h"
#include "engine/runner/batch_size.h"
#include "engine/runner/exec/engine_context.h"
#include "engine/runner/exec/execution_plan.h"
#include "engine/runner/exec/method_config.h"
#include "engine/runner/exec/run_batch_size.h"
#include "engine/runner/plan_report.h"
#include "tests/engine/runner/exec/exec_fixtures.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(EngineContext, MirrorsTheMethodAndTaskTables) {
    const ValidationContext ctx = engine_validation_context();
    ASSERT_EQ(ctx.methods.size(), kv::method_rows().size());
    for (const auto& row : kv::method_rows()) {
        const MethodInfo* m = ctx.method(row.id);
        ASSERT_NE(m, nullptr) << row.id;
        EXPECT_EQ(m->needs_head_scores, kv::needs_head_scores(row)) << row.id;
    }
    EXPECT_FALSE(ctx.method("full")->compresses);
    EXPECT_FALSE(ctx.method("kivi")->compresses);  // keeps every token: no retention axis
    EXPECT_TRUE(ctx.method("hace")->compresses);
    EXPECT_TRUE(ctx.method("full")->default_params.empty());
    // The layer rule decides which exponent / beta a method reads.
    EXPECT_TRUE(ctx.method("pyramidkv")->default_params.contains("pyramid_beta"));
    EXPECT_FALSE(ctx.method("snapkv")->default_params.contains("pyramid_beta"));
    EXPECT_TRUE(ctx.method("hace")->default_params.contains("tau1"));
    EXPECT_TRUE(ctx.method("hace")->default_params.contains("headkv_beta"));
    EXPECT_TRUE(ctx.method("adakv")->default_params.contains("ada_alpha"));
    EXPECT_TRUE(ctx.method("streamingllm")->default_params.contains("sinks"));
    EXPECT_TRUE(ctx.method("h2o")->default_params.contains("recent"));
    for (const char* t : {"narrativeqa", "qasper", "multifieldqa_en", "niah", "needle", "hiv"}) {
        EXPECT_NE(ctx.task(t), nullptr) << t;
    }
    EXPECT_EQ(ctx.task("needle")->data_key, "needle_task");
    EXPECT_EQ(ctx.task("needle")->max_new_tokens, 16);
}

TEST(EngineContext, DescribesAModelFolderFromItsConfig) {
    const auto d = describe_model_dir(needle_model());
    ASSERT_TRUE(std::holds_alternative<ModelInfo>(d)) << std::get<std::string>(d);
    const ModelInfo& m = std::get<ModelInfo>(d);
    EXPECT_EQ(m.name, "needle-llama-1m");
    EXPECT_EQ(m.layers, 4);
    EXPECT_EQ(m.q_heads, 8);
    EXPECT_EQ(m.kv_heads, 2);
    EXPECT_EQ(m.head_dim, 16);
    EXPECT_EQ(m.max_positions, 2048);
    EXPECT_EQ(m.params, 885888);  // README: 885,888 parameters
    const auto missing = describe_model_dir(hace::test::temp_dir("no-model"));
    ASSERT_TRUE(std::holds_alternative<std::string>(missing));
    EXPECT_THAT(std::get<std::string>(missing), HasSubstr("config.json"));
}

TEST(MethodConfig, MapsSweepParametersOntoTheConfig) {
    const auto model = model::load_model_config(needle_model());
    HeadScoreCache scores;
    MethodSetup s;
    s.method = "pyramidkv";
    s.mode = "equal";
    s.retention = 0.1;
    s.params = method_default_params(kv::method_by_id("pyramidkv"));
    s.params["window"] = 16;
    s.params["pool"] = 3;
    s.params["gamma"] = 50.0;
    s.params["pyramid_beta"] = 5.0;
    s.params["decode_eviction"] = false;
    auto cfg = compression_config_for(s, model, scores);
    EXPECT_EQ(cfg.method, "pyramidkv");
    EXPECT_EQ(cfg.selector.kind, kv::SelectorConfig::Kind::Cake);
    EXPECT_EQ(cfg.selector.window, 16);
    EXPECT_EQ(cfg.selector.pool, 3);
    EXPECT_EQ(cfg.selector.gamma, 50.0);
    EXPECT_EQ(cfg.pyramid_beta, 5.0);
    EXPECT_FALSE(cfg.decode_eviction);
    ASSERT_TRUE(cfg.retention.has_value());
    EXPECT_EQ(*cfg.retention, 0.1);

    // Sentinels: the mode's own selector (faithful SnapKV: SEL-SNAP, w 32, max pool 7), CAKE's
    // tau table, H2O's default recent window.
    s = {};
    s.method = "snapkv";
    s.mode = "faithful";
    s.retention = 0.2;
    s.params = method_default_params(kv::method_by_id("snapkv"));
    cfg = compression_config_for(s, model, scores);
    EXPECT_EQ(cfg.selector.kind, kv::SelectorConfig::Kind::Snap);
    EXPECT_EQ(cfg.selector.window, 32);
    EXPECT_EQ(cfg.selector.pool, 7);
    s.method = "hace";
    s.mode = "equal";
    s.params = method_default_params(kv::method_by_id("hace"));
    s.params["tau1"] = 2.0;
    s.params["head_temperature"] = 0.5;
    s.head_scores = needle_head_scores();
    cfg = compression_config_for(s, model, scores);
    ASSERT_TRUE(cfg.tau1.has_value());
    EXPECT_EQ(*cfg.tau1, 2.0);
    EXPECT_FALSE(cfg.tau2.has_value());
    ASSERT_EQ(cfg.head_scores.size(), 4u);
    ASSERT_EQ(cfg.head_scores[0].size(), 2u);  // per KV head
    ASSERT_EQ(cfg.head_scores_query[0].size(), 8u);
    double total = 0.0;
    for (const auto& l : cfg.head_scores) total += l[0] + l[1];
    EXPECT_NEAR(total, 1.0, 1e-12);  // normalised over all KV heads
    s.method = "h2o";
    s.params = method_default_params(kv::method_by_id("h2o"));
    s.head_scores.reset();
    EXPECT_FALSE(compression_config_for(s, model, scores).recent.has_value());
    s.params["recent"] = 6;
    EXPECT_EQ(compression_config_for(s, model, scores).recent, 6);
}

TEST(MethodConfig, RefusesBadValuesAndMissingHeadScores) {
    const auto model = model::load_model_config(needle_model());
    HeadScoreCache scores;
    MethodSetup s;
    s.method = "kivi";
    s.params = method_default_params(kv::method_by_id("kivi"));
    s.params["kv_bits"] = 3;
    hace::test::expect_input_error([&] { compression_config_for(s, model, scores); }, {"2 or 4"});
    s.method = "headkv";
    s.retention = 0.1;
    s.params = method_default_params(kv::method_by_id("headkv"));
    hace::test::expect_input_error([&] { compression_config_for(s, model, scores); },
                                   {"head-score"});
    s.method = "snapkv";
    s.params = method_default_params(kv::method_by_id("snapkv"));
    s.params["window"] = 2.5;
    hace::test::expect_input_error([&] { compression_config_for(s, model, scores); },
                                   {"window", "integer"});
}

TEST(PlanSweep, ReportsEveryProblemAtOnce) {
    json j = needle_sweep({"full", "snapkvv", "snapkv", "hace"}, {0.1, 1.5}, 2);
    j["methods"][2] = {{"id", "snapkv"}, {"params", {{"pool", 4.5}, {"beta", 1}}}};
    j["tasks"] = {"needle", "qasperr", {{"id", "niah"}, {"options", {{"depths", {120}}}}}};
    j["decoding"] = {{"greedy", false}};
    j["data"]["needle_task"] = (hace::test::temp_dir("empty-needle")).string();
    const SweepSpec spec = parse_spec(j);
    try {
        plan_sweep(spec, engine_validation_context());
        FAIL() << "an invalid spec was planned";
    } catch (const InputError& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.find('\n'), std::string::npos);
        EXPECT_THAT(msg, HasSubstr("test.json"));
        EXPECT_THAT(msg, HasSubstr("methods[1]: unknown method \"snapkvv\""));
        EXPECT_THAT(msg, HasSubstr("retentions"));
        EXPECT_THAT(msg, HasSubstr("methods[2].params.beta: unknown parameter"));
        EXPECT_THAT(msg, HasSubstr("tasks[1]: unknown task \"qasperr\""));
        EXPECT_THAT(msg, HasSubstr("tasks[2].options: depths must hold depths in [0, 100]"));
        EXPECT_THAT(msg, HasSubstr("decoding.greedy"));
        EXPECT_THAT(msg, HasSubstr("needle_task.json"));
        EXPECT_THAT(msg, HasSubstr("pool must be an integer"));
    }
}

TEST(PlanSweep, ChecksMethodConfigsAgainstEachModel) {
    json j = needle_sweep({"snapkv", {{"id", "kivi"}, {"params", {{"kivi_group", 5}}}}}, {0.1}, 1);
    const SweepSpec spec = parse_spec(j);
    hace::test::expect_input_error([&] { plan_sweep(spec, engine_validation_context()); },
                                   {"methods[1]", "needle-llama-1m", "kivi-group 5"});
}

// Issue 17: an HIV protocol that is not a string ended in nlohmann's type_error (an internal
// error, exit 1) because the data checks read it before the spec's problems were reported.
TEST(PlanSweep, AnHivProtocolOfAnyOtherTypeIsAProblemWithItsPath) {
    for (const json& bad :
         {json(3), json(nullptr), json::array({"r2"}), json({{"name", "needle-model"}})}) {
        json j = needle_sweep({"full"}, {}, 1);
        j["tasks"] = {"needle", {{"id", "hiv"}, {"options", {{"protocol", bad}}}}};
        hace::test::expect_input_error(
            [&] { plan_sweep(parse_spec(j), engine_validation_context()); },
            {"test.json",
             "tasks[1].options: protocol must be one of \"r2\", \"needle-model\", got " +
                 bad.dump()});
    }
}

TEST(PlanSweep, AMethodParameterOfTheWrongTypeIsAProblemNotACrash) {
    json j = needle_sweep({{{"id", "snapkv"}, {"params", {{"selector", 7}}}}}, {0.1}, 1);
    hace::test::expect_input_error([&] { plan_sweep(parse_spec(j), engine_validation_context()); },
                                   {"methods[0].params.selector: expected a string, got integer",
                                    "params.selector: expected a string, got integer"});
}

TEST(HivTaskOptions, ReadEveryOptionThroughTheTypedReaders) {
    const std::map<std::string, std::filesystem::path> data = {
        {"hiv_needles", needle_task_data()}, {"haystack", paul_graham_haystack()}};
    TaskEntry t;
    t.where = "tasks[2]";
    t.id = "hiv";
    t.options = {{"protocol", "needle-model"}, {"max_trials", 4.0}, {"depths", {10, 90}}};
    const auto opts = hiv_task_options(t, data);
    EXPECT_EQ(opts.protocol, "needle-model");
    EXPECT_EQ(opts.max_trials, 4);
    EXPECT_EQ(opts.depths, (std::vector<double>{10, 90}));
    t.options = {{"protocol", 5}};
    hace::test::expect_input_error([&] { hiv_task_options(t, data); },
                                   {"tasks[2].options.protocol: expected a string, got integer"});
    t.options = {{"max_trials", "many"}};
    hace::test::expect_input_error(
        [&] { hiv_task_options(t, data); },
        {"tasks[2].options.max_trials: expected an integer, got string"});
    t.options = {{"depths", {10, "middle"}}};
    hace::test::expect_input_error([&] { hiv_task_options(t, data); },
                                   {"tasks[2].options.depths[1]: expected a number, got string"});
}

TEST(PlanSweep, FoldsTheHivTaskIntoOneCellPerModel) {
    json j = needle_sweep({"full", "snapkv"}, {0.1, 0.3}, 2);
    j["context_lengths"] = {256, 512};
    j["tasks"] = {"needle", {{"id", "hiv"}, {"options", {{"protocol", "needle-model"}}}}};
    const SweepPlan plan = plan_sweep(parse_spec(j), engine_validation_context());
    // Per context: full + 2 snapkv = 3 method cells x 2 tasks; HIV folded: 2 x 3 needle + 1.
    ASSERT_EQ(plan.cells.size(), 7u);
    std::size_t hiv = 0;
    std::set<std::string> hashes;
    for (const auto& c : plan.cells) {
        hashes.insert(c.hash);
        if (!is_hiv_cell(c)) continue;
        ++hiv;
        EXPECT_EQ(c.samples, 1);
        EXPECT_TRUE(c.config["context_length"].is_null());
        EXPECT_TRUE(c.config["retention"].is_null());
        EXPECT_TRUE(c.config["method"].is_null());
        EXPECT_EQ(c.config["task"]["options"]["protocol"], "needle-model");
    }
    EXPECT_EQ(hiv, 1u);
    EXPECT_EQ(hashes.size(), plan.cells.size());
    // The HIV cell's key does not depend on the sweep's other axes.
    j["context_lengths"] = {512};
    j["methods"] = {"full"};
    const SweepPlan other = plan_sweep(parse_spec(j), engine_validation_context());
    std::string a, b;
    for (const auto& c : plan.cells) a = is_hiv_cell(c) ? c.hash : a;
    for (const auto& c : other.cells) b = is_hiv_cell(c) ? c.hash : b;
    EXPECT_EQ(a, b);
}

TEST(PlanSweep, EstimatesAtTheRunsBatchSizeAndResolvesAuto) {
    json j = needle_sweep({"full", "snapkv"}, {0.1}, 3);
    const SweepSpec spec = parse_spec(j);
    const ValidationContext ctx = engine_validation_context();
    const SweepPlan one = plan_sweep(spec, ctx);
    EXPECT_EQ(one.batch_size, 1);
    EXPECT_FALSE(one.batch_size_auto);
    const SweepPlan four = plan_sweep(spec, ctx, std::nullopt, BatchRequest{4, false});
    EXPECT_EQ(four.batch_size, 4);
    ASSERT_EQ(four.cells.size(), one.cells.size());
    for (std::size_t i = 0; i < one.cells.size(); ++i) {
        const CellEstimate& a = one.cells[i].estimate;
        const CellEstimate& b = four.cells[i].estimate;
        // Three more sequences each hold a cache of their own and a row of fp32 logits; the
        // weights and the one prompt's transient K/V are not multiplied.
        const double vocab = double(one.cells[i].model.vocab);
        if (one.cells[i].retention) {
            EXPECT_NEAR(double(b.kv_peak_bytes - a.kv_peak_bytes), 3.0 * double(a.kv_bytes), 2.0);
        } else {
            EXPECT_NEAR(double(b.kv_peak_bytes), 4.0 * double(a.kv_peak_bytes), 4.0);
        }
        EXPECT_NEAR(double(b.activation_bytes - a.activation_bytes), 3.0 * 4.0 * vocab, 2.0);
        EXPECT_EQ(b.weights_bytes, a.weights_bytes);
    }
    EXPECT_EQ(plan_json(four)["batch_size"], 4);
    EXPECT_THAT(plan_text(four), HasSubstr("batch size 4\n"));

    // "auto" with a probe whose memory holds B = 2 but not 3 (3 samples would allow 3).
    std::vector<CellShape> shapes;
    for (const auto& c : one.cells) shapes.push_back(*c.shape);
    const auto p2 = largest_peak_at(shapes, 2, one.cost);
    const auto p3 = largest_peak_at(shapes, 3, one.cost);
    ASSERT_LT(p2, p3);
    const auto available = static_cast<std::int64_t>(double(p2 + p3) / 2.0 / 0.8);
    SweepPlan aut = one;
    std::vector<std::string> asked;
    apply_batch_request(aut, {1, true}, [&](const std::string& device) {
        asked.push_back(device);
        return available;
    });
    EXPECT_EQ(asked, std::vector<std::string>{"cpu"});
    EXPECT_EQ(aut.batch_size, 2);
    EXPECT_TRUE(aut.batch_size_auto);
    EXPECT_EQ(plan_json(aut)["available_bytes"], available);
    EXPECT_TRUE(plan_json(aut)["batch_size_auto"].get<bool>());
    EXPECT_THAT(plan_text(aut), HasSubstr("batch size 2 (auto: "));
    EXPECT_THAT(plan_text(aut), HasSubstr("20% kept free"));
    EXPECT_EQ(aut.max_peak_bytes(), p2);

    // The spec's "auto" on this host: the tiny model fits, so the 3 samples cap B. An explicit
    // request wins over the spec's auto.
    j["batch_size"] = "auto";
    const SweepPlan host = plan_sweep(parse_spec(j), ctx);
    EXPECT_TRUE(host.batch_size_auto);
    EXPECT_EQ(host.batch_size, 3);
    EXPECT_GT(host.auto_available_bytes, 0);
    const SweepPlan fixed = plan_sweep(parse_spec(j), ctx, std::nullopt, BatchRequest{5, false});
    EXPECT_FALSE(fixed.batch_size_auto);
    EXPECT_EQ(fixed.batch_size, 5);
}

TEST(RunBatchSize, ReadsMemAvailableFromMeminfo) {
    EXPECT_EQ(meminfo_available_bytes("MemTotal:       16000 kB\nMemFree:  10 kB\n"
                                      "MemAvailable:    1234 kB\nBuffers: 1 kB\n"),
              1234 * 1024);
    EXPECT_FALSE(meminfo_available_bytes("MemTotal: 16000 kB\n").has_value());
    EXPECT_FALSE(meminfo_available_bytes("MemAvailable: lots\n").has_value());
    EXPECT_GT(available_memory_bytes("cpu"), 0);
    // A GPU's free memory where there is one; otherwise a message naming the device (a build
    // without CUDA, or no device).
    try {
        EXPECT_GT(available_memory_bytes("cuda:0"), 0);
    } catch (const InputError& e) {
        EXPECT_THAT(e.what(), HasSubstr("cuda:0"));
    }
}

TEST(CellGroups, PartitionThePlanIntoContiguousGroups) {
    json j = needle_sweep({"full", "snapkv", "cake"}, {0.1, 0.2, 0.3}, 1);  // 7 cells
    const SweepSpec spec = parse_spec(j);
    const SweepPlan all = plan_sweep(spec, engine_validation_context());
    ASSERT_EQ(all.cells.size(), 7u);
    const std::int64_t n = group_count(7, 3);
    EXPECT_EQ(n, 3);
    std::vector<std::string> joined;
    for (std::int64_t i = 0; i < n; ++i) {
        const auto part = plan_sweep(spec, engine_validation_context(), CellGroup{i, n});
        EXPECT_LE(part.cells.size(), 3u);
        for (const auto& c : part.cells) joined.push_back(c.hash);
    }
    ASSERT_EQ(joined.size(), all.cells.size());
    for (std::size_t i = 0; i < joined.size(); ++i) EXPECT_EQ(joined[i], all.cells[i].hash);
    EXPECT_EQ(parse_cell_group("2/5").index, 2);
    EXPECT_EQ(parse_cell_group("2/5").count, 5);
    for (const char* bad : {"5/5", "-1/3", "1", "a/b", "1/0", "1/3x"}) {
        hace::test::expect_input_error([&] { parse_cell_group(bad); }, {"--cell-group"});
    }
    EXPECT_EQ(group_count(0, 4), 1);
    EXPECT_EQ(group_count(8, 4), 2);
}

}  // namespace
}  // namespace hace::runner::test
