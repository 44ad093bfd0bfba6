#include "engine/model/model_config.h"

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/model/config_reader.h"
#include "engine/model/family_registry.h"

namespace hace::model {

std::int64_t ModelConfig::param_count() const {
    const std::int64_t attn = hidden * n_q_heads * head_dim * 2 + hidden * n_kv_heads * head_dim * 2;
    const std::int64_t mlp = 3 * hidden * intermediate;
    const std::int64_t norms = 2 * hidden;
    std::int64_t total = n_layers * (attn + mlp + norms) + hidden + vocab * hidden;
    if (!tie_word_embeddings) total += vocab * hidden;
    return total;
}

ModelConfig parse_model_config(const nlohmann::json& j, const std::string& file) {
    if (!j.is_object()) throw_mismatch(file, "(top level)", "a JSON object", json_type_name(j));
    ConfigReader r(j, file);
    ModelConfig cfg;
    if (!r.has("architectures") || !j.at("architectures").is_array() ||
        j.at("architectures").empty() || !j.at("architectures")[0].is_string()) {
        r.fail("architectures", "a non-empty list of architecture names");
    }
    cfg.architecture = j.at("architectures")[0].get<std::string>();
    const FamilyRow* row = find_family(cfg.architecture);
    if (!row) {
        throw_mismatch(file, "architectures", "one of " + supported_architectures(),
                       "\"" + cfg.architecture + "\" (unknown architecture)");
    }
    cfg.family = std::string(row->family);
    cfg.model_type = r.string_or("model_type", "");
    cfg.source = file;
    cfg.raw = j;

    const std::string dt = r.string_or("torch_dtype", "float32");
    const auto parsed = dtype_from_run_name(dt);
    if (!parsed) r.fail("torch_dtype", "float32, float16 or bfloat16");
    cfg.checkpoint_dtype = *parsed;

    const auto bos = r.int_list_or_empty("bos_token_id");
    if (!bos.empty()) cfg.bos_id = bos.front();
    cfg.eos_ids = r.int_list_or_empty("eos_token_id");

    row->parse(j, file, cfg);
    return cfg;
}

ModelConfig load_model_config(const std::filesystem::path& dir_or_file) {
    std::filesystem::path path = dir_or_file;
    if (std::filesystem::is_directory(path)) path /= "config.json";
    if (!std::filesystem::exists(path)) {
        if (!std::filesystem::exists(dir_or_file)) {
            throw_input(dir_or_file.string(), "no such model folder");
        }
        throw_input(path.string(), "missing (a model folder needs config.json)");
    }
    return parse_model_config(read_json_file(path), path.string());
}

}  // namespace hace::model
