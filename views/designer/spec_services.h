// What the experiment designer needs from the engine, handed in by the application so that
// the widget library stays independent of the executor: every problem of a spec (the engine's
// validate() plus its run-time checks), the dry-run plan, and the ids it offers in menus.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/runner/sweep_plan.h"
#include "engine/runner/sweep_spec.h"
#include "engine/runner/validation_context.h"

namespace hace::views {

struct SpecServices {
    // Every problem of a parsed spec (spec.problems included), each with its JSON path.
    std::function<std::vector<runner::Problem>(const runner::SweepSpec&)> check;
    // The plan of a valid spec (InputError listing the problems otherwise).
    std::function<runner::SweepPlan(const runner::SweepSpec&)> plan;
    std::vector<std::string> methodIds, taskIds, dataKeys;
    // Each method's parameter schema, for the parameter editor (empty: edit the JSON as text).
    std::map<std::string, std::vector<runner::ParamInfo>> methodParams;
};

}  // namespace hace::views
