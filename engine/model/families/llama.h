// Llama family (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM): config keys and model
// construction. The three share one forward; Mistral adds a sliding window, Qwen2 q/k/v biases.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace hace::model {

struct ModelConfig;
struct LoadOptions;
class Model;
class WeightSource;

void parse_llama_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg);
void parse_mistral_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg);
void parse_qwen2_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg);
std::unique_ptr<Model> create_llama_model(const ModelConfig& cfg, WeightSource& weights,
                                          const LoadOptions& opts);
std::int64_t llama_param_count(const ModelConfig& cfg);

}  // namespace hace::model
