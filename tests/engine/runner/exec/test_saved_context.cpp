// The engine's ValidationContext saved as JSON (engine/runner/validation_context_json.h) for the
// torch-free sweep fuzzer: tests/fuzz/engine_validation_context.json must be what the engine
// says now, and the JSON must read back to the same tables.
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "engine/core/json_io.h"
#include "engine/runner/exec/engine_context.h"
#include "engine/runner/validation_context_json.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner::test {
namespace {

using nlohmann::json;

// Regenerates the saved file in place (then skips) instead of comparing with it.
constexpr const char* kRegenerate =
    "HACE_WRITE_SAVED_CONTEXT=1 build-tests/tests/engine/runner/exec/test_exec_units "
    "--gtest_filter='SavedContext.*'";

TEST(SavedContext, FuzzerCopyIsTheEnginesContext) {
    const auto saved = hace::test::source_dir() / "tests/fuzz/engine_validation_context.json";
    const json now = validation_context_json(engine_validation_context());
    if (std::getenv("HACE_WRITE_SAVED_CONTEXT")) {
        std::ofstream(saved) << now.dump(1) << "\n";
        GTEST_SKIP() << "written: " << saved;
    }
    const json changes = json::diff(read_json_file(saved), now);
    EXPECT_TRUE(changes.empty())
        << saved << " differs from engine_validation_context() (a method, parameter or task "
        << "changed): " << changes.dump() << "\nRegenerate it with " << kRegenerate;
}

TEST(SavedContext, ReadsBackToTheSameTables) {
    const ValidationContext engine = engine_validation_context();
    const ValidationContext back =
        validation_context_from_json(validation_context_json(engine), "ctx.json");
    ASSERT_EQ(back.methods.size(), engine.methods.size());
    for (std::size_t i = 0; i < engine.methods.size(); ++i) {
        EXPECT_EQ(back.methods[i].id, engine.methods[i].id);
        EXPECT_EQ(back.methods[i].compresses, engine.methods[i].compresses);
        EXPECT_EQ(back.methods[i].needs_head_scores, engine.methods[i].needs_head_scores);
        EXPECT_EQ(back.methods[i].default_params, engine.methods[i].default_params);
    }
    ASSERT_EQ(back.method_params.size(), engine.method_params.size());
    for (const auto& [method, params] : engine.method_params) {
        const auto* got = back.params_of(method);
        ASSERT_NE(got, nullptr) << method;
        ASSERT_EQ(got->size(), params.size()) << method;
        for (std::size_t i = 0; i < params.size(); ++i) {
            const ParamInfo& a = params[i];
            const ParamInfo& b = (*got)[i];
            EXPECT_EQ(b.key, a.key);
            EXPECT_EQ(b.rule.type, a.rule.type) << a.key;
            EXPECT_EQ(b.rule.min, a.rule.min) << a.key;
            EXPECT_EQ(b.rule.max, a.rule.max) << a.key;
            EXPECT_EQ(b.default_value, a.default_value) << a.key;
            EXPECT_EQ(b.default_meaning, a.default_meaning) << a.key;
            EXPECT_EQ(b.choices, a.choices) << a.key;
            EXPECT_EQ(b.help, a.help) << a.key;
            EXPECT_EQ(b.mode, a.mode) << a.key;
            EXPECT_EQ(b.defaulted, a.defaulted) << a.key;
        }
    }
    ASSERT_EQ(back.tasks.size(), engine.tasks.size());
    for (std::size_t i = 0; i < engine.tasks.size(); ++i) {
        EXPECT_EQ(back.tasks[i].id, engine.tasks[i].id);
        EXPECT_EQ(back.tasks[i].data_key, engine.tasks[i].data_key);
        EXPECT_EQ(back.tasks[i].data_file, engine.tasks[i].data_file);
        EXPECT_EQ(back.tasks[i].max_new_tokens, engine.tasks[i].max_new_tokens);
        EXPECT_FALSE(back.tasks[i].check_options) << "functions are not saved";
    }
    EXPECT_FALSE(back.describe_model);
}

TEST(SavedContext, MalformedFilesNameTheSourceAndThePlace) {
    json j = validation_context_json(engine_validation_context());
    j["format"] = "hace-validation-context/0";
    hace::test::expect_input_error([&] { validation_context_from_json(j, "ctx.json"); },
                                   {"ctx.json: format", "hace-validation-context/1"});
    j = validation_context_json(engine_validation_context());
    j["tasks"][1].erase("data_key");
    hace::test::expect_input_error([&] { validation_context_from_json(j, "ctx.json"); },
                                   {"ctx.json: tasks[1]", "missing key \"data_key\""});
    j = validation_context_json(engine_validation_context());
    j["method_params"]["snapkv"][0]["type"] = "matrix";
    hace::test::expect_input_error([&] { validation_context_from_json(j, "ctx.json"); },
                                   {"ctx.json: method_params.snapkv[0].type", "\"matrix\""});
    j = validation_context_json(engine_validation_context());
    j["methods"][0]["compresses"] = "yes";
    hace::test::expect_input_error([&] { validation_context_from_json(j, "ctx.json"); },
                                   {"ctx.json: methods[0].compresses", "expected true or false"});
}

}  // namespace
}  // namespace hace::runner::test
