#include "views/run/run_controller.h"

#include <exception>

namespace hace::views {

RunController::RunController(RunnerFactory factory, QObject* parent,
                             std::chrono::milliseconds interval)
    : QObject(parent), bridge_(new EventBridge(this, interval)), factory_(std::move(factory)) {
    connect(bridge_, &EventBridge::batchReady, this, &RunController::onBatch);
}

RunController::~RunController() {
    if (control_) control_->cancel = true;
    if (control_) control_->pause = false;
    join();
}

bool RunController::isActive() const {
    return state_ == State::Running || state_ == State::Paused || state_ == State::Cancelling;
}

bool RunController::start(const RunRequest& request) {
    if (!factory_ || isActive()) return false;
    join();
    std::shared_ptr<Runner> runner = factory_();
    if (!runner) return false;
    control_ = std::make_unique<RunControl>();
    RunControl* control = control_.get();
    EventBridge* bridge = bridge_;
    setState(State::Running);
    worker_ = std::thread([runner, request, control, bridge] {
        RunFinished end;
        const RunSink sink = [bridge](RunEvent e) { bridge->post(std::move(e)); };
        try {
            end.summary = runner->run(request, *control, sink);
            end.cancelled = control->cancel.load();
        } catch (const std::exception& e) {
            end.ok = false;
            const std::string what = e.what();
            end.error = what.substr(0, what.find('\n'));
        } catch (...) {
            end.ok = false;
            end.error = "unknown failure";
        }
        bridge->post(std::move(end));
    });
    return true;
}

void RunController::pause() {
    if (state_ != State::Running) return;
    control_->pause = true;
    setState(State::Paused);
}

void RunController::resume() {
    if (state_ != State::Paused) return;
    control_->pause = false;
    setState(State::Running);
}

void RunController::cancel() {
    if (state_ != State::Running && state_ != State::Paused) return;
    control_->cancel = true;
    control_->pause = false;  // a paused executor must wake up to see the cancel
    setState(State::Cancelling);
}

void RunController::onBatch(const std::shared_ptr<const RunBatch>& batch) {
    if (!batch->finished || !isActive()) return;
    join();
    // Announced after every view has taken this last batch (queued behind this signal's other
    // receivers), so whoever reacts to the end sees the final progress.
    const RunFinished end = *batch->finished;
    QMetaObject::invokeMethod(
        this,
        [this, end] {
            setState(end.ok ? State::Finished : State::Failed);
            Q_EMIT runEnded(end);
        },
        Qt::QueuedConnection);
}

void RunController::setState(State s) {
    if (s == state_) return;
    state_ = s;
    Q_EMIT stateChanged(s);
}

void RunController::join() {
    if (worker_.joinable()) worker_.join();
}

}  // namespace hace::views
