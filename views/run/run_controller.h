// Starts a Runner on a worker thread and steers it: pause/resume/cancel set the flags the
// executor reads between samples. Events go through the controller's EventBridge (views connect
// to bridge()->batchReady); the controller follows the batches to know when the run has ended
// (the RunFinished event), then joins the thread. The bridge is the controller's child, so it
// outlives the worker thread, which the destructor joins.
#pragma once

#include <QObject>

#include <memory>
#include <thread>

#include "views/bridge/event_bridge.h"
#include "views/run/runner.h"

namespace hace::views {

class RunController : public QObject {
    Q_OBJECT

public:
    enum class State { Idle, Running, Paused, Cancelling, Finished, Failed };
    Q_ENUM(State)

    explicit RunController(RunnerFactory factory, QObject* parent = nullptr,
                           std::chrono::milliseconds interval = std::chrono::milliseconds(40));
    ~RunController() override;  // cancels a run in flight and waits for it

    EventBridge* bridge() const { return bridge_; }
    bool canRun() const { return static_cast<bool>(factory_); }
    State state() const { return state_; }
    bool isActive() const;  // Running, Paused or Cancelling
    // False (and nothing started) without a runner or while a run is active.
    bool start(const RunRequest& request);
    void pause();
    void resume();
    void cancel();

Q_SIGNALS:
    void stateChanged(hace::views::RunController::State state);
    void runEnded(const hace::views::RunFinished& result);

private:
    void onBatch(const std::shared_ptr<const RunBatch>& batch);
    void setState(State s);
    void join();

    EventBridge* bridge_;
    RunnerFactory factory_;
    State state_ = State::Idle;
    std::unique_ptr<RunControl> control_;
    std::thread worker_;
};

}  // namespace hace::views
