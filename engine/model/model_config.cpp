#include "engine/model/model_config.h"

#include <sstream>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/model/config_reader.h"
#include "engine/model/families/llama.h"
#include "engine/model/family_registry.h"

namespace hace::model {

std::int64_t ModelConfig::param_count() const {
    const FamilyRow* row = find_family(architecture);
    return row ? row->param_count(*this) : llama_param_count(*this);
}

std::string ModelConfig::position_encoding() const {
    std::ostringstream out;
    if (family == "opt") {
        out << "learned absolute positions (rows p + 2), " << max_positions << " positions";
        return out.str();
    }
    out << "RoPE (rotate-half) theta " << rope_theta;
    const RopeScaling& s = rope_scaling;
    if (!s.type.empty()) {
        out << ", " << s.type << " scaling factor " << s.factor << " over " << s.original_context
            << " positions";
        if (s.type == "llama3") {
            out << " (low_freq_factor " << s.low_freq_factor << ", high_freq_factor "
                << s.high_freq_factor << ")";
        } else if (s.type == "yarn") {
            out << " (beta_fast " << s.beta_fast << ", beta_slow " << s.beta_slow
                << ", attention factor " << s.attention_factor << ")";
        }
    }
    if (dynamic_ntk) out << ", Qwen dynamic NTK past seq_length " << seq_length;
    if (logn_attn) out << ", logn query scaling past seq_length " << seq_length;
    if (sliding_window > 0) out << ", sliding window " << sliding_window;
    out << ", max " << max_positions << " positions";
    return out.str();
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
