// The "options" object each sweep task accepts (sweep_spec.h TaskEntry), checked before a run:
// unknown keys and wrong types are reported, one sentence each. The meaning of every option is
// the evaluator's (engine/eval/evaluate/task_samples.cpp, engine/eval/hiv/hiv_task.h):
//   LongBench: chat ("auto" | "none" | template id), file (a .jsonl or MiniLongBench .json in
//              data.longbench)
//   niah:      needle, question, keywords (strings), depths (numbers in [0, 100]),
//              format ("pyramidkv" | "chat")
//   needle:    distractors (bool: also the distractor cases)
//   hiv:       protocol ("r2" | "needle-model"), max_length, lengths, max_trials (integers),
//              depths (numbers in [0, 100])
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval/evaluate/task_samples.h"

namespace hace::runner {

std::vector<std::string> check_task_options(eval::TaskKind kind, const nlohmann::json& options);

}  // namespace hace::runner
