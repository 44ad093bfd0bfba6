#include "engine/model/family_registry.h"

#include "engine/model/families/llama.h"
#include "engine/model/families/opt.h"
#include "engine/model/families/qwen.h"

namespace hace::model {

const std::vector<FamilyRow>& family_rows() {
    // Mistral and Qwen2 are Llama with a window or q/k/v biases: one forward serves all three.
    static const std::vector<FamilyRow> rows = {
        {"LlamaForCausalLM", "llama", &parse_llama_config, &create_llama_model, &llama_param_count},
        {"MistralForCausalLM", "llama", &parse_mistral_config, &create_llama_model,
         &llama_param_count},
        {"Qwen2ForCausalLM", "llama", &parse_qwen2_config, &create_llama_model, &llama_param_count},
        {"OPTForCausalLM", "opt", &parse_opt_config, &create_opt_model, &opt_param_count},
        {"QWenLMHeadModel", "qwen", &parse_qwen_config, &create_qwen_model, &qwen_param_count},
    };
    return rows;
}

const FamilyRow* find_family(std::string_view architecture) {
    for (const auto& row : family_rows()) {
        if (row.architecture == architecture) return &row;
    }
    return nullptr;
}

std::string supported_architectures() {
    std::string out;
    for (const auto& row : family_rows()) {
        if (!out.empty()) out += ", ";
        out += row.architecture;
    }
    return out;
}

}  // namespace hace::model
