#include "engine/model/family_registry.h"

#include "engine/model/families/llama.h"

namespace hace::model {

const std::vector<FamilyRow>& family_rows() {
    static const std::vector<FamilyRow> rows = {
        {"LlamaForCausalLM", "llama", &parse_llama_config, &create_llama_model},
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
