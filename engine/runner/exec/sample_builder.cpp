#include "engine/runner/exec/sample_builder.h"

#include "engine/runner/exec/execution_plan.h"

namespace hace::runner {

SampleBuilder::SampleBuilder(std::function<void(const std::string&)> on_problem)
    : on_problem_(std::move(on_problem)) {}

SampleBuilder::ModelSide& SampleBuilder::model_side(const RunCell& cell) {
    const std::string key = cell.model_dir.string();
    auto it = models_.find(key);
    if (it == models_.end()) {
        ModelSide side;
        side.config = model::load_model_config(cell.model_dir);
        side.tok = tokenizer::load_tokenizer(cell.model_dir);
        it = models_.emplace(key, std::move(side)).first;
    }
    return it->second;
}

std::vector<eval::EvalSample> SampleBuilder::build(const RunCell& cell) {
    ModelSide& side = model_side(cell);
    const eval::TaskInfo& info = eval::task_by_id(cell.task.id);
    eval::TaskRequest request;
    request.task = cell.task.id;
    request.context_length = cell.context_length;
    request.samples = cell.samples;
    if (cell.data_dir) {
        request.data = info.kind == eval::TaskKind::NeedleTask ? needle_task_file(*cell.data_dir)
                                                               : *cell.data_dir;
    }
    request.options = cell.task.options;
    request.max_new_tokens = static_cast<std::int32_t>(cell.max_new_tokens);
    request.query_agnostic = cell.query == "agnostic";
    return eval::build_task_samples(request, *side.tok, side.config, on_problem_);
}

}  // namespace hace::runner
