// The samples of one (model, task entry, context length) group, built on a helper thread while
// the model runs the previous group. The builder keeps its own tokenizer per model (it never
// shares one with the model thread) and reads each model's config.json once.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/eval/evaluate/task_samples.h"
#include "engine/model/model_config.h"
#include "engine/runner/sweep_plan.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::runner {

class SampleBuilder {
public:
    // Called from the building thread for a malformed data line that was skipped.
    explicit SampleBuilder(std::function<void(const std::string&)> on_problem = {});

    // The samples a cell of this group reads, in a deterministic order (at most cell.samples).
    // Throws InputError for missing or unusable data.
    std::vector<eval::EvalSample> build(const RunCell& cell);

private:
    struct ModelSide {
        std::unique_ptr<tokenizer::Tokenizer> tok;
        model::ModelConfig config;
    };
    ModelSide& model_side(const RunCell& cell);

    std::function<void(const std::string&)> on_problem_;
    std::map<std::string, ModelSide> models_;  // by folder
};

}  // namespace hace::runner
