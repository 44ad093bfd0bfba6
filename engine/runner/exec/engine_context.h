// The ValidationContext of the real engine (validation_context.h): the method table
// (kv::method_rows), the task table (eval::task_table) with each task's options, and model
// folders described from their config.json alone (model_info.h).
#pragma once

#include "engine/runner/exec/model_info.h"
#include "engine/runner/validation_context.h"

namespace hace::runner {

ValidationContext engine_validation_context();

}  // namespace hace::runner
