#include "views/monitor/run_monitor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

#include "views/common/method_labels.h"
#include "views/plot/axes.h"
#include "views/widgets/figure_view.h"

namespace hace::views {
namespace {

QString duration(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    if (s < 60) return QStringLiteral("%1 s").arg(s);
    if (s < 3600) return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

RunMonitor::RunMonitor(RunController* controller, QWidget* parent)
    : QWidget(parent), controller_(controller) {
    runBox_ = new QGroupBox(this);
    dbLabel_ = new QLabel(this);
    db_ = new QLineEdit(this);
    browseDb_ = new QPushButton(this);
    resume_ = new QCheckBox(this);
    resume_->setChecked(true);
    start_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), QString(), this);
    pause_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), QString(), this);
    cancel_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), QString(), this);
    stateLabel_ = new QLabel(this);
    overall_ = new QProgressBar(this);
    cellBar_ = new QProgressBar(this);
    etaLabel_ = new QLabel(this);
    queueLabel_ = new QLabel(this);
    cellLabel_ = new QLabel(this);
    cellLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    cells_ = new QTableWidget(0, 5, this);
    cells_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    cells_->setSelectionBehavior(QAbstractItemView::SelectRows);
    cells_->verticalHeader()->setVisible(false);
    cells_->horizontalHeader()->setStretchLastSection(true);
    stat_ = new QComboBox(this);
    stat_->addItem(QString(), QStringLiteral("kept"));
    stat_->addItem(QString(), QStringLiteral("budget"));
    heatmap_ = new FigureView(this);
    heatmap_->setExportName(QStringLiteral("live-heatmap"));

    auto* runGrid = new QGridLayout(runBox_);
    runGrid->addWidget(dbLabel_, 0, 0);
    runGrid->addWidget(db_, 0, 1, 1, 3);
    runGrid->addWidget(browseDb_, 0, 4);
    runGrid->addWidget(resume_, 1, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(start_);
    buttons->addWidget(pause_);
    buttons->addWidget(cancel_);
    buttons->addWidget(stateLabel_, 1);
    runGrid->addLayout(buttons, 1, 2, 1, 3);
    runGrid->addWidget(overall_, 2, 0, 1, 4);
    runGrid->addWidget(etaLabel_, 2, 4);
    runGrid->addWidget(cellBar_, 3, 0, 1, 4);
    runGrid->addWidget(queueLabel_, 3, 4);
    runGrid->addWidget(cellLabel_, 4, 0, 1, 5);

    auto* right = new QWidget(this);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(stat_);
    rightLayout->addWidget(heatmap_, 1);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(cells_);
    split->addWidget(right);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(runBox_);
    layout->addWidget(split, 1);

    connect(start_, &QPushButton::clicked, this, &RunMonitor::startRequested);
    connect(pause_, &QPushButton::clicked, this, [this] {
        if (controller_->state() == RunController::State::Paused) {
            controller_->resume();
        } else {
            controller_->pause();
        }
    });
    connect(cancel_, &QPushButton::clicked, controller_, &RunController::cancel);
    connect(browseDb_, &QPushButton::clicked, this, &RunMonitor::browseDatabase);
    connect(stat_, &QComboBox::currentIndexChanged, this, &RunMonitor::showFrame);
    connect(controller_->bridge(), &EventBridge::batchReady, this, &RunMonitor::onBatch);
    connect(controller_, &RunController::stateChanged, this, &RunMonitor::onState);
    retranslate();
    onState(controller_->state());
}

void RunMonitor::setDatabase(const QString& path) {
    db_->setText(path);
}
QString RunMonitor::database() const {
    return db_->text();
}
bool RunMonitor::resumeRequested() const {
    return resume_->isChecked();
}
void RunMonitor::setLogView(QPlainTextEdit* log) {
    log_ = log;
}

void RunMonitor::browseDatabase() {
    const QString file = QFileDialog::getSaveFileName(this, tr("Results database"), db_->text(),
                                                      tr("Results (*.sqlite *.db);;All files (*)"),
                                                      nullptr, QFileDialog::DontConfirmOverwrite);
    if (!file.isEmpty()) db_->setText(file);
}

void RunMonitor::onBatch(const std::shared_ptr<const RunBatch>& batch) {
    ++batches_;
    if (batch->plan) showPlan(*batch->plan);
    for (const auto& e : batch->cells) showCell(e);
    for (const auto& s : batch->samples) {
        if (s.cellIndex < cellDone_.size()) ++cellDone_[s.cellIndex];
    }
    if (!batch->samples.empty()) Q_EMIT samplesStored(static_cast<int>(batch->samples.size()));
    if (batch->progress) {
        progress_ = batch->progress;
        const auto& p = *progress_;
        overall_->setMaximum(static_cast<int>(std::max<std::int64_t>(1, p.total)));
        overall_->setValue(static_cast<int>(std::min(p.total, p.done + p.skipped)));
        overall_->setFormat(tr("%1 of %2 samples (%3 skipped, %4 failed)")
                                .arg(p.done + p.skipped)
                                .arg(p.total)
                                .arg(p.skipped)
                                .arg(p.failed));
        etaLabel_->setText(p.etaSeconds ? tr("ETA %1").arg(duration(*p.etaSeconds))
                                        : tr("ETA unknown"));
        etaLabel_->setToolTip(
            tr("Elapsed %1, stage: %2")
                .arg(duration(p.elapsedSeconds), QString::fromStdString(p.stage)));
        showWorkerQueue();
    }
    if (currentCell_ && plan_ && *currentCell_ < plan_->cells.size()) {
        const auto& c = plan_->cells[*currentCell_];
        cellBar_->setMaximum(static_cast<int>(std::max<std::int64_t>(1, c.samples)));
        cellBar_->setValue(static_cast<int>(std::min(c.samples, cellDone_[*currentCell_])));
        cellBar_->setFormat(
            tr("cell %1 of %2: %v of %m samples").arg(*currentCell_ + 1).arg(plan_->cells.size()));
    }
    if (batch->layers) {
        frame_ = batch->layers;
        showFrame();
    }
    if (log_) {
        if (batch->logDropped > 0) {
            log_->appendPlainText(
                tr("... %n log line(s) skipped", nullptr, static_cast<int>(batch->logDropped)));
        }
        for (const auto& line : batch->log) {
            log_->appendPlainText((line.warning ? tr("warning: ") : QString()) +
                                  QString::fromStdString(line.text));
        }
        if (batch->finished && !batch->finished->ok) {
            log_->appendPlainText(
                tr("run failed: %1").arg(QString::fromStdString(batch->finished->error)));
        }
    }
}

void RunMonitor::showPlan(const RunPlanEvent& plan) {
    plan_ = plan;
    cellStates_.assign(plan.cells.size(), CellState::Pending);
    cellReasons_.assign(plan.cells.size(), std::string());
    cellDone_.assign(plan.cells.size(), 0);
    currentCell_.reset();
    fillCellTable();
    cells_->resizeColumnsToContents();
}

void RunMonitor::fillCellTable() {
    if (!plan_) return;
    cells_->setRowCount(static_cast<int>(plan_->cells.size()));
    for (std::size_t i = 0; i < plan_->cells.size(); ++i) {
        const auto& c = plan_->cells[i];
        const int row = static_cast<int>(i);
        cells_->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(c.model)));
        cells_->setItem(row, 1,
                        new QTableWidgetItem(Labels::task(c.task) + QStringLiteral(" / ") +
                                             QString::number(c.contextLength)));
        cells_->setItem(row, 2, new QTableWidgetItem(Labels::method(c.method, c.mode)));
        cells_->setItem(row, 3,
                        new QTableWidgetItem(c.retention ? percentLabel(*c.retention)
                                                         : Labels::method("full")));
        cells_->setItem(row, 4, new QTableWidgetItem());
        showCellState(i);
    }
}

void RunMonitor::showCellState(std::size_t index) {
    auto* item = cells_->item(static_cast<int>(index), 4);
    if (!item) return;
    switch (cellStates_[index]) {
        case CellState::Pending:
            item->setText(tr("pending"));
            break;
        case CellState::Running:
            item->setText(tr("running"));
            break;
        case CellState::Done:
            item->setText(tr("done"));
            break;
        case CellState::Failed:
            item->setText(tr("failed: %1").arg(QString::fromStdString(cellReasons_[index])));
            item->setForeground(QColor(0xb0, 0x20, 0x20));
            break;
    }
}

void RunMonitor::showCell(const RunCellEvent& e) {
    if (e.index >= cellStates_.size()) return;
    cellStates_[e.index] = e.state;
    cellReasons_[e.index] = e.reason;
    showCellState(e.index);
    if (e.state == CellState::Running) {
        currentCell_ = e.index;
        cells_->scrollToItem(cells_->item(static_cast<int>(e.index), 4));
    }
    showCurrentCell();
}

void RunMonitor::showCurrentCell() {
    if (!currentCell_ || !plan_) return;
    const auto& c = plan_->cells[*currentCell_];
    cellLabel_->setText(
        tr("Current cell: %1, %2, %3 tokens, %4")
            .arg(QString::fromStdString(c.model), Labels::method(c.method, c.mode),
                 QString::number(c.contextLength),
                 c.retention ? percentLabel(*c.retention) : Labels::method("full")));
}

void RunMonitor::showFrame() {
    if (!frame_) return;
    HeatmapData d;
    d.layers = frame_->layers;
    d.heads = frame_->heads;
    d.stat = stat_->currentData().toString().toStdString();
    d.values = d.stat == "budget" ? frame_->budget : frame_->kept;
    if (plan_ && frame_->cellIndex < plan_->cells.size()) {
        const auto& c = plan_->cells[frame_->cellIndex];
        d.caption = QStringLiteral("%1, %2, %3, #%4")
                        .arg(QString::fromStdString(c.model), QString::fromStdString(c.method),
                             c.retention ? percentLabel(*c.retention) : QStringLiteral("full"))
                        .arg(frame_->sampleIndex);
    }
    heatmap_->setFigure(std::make_shared<HeatmapFigure>(std::move(d)));
}

void RunMonitor::onState(RunController::State state) {
    using S = RunController::State;
    const bool active = controller_->isActive();
    start_->setEnabled(!active && controller_->canRun());
    pause_->setEnabled(state == S::Running || state == S::Paused);
    cancel_->setEnabled(state == S::Running || state == S::Paused);
    db_->setEnabled(!active);
    resume_->setEnabled(!active);
    pause_->setText(state == S::Paused ? tr("Resume") : tr("Pause"));
    pause_->setIcon(
        style()->standardIcon(state == S::Paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    switch (state) {
        case S::Idle:
            stateLabel_->setText(controller_->canRun() ? tr("Idle")
                                                       : tr("This build cannot run sweeps"));
            break;
        case S::Running:
            stateLabel_->setText(tr("Running"));
            break;
        case S::Paused:
            stateLabel_->setText(tr("Paused (after the sample in flight)"));
            break;
        case S::Cancelling:
            stateLabel_->setText(tr("Cancelling after the sample in flight..."));
            break;
        case S::Finished:
            stateLabel_->setText(tr("Finished"));
            break;
        case S::Failed:
            stateLabel_->setText(tr("Failed"));
            break;
    }
}

void RunMonitor::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void RunMonitor::showWorkerQueue() {
    queueLabel_->setText(progress_ ? tr("worker queue: %1").arg(progress_->workerQueue)
                                   : QString());
}

void RunMonitor::retranslate() {
    runBox_->setTitle(tr("Run"));
    dbLabel_->setText(tr("Results database:"));
    browseDb_->setText(tr("Browse..."));
    resume_->setText(tr("Resume: skip samples already stored"));
    start_->setText(tr("Start"));
    cancel_->setText(tr("Cancel"));
    cells_->setHorizontalHeaderLabels(
        {tr("Model"), tr("Task / context"), tr("Method"), tr("Retention"), tr("State")});
    stat_->setItemText(0, tr("Live heatmap: kept entries per head"));
    stat_->setItemText(1, tr("Live heatmap: budget per head"));
    heatmap_->setEmptyText(tr("The heatmap of the sample in flight appears here during a run."));
    if (!progress_) {
        overall_->setFormat(tr("No run yet"));
        etaLabel_->setText(QString());
    }
    queueLabel_->setToolTip(
        tr("Jobs queued or running on the CPU worker pool beside the model: "
           "scoring finished samples and building the next ones"));
    showWorkerQueue();
    if (!currentCell_) cellBar_->setFormat(QString());
    fillCellTable();
    showCurrentCell();
    onState(controller_->state());
}

}  // namespace hace::views
