// The one parameter schema (engine/kv/method_params.h) as sweeps see it: null is the method's
// default and names the same cell as the default spelled out; types and ranges are problems with
// their JSON path; a scorer's parameters are accepted by every lattice method; the defaults of
// the methods that existed before the schema are unchanged (cell keys of old databases stay).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/kv/method_params.h"
#include "engine/kv/methods.h"
#include "engine/model/model_config.h"
#include "engine/runner/exec/engine_context.h"
#include "engine/runner/exec/execution_plan.h"
#include "engine/runner/exec/method_config.h"
#include "tests/engine/runner/exec/exec_fixtures.h"
#include "tests/support/expect_input_error.h"

namespace hace::runner::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(MethodSchema, DefaultsOfTheStudysMethodsAreThoseOfEarlierCellKeys) {
    // Written out by hand from the defaults before the schema: a change here re-runs old cells.
    const json kivi = {{"kv_bits", 0}, {"kivi_group", 32}, {"kivi_residual", 128}};
    json streaming = kivi;
    streaming["decode_eviction"] = true;
    streaming["sinks"] = 4;
    json h2o = kivi;
    h2o["decode_eviction"] = true;
    h2o["window"] = 0;
    h2o["recent"] = -1;
    json snap = kivi;
    snap.update({{"decode_eviction", true},
                 {"window", 0},
                 {"selector", ""},
                 {"pool", 0},
                 {"gamma", 200.0}});
    json hace = snap;
    hace.update({{"tau1", 0.0}, {"tau2", 0.0}, {"headkv_beta", 1.01}, {"head_temperature", 1.0}});
    json ada = snap;
    ada.update({{"ada_alpha", 0.2}, {"ada_normalize", false}});
    json pyramid = snap;
    pyramid["pyramid_beta"] = 20.0;
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("full")), json::object());
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("kivi")), kivi);
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("streamingllm")), streaming);
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("h2o")), h2o);
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("snapkv")), snap);
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("hace")), hace);
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("adakv")), ada);
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("pyramidkv")), pyramid);
    // The scorer methods add their own scorer's parameters.
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("random"))["scorer_seed"], 0);
    EXPECT_EQ(kv::method_default_params(kv::method_by_id("expected-attention"))["sinks"], 4);
    EXPECT_FALSE(kv::method_default_params(kv::method_by_id("hace")).contains("scorer_seed"));
}

TEST(MethodSchema, EveryDefaultFitsItsOwnRule) {
    for (const auto& p : kv::param_specs()) {
        EXPECT_EQ(check_param_value(p.key, p.rule, p.default_value), "") << p.key;
        EXPECT_FALSE(p.help.empty()) << p.key;
        EXPECT_TRUE(p.mode == "both" || p.mode == "equal" || p.mode == "faithful") << p.key;
    }
}

TEST(MethodSchema, NullIsTheMethodsDefaultAndTheSameCell) {
    const json spelled = needle_sweep({{{"id", "hace"}, {"params", {{"window", 0}}}}}, {0.1}, 1);
    const json null = needle_sweep({{{"id", "hace"}, {"params", {{"window", nullptr}}}}}, {0.1}, 1);
    const auto a = plan_sweep(parse_spec(spelled), engine_validation_context());
    const auto b = plan_sweep(parse_spec(null), engine_validation_context());
    ASSERT_EQ(a.cells.size(), b.cells.size());
    for (std::size_t i = 0; i < a.cells.size(); ++i) EXPECT_EQ(a.cells[i].hash, b.cells[i].hash);
}

TEST(MethodSchema, ScorerParametersWorkUnderAnyLatticeMethod) {
    const json j = needle_sweep(
        {{{"id", "pyramidkv"}, {"params", {{"selector", "random"}, {"scorer_seed", 7}}}},
         {{"id", "hace"}, {"params", {{"selector", "expected-attention"}, {"sinks", 2}}}}},
        {0.1}, 1);
    const auto plan = plan_sweep(parse_spec(j), engine_validation_context());
    ASSERT_FALSE(plan.cells.empty());
    const auto model = model::load_model_config(needle_model());
    HeadScoreCache scores;
    MethodSetup s;
    s.method = "pyramidkv";
    s.retention = 0.1;
    s.params = {{"selector", "random"}, {"scorer_seed", 7}, {"window", 16}};
    const auto cfg = compression_config_for(s, model, scores);
    EXPECT_EQ(cfg.selector.scorer, "random");
    EXPECT_EQ(cfg.selector.window, 16);  // applied after the selector it adjusts
    EXPECT_EQ(cfg.seed, 7u);
    EXPECT_EQ(cfg.params()["scorer_seed"], 7);
    EXPECT_EQ(cfg.params()["selector"], "RANDOM");
}

TEST(MethodSchema, TypesRangesAndUnknownScorersAreProblemsWithTheirPath) {
    json j = needle_sweep({{{"id", "adakv"}, {"params", {{"ada_alpha", 1.5}}}},
                           {{"id", "snapkv"}, {"params", {{"selector", "knorn"}}}},
                           {{"id", "h2o"}, {"params", {{"recent", -2}}}},
                           {{"id", "streamingllm"}, {"params", {{"scorer_seed", 1}}}}},
                          {0.1}, 1);
    hace::test::expect_input_error(
        [&] { plan_sweep(parse_spec(j), engine_validation_context()); },
        {"methods[0].params.ada_alpha: parameter ada_alpha must be <= 1, got 1.5",
         "methods[1].params.selector: unknown selector \"knorn\"",
         "methods[2].params.recent: parameter recent must be >= -1, got -2",
         "methods[3].params.scorer_seed: unknown parameter of method \"streamingllm\""});
}

}  // namespace
}  // namespace hace::runner::test
