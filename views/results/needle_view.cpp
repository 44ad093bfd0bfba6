#include "views/results/needle_view.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>
#include <set>
#include <utility>
#include <vector>

#include "views/common/method_labels.h"
#include "views/data/figure_builders.h"
#include "views/plot/axes.h"
#include "views/results/combo_fill.h"
#include "views/results/results_source.h"
#include "views/widgets/figure_view.h"

namespace hace::views {
namespace {

bool isNeedleTask(const std::string& task) {
    return task == "niah" || task == "needle";
}

}  // namespace

NeedleView::NeedleView(ResultsSource* source, QWidget* parent) : QWidget(parent), source_(source) {
    task_ = new QComboBox(this);
    model_ = new QComboBox(this);
    method_ = new QComboBox(this);
    retention_ = new QComboBox(this);
    taskLabel_ = new QLabel(this);
    modelLabel_ = new QLabel(this);
    methodLabel_ = new QLabel(this);
    retentionLabel_ = new QLabel(this);
    message_ = new QLabel(this);
    message_->setWordWrap(true);
    export_ = new QPushButton(this);
    view_ = new FigureView(this);
    view_->setExportName(QStringLiteral("needle-map"));
    auto* bar = new QHBoxLayout;
    for (auto [label, box] : {std::pair<QLabel*, QComboBox*>{taskLabel_, task_},
                              {modelLabel_, model_},
                              {methodLabel_, method_},
                              {retentionLabel_, retention_}}) {
        bar->addWidget(label);
        bar->addWidget(box, 1);
        connect(box, &QComboBox::currentIndexChanged, this, &NeedleView::rebuild);
    }
    bar->addWidget(export_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(message_);
    layout->addWidget(view_, 1);
    connect(export_, &QPushButton::clicked, view_, &FigureView::exportFigure);
    connect(source_, &ResultsSource::changed, this, &NeedleView::refill);
    retranslate();
}

void NeedleView::refill() {
    std::vector<std::pair<QString, QVariant>> tasks, models, methods, retentions;
    std::set<std::string> seenTask, seenModel, seenMethod;
    std::set<double> seenRetention;
    double bestScore = -1.0;
    int bestMethod = 0;
    // NIAH first, and compressing methods before the full cache: the map worth seeing first.
    std::vector<const CellSummary*> order;
    for (const auto& c : source_->cells()) {
        if (isNeedleTask(c.task)) order.push_back(&c);
    }
    std::stable_sort(order.begin(), order.end(), [](const CellSummary* a, const CellSummary* b) {
        return std::make_pair(a->task != "niah", !a->retention) <
               std::make_pair(b->task != "niah", !b->retention);
    });
    for (const CellSummary* cell : order) {
        const CellSummary& c = *cell;
        if (seenTask.insert(c.task).second)
            tasks.emplace_back(Labels::task(c.task), QString::fromStdString(c.task));
        if (seenModel.insert(c.model).second)
            models.emplace_back(QString::fromStdString(c.model), QString::fromStdString(c.model));
        const std::string key = c.method + "/" + c.mode;
        if (seenMethod.insert(key).second)
            methods.emplace_back(Labels::method(c.method, c.mode), QString::fromStdString(key));
        if (c.retention) seenRetention.insert(*c.retention);
        // The first choice is the compressing method that scores best on the first task.
        const auto score = c.metric("score");
        if (c.task == order.front()->task && c.retention && score && *score > bestScore) {
            bestScore = *score;
            bestMethod = static_cast<int>(std::find_if(methods.begin(), methods.end(),
                                                       [&](const auto& m) {
                                                           return m.second.toString() ==
                                                                  QString::fromStdString(key);
                                                       }) -
                                          methods.begin());
        }
    }
    // Largest ratio first: the map where the method still works, then down towards its cliff.
    for (auto it = seenRetention.rbegin(); it != seenRetention.rend(); ++it) {
        retentions.emplace_back(percentLabel(*it), *it);
    }
    retentions.emplace_back(Labels::method("full"), QVariant());
    refillCombo(task_, tasks);
    refillCombo(model_, models);
    refillCombo(method_, methods, bestMethod);
    refillCombo(retention_, retentions);
    rebuild();
}

void NeedleView::rebuild() {
    if (!source_->db() || task_->count() == 0) {
        view_->setFigure(nullptr);
        message_->clear();
        return;
    }
    FigureSelection sel;
    sel.task = task_->currentData().toString().toStdString();
    sel.model = model_->currentData().toString().toStdString();
    const std::string key = method_->currentData().toString().toStdString();
    sel.method = key.substr(0, key.find('/'));
    sel.mode = key.substr(key.find('/') + 1);
    retention_->setEnabled(*sel.method != "full");
    const QVariant r = retention_->currentData();
    // A full-cache method has no ratio; a compressing one needs one.
    if (r.isValid() && *sel.method != "full") sel.retention = r.toDouble();
    try {
        view_->setFigure(
            std::make_shared<NeedleFigure>(buildNeedle(*source_->db(), source_->cells(), sel)));
        message_->clear();
    } catch (const std::exception& e) {
        view_->setFigure(nullptr);
        message_->setText(
            tr("Nothing to draw for this selection: %1").arg(QString::fromStdString(e.what())));
    }
}

void NeedleView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void NeedleView::retranslate() {
    taskLabel_->setText(tr("Task:"));
    modelLabel_->setText(tr("Model:"));
    methodLabel_->setText(tr("Method:"));
    retentionLabel_->setText(tr("Retention:"));
    export_->setText(tr("Export..."));
    view_->setEmptyText(
        tr("Open a results database with needle-in-a-haystack cells to see the map."));
    refill();
}

}  // namespace hace::views
