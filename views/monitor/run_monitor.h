// The run monitor: start/pause/resume/cancel of a sweep, overall and per-cell progress with
// ETA and the CPU worker pool's queue, the table of cells with their state, the live layer x head
// heatmap of the sample in flight and the live log. Everything it shows comes from the
// RunController's coalesced batches (views/bridge), so a flood of engine events costs one update
// per batch.
#pragma once

#include <QWidget>

#include <memory>
#include <optional>

#include "views/run/run_controller.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QGroupBox;

namespace hace::views {

class FigureView;

class RunMonitor : public QWidget {
    Q_OBJECT

public:
    RunMonitor(RunController* controller, QWidget* parent = nullptr);

    // The database the next run writes; shown and editable.
    void setDatabase(const QString& path);
    QString database() const;
    bool resumeRequested() const;
    void setLogView(QPlainTextEdit* log);  // where log lines go (the main window's dock)

    // Read-only views for tests and the main window.
    FigureView* heatmapView() const { return heatmap_; }
    const std::optional<LayerFrame>& lastFrame() const { return frame_; }
    int batchesSeen() const { return batches_; }
    QProgressBar* progressBar() const { return overall_; }
    QLabel* workerQueueLabel() const { return queueLabel_; }

Q_SIGNALS:
    // The user asked for a run (the main window supplies the spec from the designer).
    void startRequested();
    // A sample was stored (results views may refresh).
    void samplesStored(int count);

protected:
    void changeEvent(QEvent* event) override;

private:
    void onBatch(const std::shared_ptr<const RunBatch>& batch);
    void onState(RunController::State state);
    void showPlan(const RunPlanEvent& plan);
    void showCell(const RunCellEvent& e);
    void fillCellTable();
    void showCellState(std::size_t index);
    void showCurrentCell();
    void showFrame();
    void showWorkerQueue();
    void retranslate();
    void browseDatabase();

    RunController* controller_;
    QGroupBox* runBox_;
    QLabel* dbLabel_;
    QLineEdit* db_;
    QPushButton* browseDb_;
    QCheckBox* resume_;
    QPushButton* start_;
    QPushButton* pause_;
    QPushButton* cancel_;
    QLabel* stateLabel_;
    QProgressBar* overall_;
    QProgressBar* cellBar_;
    QLabel* etaLabel_;
    QLabel* queueLabel_;  // the engine's CPU worker pool: jobs queued or running
    QLabel* cellLabel_;
    QTableWidget* cells_;
    QComboBox* stat_;
    FigureView* heatmap_;
    QPlainTextEdit* log_ = nullptr;

    std::optional<RunPlanEvent> plan_;
    std::vector<CellState> cellStates_;
    std::vector<std::string> cellReasons_;
    std::vector<std::int64_t> cellDone_;
    std::optional<std::size_t> currentCell_;
    std::optional<RunProgress> progress_;
    std::optional<LayerFrame> frame_;
    int batches_ = 0;
};

}  // namespace hace::views
