// hace info MODEL_DIR: what a model folder holds, validated (config, weights, tokenizer).
#include <cstdio>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "engine/core/error.h"
#include "engine/model/model_config.h"
#include "engine/model/safetensors.h"
#include "engine/model/shapes.h"

namespace hace::cli {
namespace {

int run_info(const Args& args) {
    model::ModelConfig cfg;
    nlohmann::json j;
    if (auto shape = args.get("shape")) {
        cfg = model::shape_config(*shape);
        j["shape"] = *shape;
    } else {
        if (args.positional().size() != 1) {
            throw InputError("hace info: expected one model folder (or --shape NAME)");
        }
        const std::filesystem::path dir = args.positional()[0];
        cfg = model::load_model_config(dir);
        const auto store = model::WeightStore::open_dir(dir);
        std::int64_t stored = 0;
        for (const auto& name : store.names()) stored += store.find(name)->numel();
        j["model"] = dir.string();
        j["tensors"] = store.names().size();
        j["weight_file_bytes"] = store.total_bytes();
        j["stored_params"] = stored;
        j["tokenizer"] = nullptr;
        for (const char* f : {"tokenizer.model", "tokenizer.json", "vocab.json", "qwen.tiktoken"}) {
            if (std::filesystem::exists(dir / f)) {
                j["tokenizer"] = f;
                break;
            }
        }
    }
    j["architecture"] = cfg.architecture;
    j["family"] = cfg.family;
    j["layers"] = cfg.n_layers;
    j["q_heads"] = cfg.n_q_heads;
    j["kv_heads"] = cfg.n_kv_heads;
    j["head_dim"] = cfg.head_dim;
    j["hidden"] = cfg.hidden;
    j["intermediate"] = cfg.intermediate;
    j["vocab"] = cfg.vocab;
    j["max_positions"] = cfg.max_positions;
    j["params"] = cfg.param_count();
    j["position_encoding"] = cfg.position_encoding();
    j["dtype"] = std::string(dtype_run_name(cfg.checkpoint_dtype));
    j["rope_theta"] = cfg.rope_theta;
    j["rms_eps"] = cfg.rms_eps;
    j["tie_word_embeddings"] = cfg.tie_word_embeddings;
    j["bos_id"] = cfg.bos_id;
    j["eos_ids"] = cfg.eos_ids;
    if (args.has("json")) {
        print_json(j);
    } else {
        for (auto it = j.begin(); it != j.end(); ++it) {
            std::printf("%-18s %s\n", it.key().c_str(),
                        it->is_string() ? it->get<std::string>().c_str() : it->dump().c_str());
        }
    }
    return 0;
}

}  // namespace

Command info_command() {
    return {"info", "MODEL_DIR | --shape NAME [--json]",
            "describe a model folder (config, weights, tokenizer) or a built-in shape",
            {{"json", false, "print JSON"}, {"shape", true, "a built-in shape instead of a folder"}},
            &run_info};
}

}  // namespace hace::cli
