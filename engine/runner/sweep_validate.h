// Checks of a parsed sweep spec against the engine (DESIGN.md section 6, section 8): known
// methods, tasks and method parameters; model folders that describe; context lengths (plus the
// tokens to generate) within each model's positions; head-score files for the methods that need
// them; data folders and files for the tasks. Every problem is reported, none stops the check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runner/sweep_spec.h"
#include "engine/runner/validation_context.h"

namespace hace::runner {

struct ValidationResult {
    std::vector<Problem> problems;                 // the parser's first, then the engine's
    std::vector<std::optional<ModelInfo>> models;  // per spec.models entry; empty when unusable
    bool ok() const { return problems.empty(); }
};

ValidationResult validate(const SweepSpec& spec, const ValidationContext& ctx);

// InputError "<source>: 3 problems: models[1]: ...; methods[0]: ...; ..." (one line) unless ok.
void throw_if_invalid(const SweepSpec& spec, const ValidationResult& result);

// The method's defaults, overridden by method_params.<id>, overridden by the entry's params.
nlohmann::json effective_method_params(const SweepSpec& spec, const MethodEntry& entry,
                                       const MethodInfo& info);

// Tokens to generate for a task entry: entry, then decoding.max_new_tokens, then the protocol.
std::int64_t effective_max_new_tokens(const SweepSpec& spec, const TaskEntry& entry,
                                      const TaskInfo& info);

}  // namespace hace::runner
