// What the GUI learns about a running sweep, as plain values keyed by ids (cell index and hash,
// sample index), never pointers into the engine: the worker thread copies what it reports, the
// UI thread reads its own copy (STYLE.md 3.3). run/sweep_event_adapter.h fills them from the
// executor's callbacks (engine/runner/exec/sweep_events.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace hace::views {

struct RunCellInfo {
    std::string hash;
    std::string model, method, mode, task;
    std::int64_t contextLength = 0;
    std::optional<double> retention;
    std::int64_t samples = 0;
};

struct RunPlanEvent {
    std::string name;
    std::vector<RunCellInfo> cells;
    std::int64_t totalSamples = 0;
    double estimatedSeconds = 0.0;
};

enum class CellState { Pending, Running, Done, Failed };

struct RunCellEvent {
    std::size_t index = 0;  // into RunPlanEvent::cells
    std::string hash;
    CellState state = CellState::Running;
    std::string reason;  // Failed
};

struct RunSampleEvent {
    std::size_t cellIndex = 0;
    std::string cellHash;
    std::int64_t sampleIndex = 0;
    std::string sampleId;
    std::map<std::string, double> metrics;
};

// Per-layer/per-head statistics of the sample in flight, after its prefill.
struct LayerFrame {
    std::size_t cellIndex = 0;
    std::string cellHash;
    std::int64_t sampleIndex = 0;
    std::int64_t layers = 0, heads = 0;
    std::vector<double> kept;    // [layer * heads + head], kept entries (window included)
    std::vector<double> budget;  // [layer * heads + head], selected entries (window excluded)
};

struct RunProgress {
    std::int64_t total = 0, done = 0, skipped = 0, failed = 0;
    double elapsedSeconds = 0.0;
    std::optional<double> etaSeconds;
    std::string stage;
    std::int64_t workerQueue = 0;  // jobs queued or running on the engine's CPU worker pool
};

struct RunLogLine {
    bool warning = false;
    std::string text;
};

struct RunFinished {
    bool ok = true;
    bool cancelled = false;
    std::string error;       // !ok: one line
    nlohmann::json summary;  // the executor's RunSummary::to_json()
};

using RunEvent = std::variant<RunPlanEvent, RunCellEvent, RunSampleEvent, LayerFrame, RunProgress,
                              RunLogLine, RunFinished>;

// Everything that arrived since the last delivery, coalesced: the newest plan, progress and
// layer frame; every cell and sample event and (up to a cap) every log line, in order.
struct RunBatch {
    std::optional<RunPlanEvent> plan;
    std::vector<RunCellEvent> cells;
    std::vector<RunSampleEvent> samples;
    std::optional<LayerFrame> layers;
    std::optional<RunProgress> progress;
    std::vector<RunLogLine> log;
    std::int64_t logDropped = 0;  // lines beyond the cap, left out
    std::optional<RunFinished> finished;
    std::int64_t events = 0;                            // posts merged into this batch
    std::chrono::steady_clock::time_point firstPosted;  // of the oldest event in the batch
};

}  // namespace hace::views
