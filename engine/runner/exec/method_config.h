// A sweep method's parameters (the "params" of a cell, sweep_spec.h) as the engine's
// CompressionConfig. The parameter names are those of the CLI's compression flags with '_' for
// '-' (app/cli/compression_flags.cpp), so a sweep and `hace generate` configure a method alike.
//
// The parameters, their types, ranges and defaults are the engine's one schema
// (engine/kv/method_params.h); the sweep may set those a method accepts, or null for the method's
// own default. A few defaults are resolved per run and written into cell keys as sentinels
// (kept so that existing cell keys stay valid):
//   selector ""   the method's own scorer (SEL-CAKE for the lattice methods) in equal mode, the
//                 reference's own in faithful mode
//   window 0, pool 0   the selector's own
//   tau1 0, tau2 0     CAKE's table by model and capacity (faithful) / HACE defaults (equal)
//   recent -1          H2O's min(w, floor(C/2))
//   kv_bits 0          full precision (kivi: its 2 bits)
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/kv/head_scores.h"
#include "engine/kv/methods.h"
#include "engine/model/model_config.h"

namespace hace::runner {

// The parameters a method reads, with their defaults; {} for "full" (kv::method_default_params).
nlohmann::json method_default_params(const kv::MethodRow& row);

// Head-score files read once per sweep (several methods and cells share one file).
class HeadScoreCache {
public:
    const kv::HeadScoreFile& get(const std::filesystem::path& file);

private:
    std::map<std::string, std::shared_ptr<const kv::HeadScoreFile>> files_;
};

struct MethodSetup {
    std::string method;                                // id
    std::string mode;                                  // "equal" | "faithful" ("" for full: equal)
    nlohmann::json params = nlohmann::json::object();  // effective (defaults merged)
    std::optional<double> retention;
    std::optional<std::int64_t> capacity;  // a token budget instead of a retention
    std::optional<std::filesystem::path> head_scores;
};

// The config of one cell for a model; validated (InputError naming the parameter on a bad value,
// a head-score file of another shape, a method without the scores it needs).
kv::CompressionConfig compression_config_for(const MethodSetup& setup,
                                             const model::ModelConfig& model,
                                             HeadScoreCache& head_scores);

}  // namespace hace::runner
