#include "tests/engine/runner/runner_test_context.h"

#include <fstream>

#include "engine/core/json_io.h"
#include "tests/support/test_data.h"

namespace hace::runner::test {

using nlohmann::json;
namespace fs = std::filesystem;

ValidationContext test_context() {
    ValidationContext ctx;
    ctx.methods = {
        {"full", false, false, json::object()},
        {"snapkv", true, false, {{"window", 32}, {"kernel", 7}}},
        {"hace", true, true, {{"beta", 1.01}, {"window", 32}}},
        {"headkv", true, true, {{"beta", 1.01}}},
    };
    TaskInfo niah{"niah", "haystack", "", 32, {}};
    niah.check_options = [](const json& options) {
        std::vector<std::string> problems;
        if (!options.contains("depths")) return problems;
        for (const auto& d : options["depths"]) {
            if (!d.is_number() || d.get<double>() < 0.0 || d.get<double>() > 1.0) {
                problems.push_back("depth " + d.dump() + " is outside [0, 1]");
            }
        }
        return problems;
    };
    ctx.tasks = {
        {"narrativeqa", "longbench", "narrativeqa.jsonl", 128, {}},
        {"multifieldqa_zh", "longbench", "multifieldqa_zh.jsonl", 64, {}},
        niah,
    };
    ctx.describe_model = describe_from_config;
    return ctx;
}

std::variant<ModelInfo, std::string> describe_from_config(const fs::path& dir) {
    const fs::path file = dir / "config.json";
    if (!fs::exists(file)) return "no config.json in " + dir.string();
    const json c = read_json_file(file);
    for (const char* key : {"hidden_size", "num_hidden_layers", "num_attention_heads",
                            "max_position_embeddings", "vocab_size"}) {
        if (!c.contains(key)) return file.string() + ": missing key " + key;
    }
    ModelInfo m;
    m.name = dir.filename().string();
    m.hidden = c["hidden_size"].get<std::int64_t>();
    m.layers = c["num_hidden_layers"].get<std::int64_t>();
    m.q_heads = c["num_attention_heads"].get<std::int64_t>();
    m.kv_heads = c.value("num_key_value_heads", m.q_heads);
    m.head_dim = c.value("head_dim", m.hidden / m.q_heads);
    m.max_positions = c["max_position_embeddings"].get<std::int64_t>();
    m.vocab = c["vocab_size"].get<std::int64_t>();
    return m;
}

fs::path write_opt13b_model(const fs::path& dir) {
    const fs::path model = dir / "opt-13b";
    fs::create_directories(model);
    std::ofstream(model / "config.json") << R"({"architectures":["OPTForCausalLM"],
        "model_type":"opt","hidden_size":5120,"ffn_dim":20480,"num_hidden_layers":40,
        "num_attention_heads":40,"vocab_size":50272,"max_position_embeddings":2048})";
    return model;
}

namespace {
fs::path data() {
    return hace::test::shared_data().lexically_normal();
}
}  // namespace

fs::path stories_model() {
    return data() / "models" / "stories260K";
}
fs::path needle_model() {
    return data() / "models" / "needle-llama-1m";
}
fs::path longbench_dir() {
    return data() / "longbench";
}
fs::path haystack_dir() {
    return data() / "haystack" / "paul_graham";
}
fs::path head_score_file() {
    return data() / "head_scores" / "headkv" / "Mistral-7B-Instruct-v0.2_retrieval_heads.json";
}

}  // namespace hace::runner::test
