// Sweep spec parsing and validation (DESIGN.md section 6): each class of problem on its own,
// then many at once, all reported with their JSON paths. Models, data and head-score files are
// the real ones in the shared data folder.
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/runner/sweep_validate.h"
#include "tests/engine/runner/runner_test_context.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// A spec that passes: two real models, real LongBench and haystack data.
json good_spec() {
    return {{"name", "smoke"},
            {"models", {test::stories_model().string(), test::needle_model().string()}},
            {"context_lengths", {128, 256}},
            {"retentions", {0.1, 0.5}},
            {"methods", {"full", "snapkv"}},
            {"tasks", {"multifieldqa_zh", {{"id", "niah"}, {"options", {{"depths", {0.0, 0.5}}}}}}},
            {"samples_per_task", 3},
            {"data",
             {{"longbench", test::longbench_dir().string()},
              {"haystack", test::haystack_dir().string()}}}};
}

ValidationResult check(const json& j) {
    return validate(parse_sweep_spec(j, "/"), test::test_context());
}

// Every problem whose path is `path` and whose message holds `fragment`.
int count_problems(const ValidationResult& r, const std::string& path,
                   const std::string& fragment) {
    int n = 0;
    for (const auto& p : r.problems)
        n += p.path == path && p.message.find(fragment) != std::string::npos;
    return n;
}

std::string all_problems(const ValidationResult& r) {
    std::string s;
    for (const auto& p : r.problems) s += p.text() + "\n";
    return s;
}

#define EXPECT_PROBLEM(result, path, fragment) \
    EXPECT_EQ(count_problems(result, path, fragment), 1) << all_problems(result)

class SweepSpecTest : public ::testing::Test {
protected:
    void SetUp() override {
        HACE_REQUIRE_PATH(test::stories_model());
        HACE_REQUIRE_PATH(test::needle_model());
        HACE_REQUIRE_PATH(test::longbench_dir() / "multifieldqa_zh.jsonl");
        HACE_REQUIRE_PATH(test::haystack_dir());
        HACE_REQUIRE_PATH(test::head_score_file());
    }
};

TEST_F(SweepSpecTest, ValidSpecHasNoProblem) {
    const SweepSpec spec = parse_sweep_spec(good_spec(), "/");
    const ValidationResult r = validate(spec, test::test_context());
    EXPECT_TRUE(r.ok()) << all_problems(r);
    ASSERT_EQ(r.models.size(), 2u);
    ASSERT_TRUE(r.models[0].has_value());
    EXPECT_EQ(r.models[0]->name, "stories260K");
    EXPECT_EQ(r.models[0]->max_positions, 512);
    EXPECT_EQ(r.models[1]->layers, 4);
    EXPECT_EQ(spec.tasks[1].options["depths"].size(), 2u);
    EXPECT_EQ(spec.samples_per_task, 3);
    EXPECT_EQ(spec.dtype, "f32");
    EXPECT_NO_THROW(throw_if_invalid(spec, r));
}

TEST_F(SweepSpecTest, UnknownMethodNamesTheEntryAndTheKnownIds) {
    json j = good_spec();
    j["methods"] = {"full", "snapkv", "hace", "snapkvv"};
    j["head_scores"] = {{"stories260K", test::head_score_file().string()},
                        {"needle-llama-1m", test::head_score_file().string()}};
    const auto r = check(j);
    ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
    EXPECT_EQ(r.problems[0].text(),
              "methods[3]: unknown method \"snapkvv\" (known: full, snapkv, hace, headkv)");
}

TEST_F(SweepSpecTest, UnknownTaskAndBadTaskOptions) {
    json j = good_spec();
    j["tasks"] = {"narativeqa", {{"id", "niah"}, {"options", {{"depths", {0.5, 1.5}}}}}};
    const auto r = check(j);
    EXPECT_PROBLEM(r, "tasks[0]",
                   "unknown task \"narativeqa\" (known: narrativeqa, multifieldqa_zh, niah)");
    EXPECT_PROBLEM(r, "tasks[1].options", "depth 1.5 is outside [0, 1]");
    EXPECT_EQ(r.problems.size(), 2u) << all_problems(r);
}

TEST_F(SweepSpecTest, RetentionOutsideUnitInterval) {
    json j = good_spec();
    j["retentions"] = {0, 0.05, 1.5, -0.1, 1, "0.2"};
    const auto r = check(j);
    EXPECT_PROBLEM(r, "retentions[0]", "retention 0 is outside (0, 1]");
    EXPECT_PROBLEM(r, "retentions[2]", "retention 1.5 is outside (0, 1]");
    EXPECT_PROBLEM(r, "retentions[3]", "retention -0.1 is outside (0, 1]");
    EXPECT_PROBLEM(r, "retentions[5]", "expected a number, got string");
    EXPECT_EQ(r.problems.size(), 4u) << all_problems(r);
}

TEST_F(SweepSpecTest, ContextBeyondOpt13bPositions) {
    const fs::path dir = hace::test::temp_dir("runner-opt13b");
    json j = good_spec();
    j["models"] = {test::write_opt13b_model(dir).string()};
    j["context_lengths"] = {1024, 2048, 4096};
    j["tasks"] = {"multifieldqa_zh"};  // 64 new tokens
    const auto r = check(j);
    EXPECT_PROBLEM(
        r, "models[0]",
        "context length 4096 is longer than the model's positions (opt-13b, 2048 positions)");
    EXPECT_PROBLEM(r, "models[0]",
                   "context length 2048 plus 64 generated tokens is longer than the model's "
                   "positions (opt-13b, 2048 positions)");
    EXPECT_EQ(r.problems.size(), 2u) << all_problems(r);
}

TEST_F(SweepSpecTest, MaxNewTokensOverrideCountsAgainstPositions) {
    json j = good_spec();
    j["models"] = {test::stories_model().string()};  // 512 positions
    j["context_lengths"] = {480};
    j["tasks"] = {{{"id", "niah"}, {"max_new_tokens", 16}}};
    EXPECT_TRUE(check(j).ok()) << all_problems(check(j));
    j["decoding"] = {{"max_new_tokens", 64}};  // the entry's 16 still wins
    EXPECT_TRUE(check(j).ok());
    j["tasks"] = {"niah"};  // now decoding's 64: 480 + 64 > 512
    EXPECT_PROBLEM(check(j), "models[0]", "480 plus 64 generated tokens");
}

TEST_F(SweepSpecTest, MissingDataFolderFileAndKey) {
    json j = good_spec();
    j["tasks"] = {"narrativeqa", "niah"};
    j["data"] = {{"longbench", test::longbench_dir().string()}};
    auto r = check(j);
    // The shared LongBench folder really lacks narrativeqa.jsonl (see its README).
    EXPECT_PROBLEM(
        r, "tasks[0]",
        "data file not found: " + (test::longbench_dir() / "narrativeqa.jsonl").string());
    EXPECT_PROBLEM(r, "tasks[1]", "task \"niah\" reads data.haystack, which the spec does not set");
    EXPECT_EQ(r.problems.size(), 2u) << all_problems(r);

    j["data"] = {{"longbench", "/no/such/longbench"}, {"haystack", test::haystack_dir().string()}};
    j["tasks"] = {"narrativeqa", "multifieldqa_zh"};
    r = check(j);
    EXPECT_PROBLEM(r, "data.longbench", "folder not found: /no/such/longbench");
    EXPECT_EQ(r.problems.size(), 1u) << all_problems(r);  // one report for the folder
}

TEST_F(SweepSpecTest, HeadScoresNeededMissingOrUnmatched) {
    json j = good_spec();
    j["methods"] = {"full", "hace", "headkv"};
    j["models"] = {{{"dir", test::stories_model().string()},
                    {"head_scores", test::head_score_file().string()}},
                   test::needle_model().string()};
    auto r = check(j);
    // stories260K has a file; needle-llama-1m lacks one for each of the two methods.
    EXPECT_PROBLEM(r, "models[1]", "method \"hace\" (methods[1]) needs a head-score file");
    EXPECT_PROBLEM(r, "models[1]", "method \"headkv\" (methods[2]) needs a head-score file");
    EXPECT_EQ(r.problems.size(), 2u) << all_problems(r);

    j["head_scores"] = {{"needle-llama-1m", "/no/such/scores.json"}, {"llama-7b", "x.json"}};
    r = check(j);
    EXPECT_PROBLEM(r, "head_scores.needle-llama-1m",
                   "head-score file not found: /no/such/scores.json");
    EXPECT_PROBLEM(r, "head_scores.llama-7b", "matches no entry of models");
    EXPECT_EQ(r.problems.size(), 2u) << all_problems(r);

    j["head_scores"] = {{test::needle_model().string(), test::head_score_file().string()}};
    r = check(j);
    EXPECT_TRUE(r.ok()) << all_problems(r);
}

TEST_F(SweepSpecTest, DuplicateEntriesOfEveryList) {
    json j = good_spec();
    j["models"] = {test::stories_model().string(), test::stories_model().string() + "/."};
    j["context_lengths"] = {128, 256, 128};
    j["retentions"] = {0.1, 0.5, 0.1};
    j["methods"] = {"snapkv",
                    "full",
                    {{"id", "snapkv"}, {"name", "snap-32"}, {"params", {{"window", 32}}}},
                    "full"};
    j["tasks"] = {"niah", "multifieldqa_zh", "niah"};
    const auto r = check(j);
    EXPECT_PROBLEM(r, "models[1]", "duplicate of models[0]");
    EXPECT_PROBLEM(r, "context_lengths[2]", "duplicate of context_lengths[0] (128)");
    EXPECT_PROBLEM(r, "retentions[2]", "duplicate of retentions[0] (0.1)");
    EXPECT_PROBLEM(r, "methods[3]", "duplicate of methods[1] (\"full\"");
    // A different name with the default window is still the same method configuration.
    EXPECT_PROBLEM(r, "methods[2]", "duplicate of methods[0] (same method, mode and parameters)");
    EXPECT_PROBLEM(r, "tasks[2]",
                   "duplicate of tasks[0] (\"niah\" with the same options and query protocol)");
    EXPECT_EQ(r.problems.size(), 6u) << all_problems(r);
}

TEST_F(SweepSpecTest, SameModelNameInTwoFoldersCollides) {
    const fs::path dir = hace::test::temp_dir("runner-samename");
    fs::create_directories(dir / "a" / "stories260K");
    fs::copy_file(test::stories_model() / "config.json", dir / "a" / "stories260K" / "config.json");
    json j = good_spec();
    j["models"] = {test::stories_model().string(), (dir / "a" / "stories260K").string()};
    EXPECT_PROBLEM(check(j), "models[1]", "same model name \"stories260K\" as models[0]");
}

TEST_F(SweepSpecTest, MethodParametersAreChecked) {
    json j = good_spec();
    j["methods"] = {"full", {{"id", "snapkv"}, {"params", {{"windw", 16}, {"kernel", "7"}}}}};
    j["method_params"] = {
        {"snapkv", {{"window", 64}}}, {"snapkvv", {{"window", 1}}}, {"full", {{"window", 8}}}};
    const auto r = check(j);
    EXPECT_PROBLEM(r, "methods[1].params.windw",
                   "unknown parameter of method \"snapkv\" (known: kernel, window)");
    EXPECT_PROBLEM(r, "methods[1].params.kernel", "expected a number, got string");
    EXPECT_PROBLEM(r, "method_params.snapkvv", "unknown method \"snapkvv\"");
    EXPECT_PROBLEM(r, "method_params.full.window",
                   "unknown parameter of method \"full\" (known: none)");
    EXPECT_EQ(r.problems.size(), 4u) << all_problems(r);
}

TEST_F(SweepSpecTest, CompressingMethodNeedsRetentions) {
    json j = good_spec();
    j.erase("retentions");
    EXPECT_PROBLEM(check(j), "retentions", "methods[1] (snapkv) compresses the cache");
    j["methods"] = {"full"};
    EXPECT_TRUE(check(j).ok());
}

TEST_F(SweepSpecTest, BatchSizeIsAnIntegerFromOneTo256OrAuto) {
    EXPECT_EQ(parse_sweep_spec(good_spec(), "/").batch_size, 1);  // the default
    EXPECT_FALSE(parse_sweep_spec(good_spec(), "/").batch_size_auto);
    json j = good_spec();
    j["batch_size"] = 8;
    const SweepSpec spec = parse_sweep_spec(j, "/");
    EXPECT_TRUE(check(j).ok()) << all_problems(check(j));
    EXPECT_EQ(spec.batch_size, 8);
    EXPECT_FALSE(spec.batch_size_auto);
    j["batch_size"] = "auto";
    EXPECT_TRUE(check(j).ok()) << all_problems(check(j));
    EXPECT_TRUE(parse_sweep_spec(j, "/").batch_size_auto);
    const std::vector<std::pair<json, std::string>> bad = {
        {0, "must be >= 1, got 0"},
        {257, "must be <= 256, got 257"},
        {"AUTO", "expected an integer in 1..256 or \"auto\", got \"AUTO\""},
        {"8", "expected an integer in 1..256 or \"auto\", got \"8\""},
        {2.5, "expected an integer, got number"}};
    for (const auto& [value, message] : bad) {
        j["batch_size"] = value;
        const auto r = check(j);
        EXPECT_PROBLEM(r, "batch_size", message);
        EXPECT_EQ(r.problems.size(), 1u) << all_problems(r);
    }
}

TEST_F(SweepSpecTest, StructuralProblems) {
    json j = good_spec();
    j["retentons"] = {0.1};
    j["context_lengths"] = {4096.5, 0};
    j["samples_per_task"] = 0;
    j["dtype"] = "f8";
    j["device"] = "gpu";
    j["mode"] = "exact";
    j["decoding"] = {{"greedy", "yes"}, {"seed", -1}, {"top_p", 2.0}, {"beam", 4}};
    j["models"].push_back(42);
    j["tasks"].push_back({{"options", {}}});
    const auto r = check(j);
    EXPECT_PROBLEM(r, "retentons", "unknown key (known: ");
    EXPECT_PROBLEM(r, "context_lengths[0]", "expected an integer, got number");
    EXPECT_PROBLEM(r, "context_lengths[1]", "must be >= 1, got 0");
    EXPECT_PROBLEM(r, "samples_per_task", "must be >= 1, got 0");
    EXPECT_PROBLEM(r, "dtype", "unknown dtype \"f8\" (known: f32, f16, bf16)");
    EXPECT_PROBLEM(r, "device", "unknown device \"gpu\"");
    EXPECT_PROBLEM(r, "mode", "unknown mode \"exact\" (known: equal, faithful)");
    EXPECT_PROBLEM(r, "decoding.greedy", "expected true or false, got string");
    EXPECT_PROBLEM(r, "decoding.seed", "must be >= 0, got -1");
    EXPECT_PROBLEM(r, "decoding.top_p", "must be in (0, 1], got 2.0");
    EXPECT_PROBLEM(r, "decoding.beam", "unknown key");
    EXPECT_PROBLEM(r, "models[2]", "expected a string, got integer");
    EXPECT_PROBLEM(r, "tasks[2].id", "missing (required)");
    EXPECT_EQ(r.problems.size(), 13u) << all_problems(r);
}

TEST_F(SweepSpecTest, RequiredListsMissingOrEmpty) {
    const auto r = check(json{{"models", json::array()}, {"methods", "full"}});
    EXPECT_PROBLEM(r, "models", "empty (at least one entry is needed)");
    EXPECT_PROBLEM(r, "methods", "expected an array, got string");
    EXPECT_PROBLEM(r, "context_lengths", "missing (required)");
    EXPECT_PROBLEM(r, "tasks", "missing (required)");
    EXPECT_EQ(r.problems.size(), 4u) << all_problems(r);
    EXPECT_PROBLEM(check(json::array()), "(spec)", "expected a JSON object, got array");
}

TEST_F(SweepSpecTest, ModelFolderMissingOrWithoutConfig) {
    const fs::path empty = hace::test::temp_dir("runner-noconfig");
    json j = good_spec();
    j["models"] = {"/no/such/model", empty.string()};
    const auto r = check(j);
    EXPECT_PROBLEM(r, "models[0]", "model folder not found: /no/such/model");
    EXPECT_PROBLEM(r, "models[1]", "no config.json in");
    EXPECT_EQ(r.problems.size(), 2u) << all_problems(r);
}

// One spec with a problem of every class: all are reported, in one pass, in one message.
TEST_F(SweepSpecTest, EveryProblemAtOnce) {
    const fs::path dir = hace::test::temp_dir("runner-many");
    json j = good_spec();
    j["models"] = {test::write_opt13b_model(dir).string(), test::stories_model().string(),
                   test::stories_model().string()};
    j["context_lengths"] = {4096};
    j["retentions"] = {0.02, 2.0};
    j["methods"] = {"full", "snapkvv", "hace"};
    j["tasks"] = {"narrativeqa", "qasperr", "narrativeqa"};
    j["head_scores"] = {{"opt-13b", "/no/such/opt13b_heads.json"}};
    const SweepSpec spec = parse_sweep_spec(j, "/", "sweeps/bad.json");
    const auto r = validate(spec, test::test_context());
    EXPECT_PROBLEM(r, "models[2]", "duplicate of models[1]");
    EXPECT_PROBLEM(r, "retentions[1]", "retention 2.0 is outside (0, 1]");
    EXPECT_PROBLEM(r, "tasks[2]", "duplicate of tasks[0]");
    EXPECT_PROBLEM(r, "methods[1]", "unknown method \"snapkvv\"");
    EXPECT_PROBLEM(r, "tasks[1]", "unknown task \"qasperr\"");
    EXPECT_PROBLEM(r, "tasks[0]", "data file not found");
    EXPECT_PROBLEM(r, "head_scores.opt-13b", "head-score file not found");
    EXPECT_PROBLEM(r, "models[1]", "method \"hace\" (methods[2]) needs a head-score file");
    EXPECT_PROBLEM(r, "models[0]", "context length 4096 is longer than the model's positions");
    EXPECT_PROBLEM(r, "models[1]", "context length 4096 is longer than the model's positions");
    EXPECT_EQ(r.problems.size(), 10u) << all_problems(r);
    try {
        throw_if_invalid(spec, r);
        ADD_FAILURE() << "no InputError";
    } catch (const InputError& e) {
        const std::string msg = e.what();
        EXPECT_THAT(msg, HasSubstr("sweeps/bad.json: 10 problems: "));
        for (const auto& p : r.problems) EXPECT_THAT(msg, HasSubstr(p.text()));
        EXPECT_EQ(msg.find('\n'), std::string::npos);
    }
}

TEST_F(SweepSpecTest, LoadResolvesRelativePathsAgainstTheSpecFolder) {
    const fs::path dir = hace::test::temp_dir("runner-load");
    fs::create_directories(dir / "sweeps");
    test::write_opt13b_model(dir);
    const fs::path file = dir / "sweeps" / "s.json";
    std::ofstream(file) << R"({"models": ["../opt-13b"], "context_lengths": [1024],
        "methods": ["full"], "tasks": ["niah"], "data": {"haystack": "../hay"}})";
    const SweepSpec spec = load_sweep_spec(file);
    EXPECT_TRUE(spec.problems.empty());
    EXPECT_EQ(spec.name, "s");
    EXPECT_EQ(spec.source, file.string());
    ASSERT_EQ(spec.models.size(), 1u);
    EXPECT_EQ(spec.models[0].path, (dir / "opt-13b").lexically_normal());
    EXPECT_EQ(spec.data.at("haystack"), (dir / "hay").lexically_normal());
    const auto r = validate(spec, test::test_context());
    EXPECT_PROBLEM(r, "data.haystack",
                   "folder not found: " + (dir / "hay").lexically_normal().string());

    std::ofstream(dir / "broken.json") << R"({"models": [)";
    hace::test::expect_input_error([&] { (void)load_sweep_spec(dir / "broken.json"); },
                                   {"broken.json", "malformed JSON"});
    hace::test::expect_input_error([&] { (void)load_sweep_spec(dir / "absent.json"); },
                                   {"absent.json", "cannot open file"});
}

}  // namespace
}  // namespace hace::runner
