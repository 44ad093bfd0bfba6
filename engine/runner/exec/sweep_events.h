// What a running sweep reports (DESIGN.md section 4 "Events"): plain callbacks, no Qt. They are
// called from the sweep's threads (the model worker, the result writer and, for the sample
// builder's warnings, the worker pool), never two at once; a GUI marshals them to its UI thread.
// Every callback is optional.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/eval/evaluate/sample_eval.h"
#include "engine/runner/sweep_plan.h"

namespace hace::runner {

struct CellRef {
    std::size_t index = 0;  // into SweepPlan::cells
    const RunCell* cell = nullptr;
};

struct SampleEvent {
    CellRef cell;
    std::int64_t sample_index = 0;
    std::string sample_id;
    std::string prediction;
    std::map<std::string, double> metrics;
};

struct ProgressEvent {
    std::int64_t total = 0;    // samples of the plan (shrinks when a task has fewer samples)
    std::int64_t done = 0;     // stored by this run
    std::int64_t skipped = 0;  // stored before this run (resume)
    std::int64_t failed = 0;   // left out because their cell failed
    double elapsed_s = 0.0;
    double eta_s = -1.0;  // < 0: unknown (nothing measured yet)
    std::string stage;    // "loading model", "building samples", "running", ...
    // Jobs queued or running on the worker pool (scoring finished samples, building the next
    // group's samples) when the event was made.
    std::int64_t worker_queue = 0;
};

enum class LogLevel { Info, Warning };

struct SweepEvents {
    std::function<void(const SweepPlan&)> on_sweep_started;
    std::function<void(const CellRef&)> on_cell_started;
    std::function<void(const CellRef&)> on_cell_finished;
    std::function<void(const CellRef&, const std::string& reason)> on_cell_failed;
    std::function<void(const SampleEvent&)> on_sample_finished;  // after it is stored
    // The compressing run in flight, after its prefill: per-layer/per-head budgets (heatmaps).
    std::function<void(const CellRef&, std::int64_t sample_index,
                       const std::vector<eval::LayerSummary>&)>
        on_layers;
    std::function<void(const ProgressEvent&)> on_progress;
    std::function<void(LogLevel, const std::string&)> on_log;
};

}  // namespace hace::runner
