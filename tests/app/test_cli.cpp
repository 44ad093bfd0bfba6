// The `hace` command-line contract (DESIGN.md section 5): fields, exit codes, error lines.
#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.h"
#include "tests/support/safetensors_edit.h"
#include "tests/support/test_data.h"

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct Run {
    int code = -1;
    std::string out, err;
    nlohmann::json json() const { return nlohmann::json::parse(out); }
};

Run run_hace(const std::vector<std::string>& args) {
    const auto r = hace::test::run_program(HACE_CLI_PATH, args);
    return {r.code, r.out, r.err};
}

std::filesystem::path model_dir(const std::string& name) {
    return hace::test::source_dir() / "resources/models" / name;
}

// Text prompts need a sentencepiece backend (the native one where the module is left out).
bool sentencepiece_available() {
    static const bool ok =
        run_hace({"tokenize", "--tokenizer", model_dir("stories260K").string(), "--text", "a"})
            .code == 0;
    return ok;
}

#define REQUIRE_SENTENCEPIECE()                                                     \
    do {                                                                            \
        if (!sentencepiece_available()) GTEST_SKIP() << "no sentencepiece backend"; \
    } while (0)

// A bad-input run: exit code 2, exactly one stderr line that names the problem, no stdout.
void expect_bad_input(const Run& r, const std::vector<std::string>& words) {
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    for (const auto& w : words) EXPECT_THAT(r.err, HasSubstr(w));
}

TEST(CliInfo, DescribesTheBundledModel) {
    const auto r = run_hace({"info", model_dir("stories260K").string(), "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    for (const char* k : {"architecture", "family", "layers", "q_heads", "kv_heads", "head_dim",
                          "hidden", "vocab", "max_positions", "params", "dtype"}) {
        EXPECT_TRUE(j.contains(k)) << k;
    }
    EXPECT_EQ(j["layers"], 5);
    EXPECT_EQ(j["kv_heads"], 4);
    EXPECT_EQ(j["params"], 260032);
    EXPECT_EQ(j["dtype"], "f32");
}

TEST(CliGenerate, ReproducesTheGoldenThroughJson) {
    REQUIRE_SENTENCEPIECE();
    const auto dir = hace::test::shared_data() / "models/stories260K";
    HACE_REQUIRE_PATH(dir);
    std::ifstream in(dir / "golden.json");
    const auto golden = nlohmann::json::parse(in);
    const auto& c = golden["cases"][1];  // "Once upon a time"
    const auto logits_file = hace::test::temp_dir("cli-logits") / "logits.json";
    const auto r = run_hace({"generate", "--model", dir.string(), "--prompt",
                             c["prompt_text"].get<std::string>(), "--max-new-tokens", "40",
                             "--ignore-eos", "--json", "--logits-out", logits_file.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    EXPECT_EQ(j["prompt_tokens"], c["prompt_ids"].size());
    EXPECT_EQ(j["output_ids"], c["generated_ids"]);
    EXPECT_EQ(j["text"], c["generated_text"]);
    EXPECT_EQ(j["kv"]["kept_entries"], j["kv"]["full_entries"]);
    EXPECT_DOUBLE_EQ(j["kv"]["retention"].get<double>(), 1.0);
    // 5 layers x 4 KV heads x (5 prompt + 39 fed-back tokens) entries of 2 x 8 floats.
    EXPECT_EQ(j["kv"]["full_entries"], 5 * 4 * 44);
    EXPECT_EQ(j["kv"]["bytes"], 5 * 4 * 44 * 2 * 8 * 4);
    for (const char* k : {"prefill_ms", "decode_ms_per_token", "tokens_per_s"}) {
        EXPECT_GT(j["timings"][k].get<double>(), 0.0) << k;
    }
    EXPECT_GT(j["memory"]["peak_bytes"].get<double>(), 0.0);

    std::ifstream lin(logits_file);
    const auto logits = nlohmann::json::parse(lin);
    ASSERT_EQ(logits["steps"].size(), 40u);
    const auto& step0 = logits["steps"][0]["logits"];
    ASSERT_EQ(step0.size(), 512u);
    for (std::size_t i = 0; i < 512; ++i) {
        EXPECT_NEAR(step0[i].get<double>(), c["logits_step0_full"][i].get<double>(), 1e-4);
    }
}

TEST(CliGenerate, PromptIdsAndSeededSampling) {
    const auto m = model_dir("stories260K").string();
    const std::vector<std::string> base = {
        "generate",    "--model",       m,     "--prompt-ids", "1,403,407", "--max-new-tokens",
        "20",          "--temperature", "0.9", "--top-p",      "0.9",       "--json",
        "--ignore-eos"};
    auto with_seed = [&](const std::string& s) {
        auto a = base;
        a.insert(a.end(), {"--seed", s});
        return run_hace(a);
    };
    const auto a = with_seed("11"), b = with_seed("11"), c = with_seed("12");
    ASSERT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(a.json()["output_ids"], b.json()["output_ids"]);
    EXPECT_NE(a.json()["output_ids"], c.json()["output_ids"]);
    EXPECT_EQ(a.json()["output_ids"].size(), 20u);
}

TEST(CliTokenize, EncodesWithBos) {
    REQUIRE_SENTENCEPIECE();
    const auto r = run_hace({"tokenize", "--tokenizer", model_dir("stories260K").string(), "--text",
                             "Once upon a time", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.json()["ids"], nlohmann::json({1, 403, 407, 261, 378}));
    EXPECT_EQ(r.json()["tokens"][0], "<s>");
}

// --jsonl names the file and line of a bad line; plain output is one id line per text.
TEST(CliTokenize, JsonlLinesAndTheirErrors) {
    REQUIRE_SENTENCEPIECE();
    const auto dir = hace::test::temp_dir("cli-tokenize-jsonl");
    const auto write = [&](const std::string& name, const std::string& body) {
        std::ofstream(dir / name) << body;
        return (dir / name).string();
    };
    const auto tokenize = [&](const std::string& file) {
        return run_hace(
            {"tokenize", "--tokenizer", model_dir("stories260K").string(), "--jsonl", file});
    };
    const auto ok = tokenize(write("ok.jsonl", "\"Once upon a time\"\n\n{\"text\": \"a\"}\n"));
    ASSERT_EQ(ok.code, 0) << ok.err;
    EXPECT_EQ(ok.out, "1 403 407 261 378\n1 261\n");
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"\"fine\"\n{\"text\": 3}\n", ":2: \"text\" is not a string"},
        {"[1, 2]\n", ":1: expected a JSON string or an object"},
        {"{\"txt\": \"x\"}\n", ":1: the object has no \"text\" field"},
        {"\"unterminated\n", ":1: not valid JSON"},
    };
    for (std::size_t i = 0; i < bad.size(); ++i) {
        const auto file = write("bad" + std::to_string(i) + ".jsonl", bad[i].first);
        const auto r = tokenize(file);
        EXPECT_EQ(r.code, 2) << bad[i].first;
        EXPECT_THAT(r.err, HasSubstr(file + bad[i].second)) << r.err;
    }
    const auto missing = tokenize((dir / "nope.jsonl").string());
    EXPECT_EQ(missing.code, 2);
    EXPECT_THAT(missing.err, HasSubstr("nope.jsonl: cannot open file"));
}

TEST(CliBench, PrintsTheBenchmarkFields) {
    const auto r = run_hace({"bench", "--model", model_dir("stories260K").string(), "--context",
                             "64", "--new-tokens", "8", "--repeats", "1"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    for (const char* k :
         {"prefill_ms", "decode_ms_per_token", "tokens_per_s", "peak_bytes", "kv_bytes"}) {
        ASSERT_TRUE(j.contains(k)) << k;
        EXPECT_GT(j[k].get<double>(), 0.0) << k;
    }
    EXPECT_EQ(j["kv_bytes"], 5 * 4 * (64 + 7) * 2 * 8 * 4);
}

TEST(CliBench, BatchSizesGiveOneRowEach) {
    const auto r = run_hace({"bench", "--model", model_dir("stories260K").string(), "--context",
                             "32", "--new-tokens", "6", "--repeats", "1", "--batch-size", "1,3"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    ASSERT_TRUE(j.contains("batches"));
    ASSERT_EQ(j["batches"].size(), 2u);
    // One full cache: 5 layers x 4 KV heads x (32 + 6 - 1) positions x K,V x 8 dims x 4 bytes.
    const std::int64_t one = 5 * 4 * (32 + 6 - 1) * 2 * 8 * 4;
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& row = j["batches"][i];
        const int b = i == 0 ? 1 : 3;
        EXPECT_EQ(row["batch_size"], b);
        EXPECT_EQ(row["kv_bytes"], b * one);
        for (const char* k :
             {"decode_tokens_per_s", "decode_ms_per_step", "prefill_ms_per_sequence",
              "batch_wall_ms", "peak_bytes", "decode_speedup_vs_single"}) {
            ASSERT_TRUE(row.contains(k)) << k;
            EXPECT_GT(row[k].get<double>(), 0.0) << k;
        }
        EXPECT_DOUBLE_EQ(row["decode_ms_per_token_share"].get<double>(),
                         row["decode_ms_per_step"].get<double>() / b);
    }
    // Without the flag the output has no batch rows.
    const auto plain = run_hace({"bench", "--model", model_dir("stories260K").string(), "--context",
                                 "8", "--new-tokens", "2", "--repeats", "1"});
    ASSERT_EQ(plain.code, 0) << plain.err;
    EXPECT_FALSE(plain.json().contains("batches"));
    expect_bad_input(
        run_hace({"bench", "--model", model_dir("stories260K").string(), "--batch-size", "0"}),
        {"--batch-size"});
    expect_bad_input(
        run_hace({"bench", "--model", model_dir("stories260K").string(), "--batch-size", "2,x"}),
        {"batch-size"});
}

TEST(CliBadInput, UnknownFlagAndCommand) {
    expect_bad_input(run_hace({"generate", "--modle", "x"}), {"unknown flag --modle"});
    expect_bad_input(run_hace({"frobnicate"}), {"unknown command"});
    expect_bad_input(run_hace({"generate", "--model", model_dir("stories260K").string()}),
                     {"--prompt"});
}

TEST(CliBadInput, EmptyPromptAndTooLongPrompt) {
    REQUIRE_SENTENCEPIECE();
    const auto m = model_dir("stories260K").string();
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt", ""}), {"empty"});
    std::string ids = "1";
    for (int i = 0; i < 600; ++i) ids += ",300";
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt-ids", ids}),
                     {"601 tokens", "max_position_embeddings = 512"});
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt-ids", "1,99999"}), {"99999"});
}

TEST(CliBadInput, BrokenModelFolders) {
    REQUIRE_SENTENCEPIECE();
    const auto src = model_dir("stories260K");
    const auto root = hace::test::temp_dir("cli-bad");

    const auto no_cfg = root / "no-config";
    hace::test::copy_model_dir(src, no_cfg);
    std::filesystem::remove(no_cfg / "config.json");
    expect_bad_input(run_hace({"generate", "--model", no_cfg.string(), "--prompt", "Hi"}),
                     {"config.json", "missing"});

    const auto corrupt = root / "corrupt-config";
    hace::test::copy_model_dir(src, corrupt);
    std::ofstream(corrupt / "config.json") << "{ this is not json";
    expect_bad_input(run_hace({"info", corrupt.string()}), {"config.json", "malformed JSON"});

    const auto arch = root / "unknown-arch";
    hace::test::copy_model_dir(src, arch);
    std::ofstream(arch / "config.json") << R"({"architectures": ["BertModel"]})";
    expect_bad_input(run_hace({"info", arch.string()}), {"config.json", "BertModel"});

    const auto trunc = root / "truncated";
    hace::test::copy_model_dir(src, trunc);
    std::filesystem::resize_file(trunc / "model.safetensors", 5000);
    expect_bad_input(run_hace({"generate", "--model", trunc.string(), "--prompt", "Hi"}),
                     {"model.safetensors"});

    const auto offsets = root / "offsets";
    hace::test::copy_model_dir(src, offsets);
    auto parts = hace::test::read_safetensors(offsets / "model.safetensors");
    parts.header["model.norm.weight"]["data_offsets"] = {0, 1u << 30};
    hace::test::write_safetensors(offsets / "model.safetensors", parts);
    expect_bad_input(run_hace({"info", offsets.string()}),
                     {"model.safetensors", "model.norm.weight"});

    const auto missing = root / "missing-tensor";
    hace::test::copy_model_dir(src, missing);
    parts = hace::test::read_safetensors(missing / "model.safetensors");
    parts.header.erase("model.layers.4.self_attn.k_proj.weight");
    hace::test::write_safetensors(missing / "model.safetensors", parts);
    expect_bad_input(run_hace({"generate", "--model", missing.string(), "--prompt", "Hi"}),
                     {"model.layers.4.self_attn.k_proj.weight", "missing"});

    const auto shape = root / "wrong-shape";
    hace::test::copy_model_dir(src, shape);
    parts = hace::test::read_safetensors(shape / "model.safetensors");
    parts.header["model.norm.weight"]["shape"] = {32, 2};
    hace::test::write_safetensors(shape / "model.safetensors", parts);
    expect_bad_input(run_hace({"generate", "--model", shape.string(), "--prompt", "Hi"}),
                     {"model.norm.weight", "[64]", "[32, 2]"});

    const auto big_vocab = root / "big-vocab";
    hace::test::copy_model_dir(src, big_vocab);
    const auto llama2 = hace::test::shared_data() / "tokenizers/llama2/tokenizer.model";
    if (std::filesystem::exists(llama2)) {
        std::filesystem::copy_file(llama2, big_vocab / "tokenizer.model",
                                   std::filesystem::copy_options::overwrite_existing);
        expect_bad_input(run_hace({"generate", "--model", big_vocab.string(), "--prompt", "Hi"}),
                         {"tokenizer vocabulary (32000 ids)", "vocab_size (512)"});
    }

    const auto pickle = root / "pickle";
    hace::test::copy_model_dir(src, pickle);
    std::filesystem::remove(pickle / "model.safetensors");
    std::ofstream(pickle / "pytorch_model.bin") << "not a real checkpoint";
    expect_bad_input(run_hace({"generate", "--model", pickle.string(), "--prompt", "Hi"}),
                     {"pytorch_model.bin", "pickle"});
}

TEST(CliBadInput, NoCrashOnGarbageNumbers) {
    REQUIRE_SENTENCEPIECE();
    const auto m = model_dir("stories260K").string();
    expect_bad_input(
        run_hace({"generate", "--model", m, "--prompt", "x", "--max-new-tokens", "ten"}),
        {"--max-new-tokens"});
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt", "x", "--top-p", "2"}),
                     {"top-p"});
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt", "x", "--dtype", "f8"}),
                     {"--dtype"});
    expect_bad_input(run_hace({"bench", "--shape", "nope", "--random-weights"}), {"unknown shape"});
}

}  // namespace

namespace {

std::string needle_prompt_ids(int which) {
    std::ifstream in(hace::test::shared_data() / "models/needle-llama-1m/golden.json");
    const auto g = nlohmann::json::parse(in);
    std::string ids;
    for (const auto& id : g["cases"][which]["prompt_ids"]) {
        if (!ids.empty()) ids += ",";
        ids += std::to_string(id.get<int>());
    }
    return ids;
}

// A HeadKV-format score file for the needle model (4 layers x 8 query heads), unequal scores.
std::filesystem::path needle_head_scores() {
    const auto file = hace::test::temp_dir("cli-scores") / "scores.json";
    nlohmann::json j = nlohmann::json::object();
    for (int l = 0; l < 4; ++l) {
        for (int h = 0; h < 8; ++h) {
            j[std::to_string(l) + "-" + std::to_string(h)] = {0.01 * (l + 1) * (h + 1), 0.02};
        }
    }
    std::ofstream(file) << j.dump();
    return file;
}

}  // namespace

TEST(CliCompress, DumpFollowsTheDesignContract) {
    HACE_REQUIRE_PATH(hace::test::shared_data() / "models/needle-llama-1m");
    const auto dump = hace::test::temp_dir("cli-dump") / "dump.json";
    const auto r =
        run_hace({"compress", "--model", model_dir("needle-llama-1m").string(), "--prompt-ids",
                  needle_prompt_ids(2), "--method", "hace", "--retention", "0.05", "--head-scores",
                  needle_head_scores().string(), "--dump", dump.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    std::ifstream in(dump);
    const auto d = nlohmann::json::parse(in);
    for (const char* k : {"method", "mode", "model", "prompt_tokens", "capacity", "window",
                          "window_keep", "retention_nominal", "retention", "params", "layers"}) {
        EXPECT_TRUE(d.contains(k)) << k;
    }
    EXPECT_EQ(d["method"], "hace");
    EXPECT_EQ(d["mode"], "equal");
    EXPECT_EQ(d["prompt_tokens"], 900);
    EXPECT_EQ(d["capacity"], 45);     // round(0.05 * 900)
    EXPECT_EQ(d["window_keep"], 22);  // min(32, 45 / 2)
    ASSERT_EQ(d["layers"].size(), 4u);
    std::int64_t kept = 0, budget = 0;
    for (const auto& L : d["layers"]) {
        EXPECT_TRUE(L["preference"].is_number());
        std::int64_t layer_budget = 0;
        ASSERT_EQ(L["heads"].size(), 2u);
        for (const auto& h : L["heads"]) {
            layer_budget += h["budget"].get<std::int64_t>();
            const auto pos = h["kept"].get<std::vector<std::int64_t>>();
            EXPECT_TRUE(std::is_sorted(pos.begin(), pos.end()));
            EXPECT_EQ(static_cast<std::int64_t>(pos.size()), h["budget"].get<std::int64_t>() + 22);
            kept += static_cast<std::int64_t>(pos.size());
        }
        EXPECT_EQ(L["budget"], layer_budget);
        budget += layer_budget;
    }
    EXPECT_LE(budget, 4 * 2 * (45 - 22));
    EXPECT_NEAR(d["retention"].get<double>(), kept / (4.0 * 2 * 900), 1e-12);
    EXPECT_EQ(d["params"]["selector"], "SEL-CAKE");
    EXPECT_EQ(d["params"]["head_rule"], "HEADKV_SPLIT");
}

TEST(CliGenerate, CompressedGenerationReportsKeptEntries) {
    REQUIRE_SENTENCEPIECE();  // checks the decoded text
    HACE_REQUIRE_PATH(hace::test::shared_data() / "models/needle-llama-1m");
    const auto r =
        run_hace({"generate", "--model", model_dir("needle-llama-1m").string(), "--prompt-ids",
                  needle_prompt_ids(2), "--method", "snapkv", "--retention", "0.05", "--selector",
                  "snap", "--max-new-tokens", "8", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = r.json();
    EXPECT_EQ(j["method"], "snapkv");
    EXPECT_THAT(j["text"].get<std::string>(), HasSubstr("39901"));
    EXPECT_LT(j["kv"]["kept_entries"].get<double>(), 0.1 * j["kv"]["full_entries"].get<double>());
    EXPECT_EQ(j["kv"]["bytes"], j["kv"]["kept_entries"].get<std::int64_t>() * 2 * 16 * 4);
    EXPECT_EQ(j["params"]["selector"], "SEL-SNAP");
}

TEST(CliBadInput, CompressionFlags) {
    REQUIRE_SENTENCEPIECE();
    const auto m = model_dir("needle-llama-1m").string();
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt", "x", "--method", "zip"}),
                     {"unknown method"});
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt", "x", "--method", "snapkv"}),
                     {"--retention", "--capacity"});
    expect_bad_input(run_hace({"compress", "--model", m, "--prompt", "x", "--method", "hace",
                               "--retention", "0.1"}),
                     {"--head-scores"});
    const auto official =
        hace::test::shared_data() /
        "head_scores/headkv/Mistral-7B-Instruct-v0.2_retrieval_reasoning_heads.json";
    if (std::filesystem::exists(official)) {
        expect_bad_input(run_hace({"compress", "--model", m, "--prompt", "x", "--method", "headkv",
                                   "--retention", "0.1", "--head-scores", official.string()}),
                         {"layers", "expected 4", "got 32"});
    }
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt", "x", "--method", "snapkv",
                               "--retention", "1.5"}),
                     {"retention"});
}

TEST(CliGenerate, ChatTemplateIsAppliedAndRecorded) {
    REQUIRE_SENTENCEPIECE();
    const auto m = model_dir("stories260K").string();
    const auto plain = run_hace(
        {"generate", "--model", m, "--prompt", "Hello", "--max-new-tokens", "2", "--json"});
    const auto chat = run_hace({"generate", "--model", m, "--prompt", "Hello", "--chat", "auto",
                                "--max-new-tokens", "2", "--json"});
    ASSERT_EQ(plain.code, 0) << plain.err;
    ASSERT_EQ(chat.code, 0) << chat.err;
    EXPECT_EQ(plain.json()["chat_template"], "none");
    EXPECT_EQ(chat.json()["chat_template"], "llama2");  // model_type llama
    // "[INST] Hello [/INST]" is longer than "Hello".
    EXPECT_GT(chat.json()["prompt_tokens"].get<int>(),
              plain.json()["prompt_tokens"].get<int>() + 4);
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt-ids", "1,2", "--chat", "auto"}),
                     {"--chat"});
    expect_bad_input(run_hace({"generate", "--model", m, "--prompt", "x", "--chat", "vicuna"}),
                     {"vicuna"});
}

TEST(CliCompress, FaithfulModeDumpsQueryHeads) {
    HACE_REQUIRE_PATH(hace::test::shared_data() / "models/needle-llama-1m");
    const auto dump = hace::test::temp_dir("cli-faithful") / "dump.json";
    const auto r = run_hace({"compress", "--model", model_dir("needle-llama-1m").string(),
                             "--prompt-ids", needle_prompt_ids(2), "--method", "snapkv", "--mode",
                             "faithful", "--retention", "0.05", "--dump", dump.string()});
    ASSERT_EQ(r.code, 0) << r.err;
    std::ifstream in(dump);
    const auto d = nlohmann::json::parse(in);
    EXPECT_EQ(d["mode"], "faithful");
    EXPECT_EQ(d["params"]["granularity"], "query_head");
    EXPECT_EQ(d["params"]["window"], 32);
    ASSERT_EQ(d["layers"][0]["heads"].size(), 8u);
    EXPECT_TRUE(d["layers"][0]["heads"][0].contains("q_head"));
    EXPECT_EQ(d["layers"][0]["heads"][0]["budget"], 45 - 32);
    if (sentencepiece_available()) {  // otherwise a warning line about the text precedes
        expect_bad_input(
            run_hace({"compress", "--model", model_dir("needle-llama-1m").string(), "--prompt-ids",
                      "1,2,3", "--method", "snapkv", "--mode", "exact", "--retention", "0.5"}),
            {"--mode"});
    }
}

// Every golden case of the three real checkpoints through `hace generate --json`.
TEST(CliGenerate, EveryGoldenCaseMatches) {
    for (const std::string folder : {"stories260K", "stories260K-bf16-tied", "needle-llama-1m"}) {
        const auto dir = hace::test::shared_data() / "models" / folder;
        if (!std::filesystem::exists(dir / "golden.json")) continue;
        std::ifstream in(dir / "golden.json");
        const auto golden = nlohmann::json::parse(in);
        for (const auto& c : golden["cases"]) {
            std::string ids;
            for (const auto& id : c["prompt_ids"]) {
                if (!ids.empty()) ids.push_back(',');
                ids.append(std::to_string(id.get<int>()));
            }
            const auto r = run_hace({"generate", "--model", dir.string(), "--prompt-ids", ids,
                                     "--max-new-tokens", std::to_string(c["generated_ids"].size()),
                                     "--ignore-eos", "--json"});
            ASSERT_EQ(r.code, 0) << folder << ": " << r.err;
            EXPECT_EQ(r.json()["output_ids"], c["generated_ids"]) << folder << " " << c["name"];
        }
    }
}

// Every reference encoding through `hace tokenize --jsonl --json` (no BOS): one process per
// tokenizer, one output line per case, in order.
class CliTokenizeReference : public ::testing::TestWithParam<std::string> {};

TEST_P(CliTokenizeReference, EveryCaseMatches) {
    const auto dir = hace::test::shared_data() / "tokenizers" / GetParam();
    HACE_REQUIRE_PATH(dir / "encodings.json");
    if (std::filesystem::exists(dir / "tokenizer.model")) REQUIRE_SENTENCEPIECE();
    std::ifstream in(dir / "encodings.json");
    const auto enc = nlohmann::json::parse(in);
    const auto input = hace::test::temp_dir("cli-tokenize-" + GetParam()) / "cases.jsonl";
    std::vector<nlohmann::json> expected;
    {
        std::ofstream lines(input);
        for (const auto& c : enc["cases"]) {
            // Alternate the two line forms the flag accepts.
            if (expected.size() % 2 == 0) {
                lines << c["text"].dump() << "\n";
            } else {
                lines << nlohmann::json{{"text", c["text"]}, {"id", expected.size()}}.dump()
                      << "\n";
            }
            expected.push_back(c);
        }
    }
    ASSERT_GT(expected.size(), 10u);
    const auto r = run_hace({"tokenize", "--tokenizer", dir.string(), "--jsonl", input.string(),
                             "--no-special", "--json"});
    ASSERT_EQ(r.code, 0) << GetParam() << ": " << r.err;
    std::istringstream out(r.out);
    std::string line;
    std::size_t i = 0;
    for (; std::getline(out, line); ++i) {
        ASSERT_LT(i, expected.size()) << GetParam() << ": more output lines than cases";
        const auto got = nlohmann::json::parse(line);
        EXPECT_EQ(got["ids"], expected[i]["ids"]) << GetParam() << ": " << expected[i]["text"];
        EXPECT_EQ(got["count"], expected[i]["ids"].size());
    }
    EXPECT_EQ(i, expected.size()) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Tokenizers, CliTokenizeReference,
                         ::testing::Values("llama2", "mistral-v0.1", "mistral-v0.3", "gpt2", "opt",
                                           "qwen3"),
                         [](const auto& info) {
                             std::string s = info.param;
                             for (auto& ch : s) {
                                 if (ch == '-' || ch == '.') ch = '_';
                             }
                             return s;
                         });
