#include "views/bridge/event_bridge.h"

#include <algorithm>

namespace hace::views {
namespace {

struct Merge {
    RunBatch& b;
    void operator()(RunPlanEvent&& e) { b.plan = std::move(e); }
    void operator()(RunCellEvent&& e) { b.cells.push_back(std::move(e)); }
    void operator()(RunSampleEvent&& e) { b.samples.push_back(std::move(e)); }
    void operator()(LayerFrame&& e) { b.layers = std::move(e); }
    void operator()(RunProgress&& e) { b.progress = std::move(e); }
    void operator()(RunLogLine&& e) {
        b.log.push_back(std::move(e));
        if (b.log.size() > 2 * EventBridge::kLogCap) {
            // Trim in bulk so a flood costs amortised O(1) per line.
            const std::size_t drop = b.log.size() - EventBridge::kLogCap;
            b.log.erase(b.log.begin(), b.log.begin() + static_cast<std::ptrdiff_t>(drop));
            b.logDropped += static_cast<std::int64_t>(drop);
        }
    }
    void operator()(RunFinished&& e) { b.finished = std::move(e); }
};

}  // namespace

EventBridge::EventBridge(QObject* parent, std::chrono::milliseconds interval)
    : QObject(parent), interval_(interval) {
    timer_.setSingleShot(true);
    timer_.setTimerType(Qt::PreciseTimer);
    connect(&timer_, &QTimer::timeout, this, &EventBridge::flush);
}

void EventBridge::post(RunEvent event) {
    bool arm_now = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!pending_) {
            pending_ = std::make_unique<RunBatch>();
            pending_->firstPosted = std::chrono::steady_clock::now();
        }
        ++pending_->events;
        std::visit(Merge{*pending_}, std::move(event));
        if (!armed_) {
            armed_ = true;
            arm_now = true;
        }
    }
    if (arm_now) QMetaObject::invokeMethod(this, &EventBridge::arm, Qt::QueuedConnection);
}

void EventBridge::arm() {
    const auto since = std::chrono::steady_clock::now() - lastDelivery_;
    const auto wait =
        std::max(std::chrono::milliseconds(0),
                 interval_ - std::chrono::duration_cast<std::chrono::milliseconds>(since));
    timer_.start(wait);
}

void EventBridge::flush() {
    std::unique_ptr<RunBatch> batch;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        batch = std::move(pending_);
        armed_ = false;
    }
    timer_.stop();
    if (!batch) return;
    if (batch->log.size() > kLogCap) {
        const std::size_t drop = batch->log.size() - kLogCap;
        batch->log.erase(batch->log.begin(),
                         batch->log.begin() + static_cast<std::ptrdiff_t>(drop));
        batch->logDropped += static_cast<std::int64_t>(drop);
    }
    lastDelivery_ = std::chrono::steady_clock::now();
    Q_EMIT batchReady(std::shared_ptr<const RunBatch>(std::move(batch)));
}

}  // namespace hace::views
