// What the run monitor drives: something that runs a sweep to its end on the calling (worker)
// thread, reporting through a sink, and honours the cancel and pause flags between samples.
// The workbench's runner calls the engine's executor (app/gui/engine_runner.h); tests plug in
// their own.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "views/run/run_events.h"

namespace hace::views {

struct RunRequest {
    // The spec as JSON (the designer's) with the folder its relative paths are resolved
    // against, or a spec file when `spec` is null.
    nlohmann::json spec;
    std::filesystem::path baseDir;
    std::filesystem::path specFile;
    std::filesystem::path db;
    bool resume = false;
    bool retryFailed = false;
    int threads = 0;  // 0: the engine's default
};

struct RunControl {
    std::atomic<bool> cancel{false};
    std::atomic<bool> pause{false};
};

using RunSink = std::function<void(RunEvent)>;

class Runner {
public:
    virtual ~Runner() = default;
    // Runs to the end (or until cancelled) and returns the summary JSON; throws on failure
    // (InputError for bad input). Called on a worker thread; the sink may be called from any.
    virtual nlohmann::json run(const RunRequest& request, RunControl& control,
                               const RunSink& sink) = 0;
};

using RunnerFactory = std::function<std::unique_ptr<Runner>()>;

}  // namespace hace::views
