// The executor's callbacks (engine/runner/exec/sweep_events.h) as RunEvents: each callback
// copies the values it needs (ids, numbers, strings) on the worker thread and posts them, so
// nothing on the UI side points into the engine.
#pragma once

#include "engine/runner/exec/sweep_events.h"
#include "views/run/runner.h"

namespace hace::views {

runner::SweepEvents sweepEventsTo(const RunSink& sink);

// The per-layer summaries of one sample as a frame (heads: the widest layer's count).
LayerFrame layerFrameOf(const std::vector<eval::LayerSummary>& layers);

}  // namespace hace::views
