#include "app/gui/engine_services.h"

#include <algorithm>
#include <memory>

#include "engine/runner/exec/engine_context.h"
#include "engine/runner/exec/execution_plan.h"
#include "engine/runner/exec/sweep_executor.h"
#include "engine/runner/sweep_validate.h"
#include "views/run/sweep_event_adapter.h"

namespace hace::gui {

views::SpecServices engineSpecServices() {
    // The context describes model folders from disk each time, so it is built once and shared.
    auto ctx = std::make_shared<runner::ValidationContext>(runner::engine_validation_context());
    views::SpecServices s;
    s.check = [ctx](const runner::SweepSpec& spec) {
        const runner::ValidationResult checked = runner::validate(spec, *ctx);
        std::vector<runner::Problem> problems = checked.problems;
        const auto more = runner::engine_checks(spec, *ctx, checked);
        problems.insert(problems.end(), more.begin(), more.end());
        return problems;
    };
    s.plan = [ctx](const runner::SweepSpec& spec) { return runner::plan_sweep(spec, *ctx); };
    for (const auto& m : ctx->methods) {
        s.methodIds.push_back(m.id);
        if (const auto* params = ctx->params_of(m.id)) s.methodParams[m.id] = *params;
    }
    for (const auto& t : ctx->tasks) {
        s.taskIds.push_back(t.id);
        if (!t.data_key.empty() &&
            std::find(s.dataKeys.begin(), s.dataKeys.end(), t.data_key) == s.dataKeys.end()) {
            s.dataKeys.push_back(t.data_key);
        }
    }
    return s;
}

nlohmann::json EngineRunner::run(const views::RunRequest& request, views::RunControl& control,
                                 const views::RunSink& sink) {
    runner::RunOptions options;
    options.resume = request.resume;
    options.retry_failed = request.retryFailed;
    options.threads = request.threads;
    options.cancel = &control.cancel;
    options.pause = &control.pause;
    options.events = views::sweepEventsTo(sink);
    const runner::SweepSpec spec =
        request.spec.is_null()
            ? runner::load_sweep_spec(request.specFile)
            : runner::parse_sweep_spec(
                  request.spec, request.baseDir,
                  request.specFile.empty() ? std::string("<designer>") : request.specFile.string());
    return runner::run_sweep(spec, request.db, options).to_json();
}

std::unique_ptr<views::Runner> makeEngineRunner() {
    return std::make_unique<EngineRunner>();
}

}  // namespace hace::gui
