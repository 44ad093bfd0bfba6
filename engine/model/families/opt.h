// OPT family (OPTForCausalLM): config keys and model construction.
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

void parse_opt_config(const nlohmann::json& j, const std::string& file, ModelConfig& cfg);
std::unique_ptr<Model> create_opt_model(const ModelConfig& cfg, WeightSource& weights,
                                        const LoadOptions& opts);
std::int64_t opt_param_count(const ModelConfig& cfg);

}  // namespace hace::model
