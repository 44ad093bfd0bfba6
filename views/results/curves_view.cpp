#include "views/results/curves_view.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <exception>

#include "views/common/method_labels.h"
#include "views/data/figure_builders.h"
#include "views/results/combo_fill.h"
#include "views/results/default_selection.h"
#include "views/results/results_source.h"
#include "views/widgets/figure_view.h"

namespace hace::views {

CurvesView::CurvesView(ResultsSource* source, QWidget* parent) : QWidget(parent), source_(source) {
    model_ = new QComboBox(this);
    task_ = new QComboBox(this);
    context_ = new QComboBox(this);
    metric_ = new QComboBox(this);
    kind_ = new QComboBox(this);
    kind_->addItem(QString(), false);
    kind_->addItem(QString(), true);
    tolerance_ = new QDoubleSpinBox(this);
    tolerance_->setRange(0.0, 100.0);
    tolerance_->setValue(10.0);
    tolerance_->setSuffix(QStringLiteral(" %"));
    modelLabel_ = new QLabel(this);
    taskLabel_ = new QLabel(this);
    contextLabel_ = new QLabel(this);
    metricLabel_ = new QLabel(this);
    toleranceLabel_ = new QLabel(this);
    message_ = new QLabel(this);
    message_->setWordWrap(true);
    export_ = new QPushButton(this);
    view_ = new FigureView(this);
    view_->setExportName(QStringLiteral("curves"));

    auto* bar = new QGridLayout;
    bar->addWidget(modelLabel_, 0, 0);
    bar->addWidget(model_, 0, 1);
    bar->addWidget(taskLabel_, 0, 2);
    bar->addWidget(task_, 0, 3);
    bar->addWidget(contextLabel_, 0, 4);
    bar->addWidget(context_, 0, 5);
    bar->addWidget(metricLabel_, 1, 0);
    bar->addWidget(metric_, 1, 1);
    bar->addWidget(toleranceLabel_, 1, 2);
    bar->addWidget(tolerance_, 1, 3);
    bar->addWidget(kind_, 1, 4);
    bar->addWidget(export_, 1, 5);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(message_);
    layout->addWidget(view_, 1);

    for (auto* box : {model_, task_, context_, metric_, kind_}) {
        connect(box, &QComboBox::currentIndexChanged, this, &CurvesView::rebuild);
    }
    // A box the user (or a caller) has set keeps its choice across refills (refillPreferred).
    for (auto* box : {model_, task_, context_}) {
        connect(box, &QComboBox::currentIndexChanged, box,
                [box] { box->setProperty("chosen", true); });
    }
    connect(tolerance_, &QDoubleSpinBox::valueChanged, this, &CurvesView::rebuild);
    connect(export_, &QPushButton::clicked, view_, &FigureView::exportFigure);
    connect(source_, &ResultsSource::changed, this, &CurvesView::refill);
    retranslate();
    refill();
}

void CurvesView::setCliffBars(bool bars) {
    kind_->setCurrentIndex(bars ? 1 : 0);
}

void CurvesView::refill() {
    std::vector<std::pair<QString, QVariant>> models, tasks, contexts, metrics;
    for (const auto& m : source_->models())
        models.emplace_back(QString::fromStdString(m), QString::fromStdString(m));
    for (const auto& t : source_->tasks())
        tasks.emplace_back(Labels::task(t), QString::fromStdString(t));
    for (const auto c : source_->contextLengths())
        contexts.emplace_back(QString::number(c), static_cast<qlonglong>(c));
    for (const auto& m : source_->metricNames())
        metrics.emplace_back(Labels::metric(m), QString::fromStdString(m));
    // Open on a model, task and context with curves to draw (not the HIV test, say).
    const auto preferred = richestCurveSelection(source_->cells());
    refillCurveScope(model_, models, task_, tasks, context_, contexts, preferred);
    refillCombo(metric_, metrics);
    if (metric_->currentData().toString() != QLatin1String("score")) {
        const int i = metric_->findData(QStringLiteral("score"));
        if (i >= 0 && !metric_->property("chosen").toBool()) metric_->setCurrentIndex(i);
    }
    rebuild();
}

void CurvesView::rebuild() {
    if (sender() == metric_) metric_->setProperty("chosen", true);
    if (!source_->isOpen() || model_->count() == 0) {
        view_->setFigure(nullptr);
        message_->clear();
        return;
    }
    FigureSelection sel;
    sel.model = model_->currentData().toString().toStdString();
    sel.task = task_->currentData().toString().toStdString();
    sel.contextLength = context_->currentData().toLongLong();
    if (metric_->currentIndex() >= 0) sel.metric = metric_->currentData().toString().toStdString();
    sel.tolerancePercent = tolerance_->value();
    try {
        CurveData data = buildCurves(source_->cells(), sel, source_->path().toStdString());
        message_->clear();
        if (kind_->currentData().toBool()) {
            view_->setFigure(std::make_shared<CliffFigure>(std::move(data)));
            view_->setExportName(QStringLiteral("cliff"));
        } else {
            view_->setFigure(std::make_shared<CurveFigure>(std::move(data)));
            view_->setExportName(QStringLiteral("curves"));
        }
    } catch (const std::exception& e) {
        view_->setFigure(nullptr);
        message_->setText(
            tr("Nothing to draw for this selection: %1").arg(QString::fromStdString(e.what())));
    }
}

void CurvesView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void CurvesView::retranslate() {
    modelLabel_->setText(tr("Model:"));
    taskLabel_->setText(tr("Task:"));
    contextLabel_->setText(tr("Context:"));
    metricLabel_->setText(tr("Metric:"));
    toleranceLabel_->setText(tr("Cliff tolerance:"));
    kind_->setItemText(0, tr("Curves"));
    kind_->setItemText(1, tr("Cliff bars"));
    export_->setText(tr("Export..."));
    view_->setEmptyText(tr("Open a results database to see retention-performance curves."));
    refill();
}

}  // namespace hace::views
