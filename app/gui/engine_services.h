// The engine behind the workbench: the designer's checks and dry run (the real method and task
// tables, engine/runner/exec/engine_context.h) and the runner that executes sweeps
// (engine/runner/exec/sweep_executor.h), reporting through views/run/sweep_event_adapter.h.
#pragma once

#include <memory>

#include "views/designer/spec_services.h"
#include "views/run/runner.h"

namespace hace::gui {

views::SpecServices engineSpecServices();

class EngineRunner final : public views::Runner {
public:
    nlohmann::json run(const views::RunRequest& request, views::RunControl& control,
                       const views::RunSink& sink) override;
};

std::unique_ptr<views::Runner> makeEngineRunner();

}  // namespace hace::gui
