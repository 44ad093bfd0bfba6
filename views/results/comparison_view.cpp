#include "views/results/comparison_view.h"

#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <set>

#include "views/common/method_labels.h"
#include "views/data/figure_builders.h"
#include "views/results/combo_fill.h"
#include "views/results/results_source.h"
#include "views/widgets/figure_view.h"

namespace hace::views {

ComparisonView::ComparisonView(ResultsSource* source, QWidget* parent)
    : QWidget(parent), source_(source) {
    leftCell_ = new QComboBox(this);
    rightCell_ = new QComboBox(this);
    stat_ = new QComboBox(this);
    for (auto* box : {leftCell_, rightCell_}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(30);
    }
    leftLabel_ = new QLabel(this);
    rightLabel_ = new QLabel(this);
    statLabel_ = new QLabel(this);
    left_ = new FigureView(this);
    right_ = new FigureView(this);
    left_->setExportName(QStringLiteral("compare-left"));
    right_->setExportName(QStringLiteral("compare-right"));
    metrics_ = new QTableWidget(0, 7, this);
    metrics_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    metrics_->verticalHeader()->setVisible(false);
    metrics_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    auto* bar = new QGridLayout;
    bar->addWidget(leftLabel_, 0, 0);
    bar->addWidget(leftCell_, 0, 1);
    bar->addWidget(rightLabel_, 0, 2);
    bar->addWidget(rightCell_, 0, 3);
    bar->addWidget(statLabel_, 0, 4);
    bar->addWidget(stat_, 0, 5);
    bar->setColumnStretch(1, 1);
    bar->setColumnStretch(3, 1);
    auto* figures = new QSplitter(Qt::Horizontal, this);
    figures->addWidget(left_);
    figures->addWidget(right_);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(figures);
    split->addWidget(metrics_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    for (auto* box : {leftCell_, rightCell_, stat_}) {
        connect(box, &QComboBox::currentIndexChanged, this, &ComparisonView::rebuild);
    }
    connect(source_, &ResultsSource::changed, this, &ComparisonView::refill);
    retranslate();
}

void ComparisonView::setCells(const std::string& left, const std::string& right) {
    const int l = leftCell_->findData(QString::fromStdString(left));
    const int r = rightCell_->findData(QString::fromStdString(right));
    if (l >= 0) leftCell_->setCurrentIndex(l);
    if (r >= 0) rightCell_->setCurrentIndex(r);
}

void ComparisonView::refill() {
    // Compressing cells first: they are the ones with per-head statistics to compare.
    std::vector<std::pair<QString, QVariant>> cells, full;
    for (const auto& c : source_->cells()) {
        if (c.samplesDone == 0) continue;
        (c.retention ? cells : full)
            .emplace_back(QString::fromStdString(describeCell(c)), QString::fromStdString(c.hash));
    }
    cells.insert(cells.end(), full.begin(), full.end());
    refillCombo(leftCell_, cells);
    refillCombo(rightCell_, cells);
    if (rightCell_->currentIndex() == leftCell_->currentIndex() && rightCell_->count() > 1) {
        // Default partner: another method on the same task, context and ratio, if any.
        const auto* left = source_->cell(leftCell_->currentData().toString().toStdString());
        int pick = leftCell_->currentIndex() == 0 ? 1 : 0;
        for (int i = 0; left && i < rightCell_->count(); ++i) {
            const auto* c = source_->cell(rightCell_->itemData(i).toString().toStdString());
            if (c && c->method != left->method && c->task == left->task &&
                c->contextLength == left->contextLength && c->retention == left->retention) {
                pick = i;
                break;
            }
        }
        const QSignalBlocker block(rightCell_);
        rightCell_->setCurrentIndex(pick);
    }
    std::vector<std::pair<QString, QVariant>> stats;
    for (const char* s : {"kept", "budget", "importance"})
        stats.emplace_back(Labels::headStat(s), QString::fromLatin1(s));
    refillCombo(stat_, stats);
    rebuild();
}

void ComparisonView::rebuild() {
    const std::string a = leftCell_->currentData().toString().toStdString();
    const std::string b = rightCell_->currentData().toString().toStdString();
    const std::string stat = stat_->currentData().toString().toStdString();
    metrics_->setRowCount(0);
    const auto* ca = source_->cell(a);
    const auto* cb = source_->cell(b);
    if (!source_->db() || !ca || !cb) {
        left_->setFigure(nullptr);
        right_->setFigure(nullptr);
        return;
    }
    HeadGrid ga, gb;
    try {
        ga = source_->db()->headGrid(a, stat);
        gb = source_->db()->headGrid(b, stat);
    } catch (const std::exception&) {
    }
    // One colour range for both, so equal colours mean equal values.
    HeatmapParameters params;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto* g : {&ga, &gb}) {
        for (const double v : g->values) {
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    if (std::isfinite(lo)) {
        params.minValue = lo;
        params.maxValue = hi;
    }
    const auto figure = [&](const HeadGrid& g,
                            const CellSummary& c) -> std::shared_ptr<const Figure> {
        if (g.layers == 0) return nullptr;
        HeatmapData d;
        d.layers = g.layers;
        d.heads = g.heads;
        d.values = g.values;
        d.stat = stat;
        d.caption = QString::fromStdString(describeCell(c));
        return std::make_shared<HeatmapFigure>(std::move(d), params);
    };
    left_->setFigure(figure(ga, *ca));
    right_->setFigure(figure(gb, *cb));

    std::set<std::string> names;
    for (const auto& [n, v] : ca->meanMetrics) names.insert(n);
    for (const auto& [n, v] : cb->meanMetrics) names.insert(n);
    // Paired comparisons (right - left) per metric, one Holm family for the table.
    std::vector<std::optional<stats::PairedComparison>> paired;
    std::vector<double> pValues;
    for (const auto& n : names) {
        const auto oa = ca->observations.find(n), ob = cb->observations.find(n);
        // Sample ids only identify the same sample within one task.
        paired.push_back(ca->task != cb->task || oa == ca->observations.end() ||
                                 ob == cb->observations.end()
                             ? std::nullopt
                             : stats::compare_paired(ob->second, oa->second));
        if (paired.back()) pValues.push_back(paired.back()->permutation.p);
    }
    const auto adjusted = stats::holm_adjust(pValues);
    constexpr double kAlpha = 0.05;
    metrics_->setRowCount(static_cast<int>(names.size()));
    int row = 0;
    std::size_t tested = 0;
    for (const auto& n : names) {
        const auto va = ca->metric(n), vb = cb->metric(n);
        const auto num = [](const std::optional<double>& v) {
            return v ? QString::number(*v, 'g', 5) : QStringLiteral("-");
        };
        auto* left = new QTableWidgetItem(num(va));
        auto* right = new QTableWidgetItem(num(vb));
        metrics_->setItem(row, 0, new QTableWidgetItem(Labels::metric(n)));
        metrics_->setItem(row, 1, left);
        metrics_->setItem(row, 2, right);
        const auto& c = paired[static_cast<std::size_t>(row)];
        if (c) {
            const double pHolm = adjusted[tested++];
            metrics_->setItem(row, 3, new QTableWidgetItem(num(c->mean_difference)));
            metrics_->setItem(row, 4,
                              new QTableWidgetItem(
                                  QStringLiteral("[%1, %2]").arg(num(c->ci.low), num(c->ci.high))));
            metrics_->setItem(row, 5, new QTableWidgetItem(QString::number(pHolm, 'g', 3)));
            metrics_->setItem(row, 6, new QTableWidgetItem(QString::number(c->n)));
            if (pHolm < kAlpha && c->mean_difference != 0.0) {
                auto* winner = c->mean_difference > 0 ? right : left;
                QFont f = winner->font();
                f.setBold(true);
                winner->setFont(f);
            }
        } else {
            metrics_->setItem(
                row, 3, new QTableWidgetItem(va && vb ? num(*vb - *va) : QStringLiteral("-")));
            for (int col = 4; col < 7; ++col) {
                metrics_->setItem(row, col, new QTableWidgetItem(QStringLiteral("-")));
            }
        }
        ++row;
    }
}

void ComparisonView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void ComparisonView::retranslate() {
    leftLabel_->setText(tr("Left:"));
    rightLabel_->setText(tr("Right:"));
    statLabel_->setText(tr("Statistic:"));
    metrics_->setHorizontalHeaderLabels({tr("Metric"), tr("Left"), tr("Right"), tr("Right - left"),
                                         tr("95% CI of the difference"), tr("p (Holm)"),
                                         tr("Common samples")});
    metrics_->setToolTip(
        tr("Differences over the samples both cells hold (paired by sample id); p: two-sided "
           "sign-flip permutation test, Holm-adjusted over the listed metrics. A value is bold "
           "only when its lead is significant at 0.05."));
    left_->setEmptyText(tr("Choose a cell with per-head statistics."));
    right_->setEmptyText(tr("Choose a cell with per-head statistics."));
    refill();
}

}  // namespace hace::views
