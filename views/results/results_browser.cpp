#include "views/results/results_browser.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>
#include <set>

#include "views/common/method_labels.h"
#include "views/data/figure_builders.h"
#include "views/results/cell_table_model.h"
#include "views/results/kept_tokens_panel.h"
#include "views/results/results_source.h"
#include "views/widgets/figure_view.h"

namespace hace::views {
namespace {

QString esc(const std::string& s) {
    return QString::fromStdString(s).toHtmlEscaped();
}

QString optNumber(const std::optional<double>& v, int digits = 1) {
    return v ? QString::number(*v, 'f', digits) : QStringLiteral("-");
}

}  // namespace

ResultsBrowser::ResultsBrowser(ResultsSource* source, QWidget* parent)
    : QWidget(parent), source_(source) {
    model_ = new CellTableModel(this);
    filter_ = new CellFilterModel(this);
    filter_->setSourceModel(model_);
    text_ = new QLineEdit(this);
    text_->setClearButtonEnabled(true);
    task_ = new QComboBox(this);
    method_ = new QComboBox(this);
    status_ = new QComboBox(this);
    metric_ = new QComboBox(this);
    summary_ = new QLabel(this);
    cells_ = new QTableView(this);
    cells_->setModel(filter_);
    cells_->setSortingEnabled(true);
    cells_->setSelectionBehavior(QAbstractItemView::SelectRows);
    cells_->setSelectionMode(QAbstractItemView::SingleSelection);
    cells_->verticalHeader()->setVisible(false);
    cells_->horizontalHeader()->setStretchLastSection(true);
    samples_ = new QTableWidget(0, 5, this);
    samples_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    samples_->setSelectionBehavior(QAbstractItemView::SelectRows);
    samples_->setSelectionMode(QAbstractItemView::SingleSelection);
    samples_->verticalHeader()->setVisible(false);
    samples_->horizontalHeader()->setStretchLastSection(true);
    detail_ = new QTextBrowser(this);
    heatmap_ = new FigureView(this);
    heatmap_->setExportName(QStringLiteral("sample-heatmap"));
    kept_ = new KeptTokensPanel(source_, this);
    figures_ = new QTabWidget(this);
    figures_->addTab(heatmap_, QString());
    figures_->addTab(kept_, QString());

    auto* filters = new QHBoxLayout;
    filters->addWidget(text_, 2);
    filters->addWidget(task_, 1);
    filters->addWidget(method_, 1);
    filters->addWidget(status_, 1);
    filters->addWidget(metric_, 1);
    auto* bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(samples_);
    bottom->addWidget(detail_);
    bottom->addWidget(figures_);
    bottom->setStretchFactor(0, 2);
    bottom->setStretchFactor(1, 2);
    bottom->setStretchFactor(2, 2);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(cells_);
    split->addWidget(bottom);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(summary_);
    layout->addWidget(split, 1);

    connect(text_, &QLineEdit::textChanged, filter_, &CellFilterModel::setText);
    connect(task_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setTask(task_->currentData().toString()); });
    connect(method_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setMethod(method_->currentData().toString()); });
    connect(status_, &QComboBox::currentIndexChanged, this,
            [this] { filter_->setStatus(status_->currentData().toString()); });
    connect(metric_, &QComboBox::currentIndexChanged, this, [this] {
        if (metric_->currentIndex() >= 0)
            model_->setMetric(metric_->currentData().toString().toStdString());
    });
    connect(cells_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (!current.isValid()) return;
                showCell(filter_->data(current, CellTableModel::HashRole).toString().toStdString());
            });
    connect(samples_, &QTableWidget::currentCellChanged, this,
            [this](int row) { showSample(row); });
    connect(source_, &ResultsSource::changed, this, &ResultsBrowser::reload);
    retranslate();
    reload();
}

int ResultsBrowser::visibleCells() const {
    return filter_->rowCount();
}

void ResultsBrowser::selectCell(const std::string& hash) {
    for (int r = 0; r < filter_->rowCount(); ++r) {
        const QModelIndex i = filter_->index(r, 0);
        if (filter_->data(i, CellTableModel::HashRole).toString().toStdString() == hash) {
            cells_->setCurrentIndex(i);
            return;
        }
    }
}

void ResultsBrowser::selectSample(int row) {
    samples_->setCurrentCell(row, 0);
}

QString ResultsBrowser::sampleDetails() const {
    return detail_->toPlainText();
}

void ResultsBrowser::refillCombos() {
    const auto fill = [](QComboBox* box, const QString& all,
                         const std::vector<std::pair<QString, QString>>& items) {
        const QString keep = box->currentData().toString();
        const QSignalBlocker block(box);
        box->clear();
        if (!all.isEmpty()) box->addItem(all, QString());
        for (const auto& [label, id] : items) box->addItem(label, id);
        const int i = box->findData(keep);
        box->setCurrentIndex(i >= 0 ? i : 0);
    };
    std::vector<std::pair<QString, QString>> tasks, methods, metrics;
    for (const auto& t : source_->tasks())
        tasks.emplace_back(Labels::task(t), QString::fromStdString(t));
    std::set<std::string> seen;
    for (const auto& c : source_->cells()) {
        if (seen.insert(c.method).second)
            methods.emplace_back(Labels::method(c.method), QString::fromStdString(c.method));
    }
    for (const auto& m : source_->metricNames())
        metrics.emplace_back(Labels::metric(m), QString::fromStdString(m));
    if (metrics.empty()) metrics.emplace_back(Labels::metric("score"), QStringLiteral("score"));
    fill(task_, tr("All tasks"), tasks);
    fill(method_, tr("All methods"), methods);
    fill(status_, tr("Any status"),
         {{tr("done"), QStringLiteral("done")},
          {tr("failed"), QStringLiteral("failed")},
          {tr("running"), QStringLiteral("running")},
          {tr("pending"), QStringLiteral("pending")}});
    const QString keepMetric = metric_->currentData().toString();
    fill(metric_, QString(), metrics);
    if (keepMetric.isEmpty()) {
        const int i = metric_->findData(QStringLiteral("score"));
        if (i >= 0) metric_->setCurrentIndex(i);
    }
    model_->setMetric(metric_->currentData().toString().toStdString());
    filter_->setTask(task_->currentData().toString());
    filter_->setMethod(method_->currentData().toString());
    filter_->setStatus(status_->currentData().toString());
}

void ResultsBrowser::reload() {
    model_->setCells(source_->cells());
    refillCombos();
    cells_->resizeColumnsToContents();
    if (!source_->isOpen()) {
        summary_->setText(tr("No results database open (File > Open results...)."));
    } else {
        std::int64_t samples = 0;
        for (const auto& c : source_->cells()) samples += c.samplesDone;
        summary_->setText(tr("%1: %2 cells, %3 samples")
                              .arg(source_->path())
                              .arg(source_->cells().size())
                              .arg(samples));
    }
    if (!cell_.empty() && source_->cell(cell_)) {
        const std::string keep = cell_;
        selectCell(keep);
        showCell(keep);
    } else if (filter_->rowCount() > 0) {
        cells_->setCurrentIndex(filter_->index(0, 0));  // drill into the first cell
    } else {
        cell_.clear();
        samples_->setRowCount(0);
        detail_->clear();
        heatmap_->setFigure(nullptr);
    }
}

void ResultsBrowser::showCell(const std::string& hash) {
    cell_ = hash;
    Q_EMIT cellSelected(QString::fromStdString(hash));
    const QSignalBlocker block(samples_);
    samples_->setRowCount(0);
    if (!source_->db()) return;
    std::vector<SampleSummary> samples;
    try {
        samples = source_->db()->samples(hash);
    } catch (const std::exception&) {
        return;
    }
    const std::string metric = metric_->currentData().toString().toStdString();
    samples_->setRowCount(static_cast<int>(samples.size()));
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const auto& s = samples[i];
        const int row = static_cast<int>(i);
        auto* index = new QTableWidgetItem(QString::number(s.index));
        index->setData(Qt::UserRole, static_cast<qlonglong>(s.index));
        samples_->setItem(row, 0, index);
        samples_->setItem(row, 1, new QTableWidgetItem(QString::fromStdString(s.sampleId)));
        const auto m = s.metrics.find(metric);
        samples_->setItem(row, 2,
                          new QTableWidgetItem(m != s.metrics.end() && std::isfinite(m->second)
                                                   ? QString::number(m->second, 'f', 2)
                                                   : QString()));
        samples_->setItem(row, 3, new QTableWidgetItem(QString::number(s.promptTokens)));
        samples_->setItem(row, 4,
                          new QTableWidgetItem(QString::fromStdString(s.prediction).simplified()));
    }
    samples_->resizeColumnsToContents();
    detail_->clear();
    heatmap_->setFigure(nullptr);
    if (!samples.empty()) {
        samples_->setCurrentCell(0, 0);
        showSample(0);
    }
}

void ResultsBrowser::showSample(int row) {
    if (row < 0 || !source_->db() || cell_.empty()) return;
    const auto* indexItem = samples_->item(row, 0);
    if (!indexItem) return;
    const std::int64_t index = indexItem->data(Qt::UserRole).toLongLong();
    std::vector<SampleSummary> all;
    try {
        all = source_->db()->samples(cell_);
    } catch (const std::exception&) {
        return;
    }
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const SampleSummary& s) { return s.index == index; });
    if (it == all.end()) return;
    const SampleSummary& s = *it;
    QString html;
    html +=
        QStringLiteral("<h3>%1 #%2: %3</h3>").arg(tr("Sample")).arg(s.index).arg(esc(s.sampleId));
    html += QStringLiteral("<p><b>%1</b><br>%2</p>").arg(tr("Prediction"), esc(s.prediction));
    html +=
        QStringLiteral("<p><b>%1</b><br>%2</p>").arg(tr("References"), esc(s.references.dump(1)));
    html += QStringLiteral("<p><b>%1</b></p><table>").arg(tr("Metrics"));
    for (const auto& [name, value] : s.metrics) {
        html +=
            QStringLiteral("<tr><td>%1</td><td align=right>%2</td></tr>")
                .arg(Labels::metric(name).toHtmlEscaped(),
                     std::isfinite(value) ? QString::number(value, 'g', 5) : QStringLiteral("-"));
    }
    html += QStringLiteral("</table>");
    html +=
        QStringLiteral("<p>%1</p>")
            .arg(tr("Prompt %1 tokens, output %2 tokens; prefill %3 ms, decode %4 ms, total %5 ms")
                     .arg(s.promptTokens)
                     .arg(s.outputTokens)
                     .arg(optNumber(s.prefillMs), optNumber(s.decodeMs), optNumber(s.totalMs)));
    if (s.retentionRealised) {
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("Realised retention %1").arg(*s.retentionRealised, 0, 'f', 4));
    }
    detail_->setHtml(html);
    kept_->showSample(cell_, s.index);
    const CellSummary* cell = source_->cell(cell_);
    if (cell && cell->task == "hiv") {
        try {
            FigureSelection sel;
            sel.model = cell->model;
            heatmap_->setFigure(
                std::make_shared<HivFigure>(buildHiv(*source_->db(), source_->cells(), sel)));
        } catch (const std::exception&) {
            heatmap_->setFigure(nullptr);
        }
        return;
    }
    try {
        const HeadGrid grid = source_->db()->headGrid(cell_, "kept", s.index);
        if (grid.layers > 0) {
            HeatmapData d;
            d.layers = grid.layers;
            d.heads = grid.heads;
            d.values = grid.values;
            d.stat = "kept";
            if (const auto* c = source_->cell(cell_)) {
                d.caption =
                    QString::fromStdString(describeCell(*c)) + QStringLiteral(", #%1").arg(s.index);
            }
            heatmap_->setFigure(std::make_shared<HeatmapFigure>(std::move(d)));
        } else {
            heatmap_->setFigure(nullptr);
        }
    } catch (const std::exception&) {
        heatmap_->setFigure(nullptr);
    }
}

void ResultsBrowser::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void ResultsBrowser::retranslate() {
    text_->setPlaceholderText(tr("Filter: model, method, task or cell hash"));
    samples_->setHorizontalHeaderLabels(
        {tr("#"), tr("Sample id"), tr("Score"), tr("Prompt tokens"), tr("Prediction")});
    heatmap_->setEmptyText(tr("Select a sample with per-head statistics to see its heatmap."));
    figures_->setTabText(0, tr("Heatmap"));
    figures_->setTabText(1, tr("Kept tokens"));
    model_->retranslate();
    refillCombos();
    if (!cell_.empty()) showSample(samples_->currentRow());
}

}  // namespace hace::views
