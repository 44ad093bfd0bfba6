// Llama family (LlamaForCausalLM): config keys and model construction.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace hace::model {

struct ModelConfig;
struct LoadOptions;
class Model;
class WeightSource;

void parse_llama_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg);
std::unique_ptr<Model> create_llama_model(const ModelConfig& cfg, WeightSource& weights,
                                          const LoadOptions& opts);

}  // namespace hace::model
