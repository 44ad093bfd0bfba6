#include "views/run/sweep_event_adapter.h"

#include <algorithm>
#include <cmath>

namespace hace::views {
namespace {

RunCellInfo cellInfo(const runner::RunCell& c) {
    RunCellInfo info;
    info.hash = c.hash;
    info.model = c.model.name;
    info.method = c.method;
    info.mode = c.mode;
    info.task = c.task.id;
    info.contextLength = c.context_length;
    info.retention = c.retention;
    info.samples = c.samples;
    return info;
}

}  // namespace

LayerFrame layerFrameOf(const std::vector<eval::LayerSummary>& layers) {
    LayerFrame f;
    f.layers = static_cast<std::int64_t>(layers.size());
    for (const auto& l : layers) {
        f.heads = std::max<std::int64_t>(
            f.heads, static_cast<std::int64_t>(std::max(l.head_kept.size(), l.head_budget.size())));
    }
    const auto n = static_cast<std::size_t>(f.layers * f.heads);
    f.kept.assign(n, std::nan(""));
    f.budget.assign(n, std::nan(""));
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const auto row = l * static_cast<std::size_t>(f.heads);
        for (std::size_t h = 0; h < layers[l].head_kept.size(); ++h) {
            f.kept[row + h] = static_cast<double>(layers[l].head_kept[h]);
        }
        for (std::size_t h = 0; h < layers[l].head_budget.size(); ++h) {
            f.budget[row + h] = static_cast<double>(layers[l].head_budget[h]);
        }
    }
    return f;
}

runner::SweepEvents sweepEventsTo(const RunSink& sink) {
    runner::SweepEvents e;
    e.on_sweep_started = [sink](const runner::SweepPlan& plan) {
        RunPlanEvent p;
        p.name = plan.name;
        for (const auto& c : plan.cells) p.cells.push_back(cellInfo(c));
        p.totalSamples = plan.total_samples();
        p.estimatedSeconds = plan.total_seconds();
        sink(std::move(p));
    };
    const auto cellEvent = [sink](const runner::CellRef& ref, CellState state, std::string reason) {
        sink(RunCellEvent{ref.index, ref.cell ? ref.cell->hash : std::string(), state,
                          std::move(reason)});
    };
    e.on_cell_started = [cellEvent](const runner::CellRef& ref) {
        cellEvent(ref, CellState::Running, {});
    };
    e.on_cell_finished = [cellEvent](const runner::CellRef& ref) {
        cellEvent(ref, CellState::Done, {});
    };
    e.on_cell_failed = [cellEvent](const runner::CellRef& ref, const std::string& reason) {
        cellEvent(ref, CellState::Failed, reason);
    };
    e.on_sample_finished = [sink](const runner::SampleEvent& s) {
        sink(RunSampleEvent{s.cell.index, s.cell.cell ? s.cell.cell->hash : std::string(),
                            s.sample_index, s.sample_id, s.metrics});
    };
    e.on_layers = [sink](const runner::CellRef& ref, std::int64_t sample,
                         const std::vector<eval::LayerSummary>& layers) {
        LayerFrame f = layerFrameOf(layers);
        f.cellIndex = ref.index;
        f.cellHash = ref.cell ? ref.cell->hash : std::string();
        f.sampleIndex = sample;
        sink(std::move(f));
    };
    e.on_progress = [sink](const runner::ProgressEvent& p) {
        RunProgress r;
        r.total = p.total;
        r.done = p.done;
        r.skipped = p.skipped;
        r.failed = p.failed;
        r.elapsedSeconds = p.elapsed_s;
        if (p.eta_s >= 0) r.etaSeconds = p.eta_s;
        r.stage = p.stage;
        r.workerQueue = p.worker_queue;
        sink(std::move(r));
    };
    e.on_log = [sink](runner::LogLevel level, const std::string& text) {
        sink(RunLogLine{level == runner::LogLevel::Warning, text});
    };
    return e;
}

}  // namespace hace::views
