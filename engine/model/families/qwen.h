// Original Qwen family (QWenLMHeadModel, "Qwen v1"): config keys and model construction.
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

void parse_qwen_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg);
std::unique_ptr<Model> create_qwen_model(const ModelConfig& cfg, WeightSource& weights,
                                         const LoadOptions& opts);
std::int64_t qwen_param_count(const ModelConfig& cfg);
// NTK alpha Qwen v1 picks from the prefill length:
// max(2^ceil(log2(prefill / seq_length) + 1) - 1, 1).
double qwen_ntk_alpha(std::int64_t prefill_length, std::int64_t seq_length);

}  // namespace hace::model
