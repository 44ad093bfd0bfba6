// Engine callbacks (any thread) -> one coalesced signal on the UI thread (STYLE.md 3.3). post()
// only merges the event into the pending batch under a mutex and, for the first event after a
// delivery, asks the UI thread (one queued call) to arm a single-shot timer; the timer fires no
// sooner than `interval` after the previous delivery, so a flood of events costs the UI one
// batch per interval, never one queued signal per event or per head.
//
// Thread rule: post() from any thread; everything else, and the signal, on the bridge's thread.
#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <mutex>

#include "views/run/run_events.h"

namespace hace::views {

class EventBridge : public QObject {
    Q_OBJECT

public:
    explicit EventBridge(QObject* parent = nullptr,
                         std::chrono::milliseconds interval = std::chrono::milliseconds(40));

    void post(RunEvent event);
    std::chrono::milliseconds interval() const { return interval_; }
    // Log lines kept per batch; older ones beyond it are counted in logDropped.
    static constexpr std::size_t kLogCap = 500;
    // Delivers what is pending now (the timer does this by itself).
    void flush();

Q_SIGNALS:
    void batchReady(std::shared_ptr<const hace::views::RunBatch> batch);

private:
    void arm();

    std::chrono::milliseconds interval_;
    QTimer timer_;
    std::mutex mutex_;
    std::unique_ptr<RunBatch> pending_;  // guarded by mutex_
    bool armed_ = false;                 // guarded by mutex_: a delivery is on its way
    std::chrono::steady_clock::time_point lastDelivery_;  // UI thread only
};

}  // namespace hace::views
