// The one table of supported model families, keyed by config.json's "architectures"[0].
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace hace::model {

struct ModelConfig;
struct LoadOptions;
class Model;
class WeightSource;

struct FamilyRow {
    std::string_view architecture;  // "LlamaForCausalLM"
    std::string_view family;        // "llama"
    // Reads the family-specific keys into cfg (common keys are read before); throws InputError.
    void (*parse)(const nlohmann::json& j, const std::string& file, ModelConfig& cfg);
    // Builds the model from validated config and a weight source (checkpoint or random).
    std::unique_ptr<Model> (*create)(const ModelConfig& cfg, WeightSource& weights,
                                     const LoadOptions& opts);
    // Weights the family's checkpoints hold for cfg, a tied lm_head counted once.
    std::int64_t (*param_count)(const ModelConfig& cfg);
};

const std::vector<FamilyRow>& family_rows();
const FamilyRow* find_family(std::string_view architecture);
std::string supported_architectures();  // "LlamaForCausalLM, ..." for messages

}  // namespace hace::model
