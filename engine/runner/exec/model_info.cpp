#include "engine/runner/exec/model_info.h"

#include "engine/core/error.h"

namespace hace::runner {

std::string model_name_of(const std::filesystem::path& dir) {
    const std::filesystem::path clean = dir.lexically_normal();
    const std::string name =
        clean.has_filename() ? clean.filename().string() : clean.parent_path().filename().string();
    return name.empty() ? clean.string() : name;
}

ModelInfo model_info_of(const model::ModelConfig& cfg, const std::string& name) {
    ModelInfo info;
    info.name = name;
    info.max_positions = cfg.max_positions;
    info.layers = cfg.n_layers;
    info.q_heads = cfg.n_q_heads;
    info.kv_heads = cfg.n_kv_heads;
    info.head_dim = cfg.head_dim;
    info.hidden = cfg.hidden;
    info.vocab = cfg.vocab;
    info.params = cfg.param_count();
    return info;
}

std::variant<ModelInfo, std::string> describe_model_dir(const std::filesystem::path& dir) {
    try {
        return model_info_of(model::load_model_config(dir), model_name_of(dir));
    } catch (const InputError& e) {
        return std::string(e.what());
    }
}

}  // namespace hace::runner
