#include "views/results/ablation_view.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <set>

#include "views/common/method_labels.h"
#include "views/data/figure_builders.h"
#include "views/plot/axes.h"
#include "views/results/combo_fill.h"
#include "views/results/default_selection.h"
#include "views/results/results_source.h"

namespace hace::views {

AblationView::AblationView(ResultsSource* source, QWidget* parent)
    : QWidget(parent), source_(source) {
    model_ = new QComboBox(this);
    task_ = new QComboBox(this);
    context_ = new QComboBox(this);
    metric_ = new QComboBox(this);
    level_ = new QComboBox(this);
    for (const double a : {0.1, 0.05, 0.01}) level_->addItem(QString::number(a), a);
    level_->setCurrentIndex(1);
    modelLabel_ = new QLabel(this);
    taskLabel_ = new QLabel(this);
    contextLabel_ = new QLabel(this);
    metricLabel_ = new QLabel(this);
    levelLabel_ = new QLabel(this);
    message_ = new QLabel(this);
    note_ = new QLabel(this);
    note_->setWordWrap(true);
    copy_ = new QPushButton(this);
    table_ = new QTableWidget(this);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* bar = new QHBoxLayout;
    for (auto [label, box] : {std::pair<QLabel*, QComboBox*>{modelLabel_, model_},
                              {taskLabel_, task_},
                              {contextLabel_, context_},
                              {metricLabel_, metric_},
                              {levelLabel_, level_}}) {
        bar->addWidget(label);
        bar->addWidget(box, 1);
        connect(box, &QComboBox::currentIndexChanged, this, &AblationView::rebuild);
    }
    // A box the user (or a caller) has set keeps its choice across refills (refillPreferred).
    for (auto* box : {model_, task_, context_}) {
        connect(box, &QComboBox::currentIndexChanged, box,
                [box] { box->setProperty("chosen", true); });
    }
    bar->addWidget(copy_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(message_);
    layout->addWidget(table_, 1);
    layout->addWidget(note_);
    connect(copy_, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(tabSeparated()); });
    connect(source_, &ResultsSource::changed, this, &AblationView::refill);
    retranslate();
}

void AblationView::refill() {
    std::vector<std::pair<QString, QVariant>> models, tasks, contexts, metrics;
    for (const auto& m : source_->models())
        models.emplace_back(QString::fromStdString(m), QString::fromStdString(m));
    for (const auto& t : source_->tasks())
        tasks.emplace_back(Labels::task(t), QString::fromStdString(t));
    for (const auto c : source_->contextLengths())
        contexts.emplace_back(QString::number(c), static_cast<qlonglong>(c));
    for (const auto& m : source_->metricNames())
        metrics.emplace_back(Labels::metric(m), QString::fromStdString(m));
    const bool first = metric_->count() == 0;
    // Open on a model, task and context with curves to draw (not the HIV test, say).
    const auto preferred = richestCurveSelection(source_->cells());
    refillCurveScope(model_, models, task_, tasks, context_, contexts, preferred);
    refillCombo(metric_, metrics);
    if (first) {
        const int i = metric_->findData(QStringLiteral("score"));
        if (i >= 0) metric_->setCurrentIndex(i);
    }
    rebuild();
}

void AblationView::rebuild() {
    table_->clear();
    table_->setRowCount(0);
    table_->setColumnCount(0);
    note_->clear();
    if (!source_->isOpen() || model_->count() == 0) return;
    FigureSelection sel;
    sel.model = model_->currentData().toString().toStdString();
    sel.task = task_->currentData().toString().toStdString();
    sel.contextLength = context_->currentData().toLongLong();
    if (metric_->currentIndex() >= 0) sel.metric = metric_->currentData().toString().toStdString();
    CurveData data;
    try {
        data = buildCurves(source_->cells(), sel, source_->path().toStdString());
        message_->clear();
    } catch (const std::exception& e) {
        message_->setText(
            tr("Nothing to tabulate for this selection: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    std::set<double> ratioSet;
    for (const auto& s : data.series) {
        for (const auto& p : s.points) ratioSet.insert(p.retention);
    }
    const std::vector<double> ratios(ratioSet.begin(), ratioSet.end());
    const int extra = data.fullScore ? 1 : 0;
    table_->setColumnCount(static_cast<int>(ratios.size()) + 1);
    table_->setRowCount(static_cast<int>(data.series.size()) + extra);
    QStringList headers;
    for (const double r : ratios) headers << percentLabel(r);
    headers << tr("Cliff (within %1%)").arg(numberLabel(data.tolerancePercent));
    table_->setHorizontalHeaderLabels(headers);
    QStringList rows;
    // Per ratio, the methods' samples; the engine decides which value (if any) is a win.
    std::vector<std::vector<const std::vector<stats::Observation>*>> columns(ratios.size());
    for (auto& col : columns) col.assign(data.series.size(), nullptr);
    for (std::size_t i = 0; i < data.series.size(); ++i) {
        for (const auto& p : data.series[i].points) {
            const auto col = static_cast<std::size_t>(
                std::lower_bound(ratios.begin(), ratios.end(), p.retention) - ratios.begin());
            if (!p.observations.empty()) columns[col][i] = &p.observations;
        }
    }
    const double alpha = level_->currentData().toDouble();
    const stats::TableWins wins = stats::significant_wins(columns, alpha);
    note_->setText(tr("Each cell: mean %1 half of its 95% confidence interval, n = samples. Bold: "
                      "better than every other method at that ratio on the same samples, "
                      "significant at level %2 (paired sign-flip test, Holm-adjusted over %n "
                      "comparison(s)).",
                      nullptr, static_cast<int>(wins.comparisons))
                       .arg(QChar(0x00B1))
                       .arg(QString::number(alpha)));
    for (std::size_t i = 0; i < data.series.size(); ++i) {
        const auto& s = data.series[i];
        rows << Labels::method(s.method, s.mode);
        for (const auto& p : s.points) {
            const int col = static_cast<int>(
                std::lower_bound(ratios.begin(), ratios.end(), p.retention) - ratios.begin());
            QString text = QString::number(p.score, 'f', 2);
            if (p.ciLow && p.ciHigh) {
                text += QStringLiteral(" %1 %2")
                            .arg(QChar(0x00B1))
                            .arg(QString::number((*p.ciHigh - *p.ciLow) / 2.0, 'f', 2));
            }
            text += QStringLiteral("  n=%1").arg(p.samples);
            auto* item = new QTableWidgetItem(text);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (wins.winner[static_cast<std::size_t>(col)] == i) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            QString tip = tr("%n sample(s)", nullptr, static_cast<int>(p.samples));
            if (p.ciLow && p.ciHigh) {
                tip += QLatin1Char('\n') + tr("95% confidence interval: [%1, %2]")
                                               .arg(QString::number(*p.ciLow, 'f', 2),
                                                    QString::number(*p.ciHigh, 'f', 2));
            }
            item->setToolTip(tip);
            table_->setItem(static_cast<int>(i), col, item);
        }
        QString cliff;
        switch (s.cliffKind) {
            case CliffKind::Found:
                cliff = percentLabel(s.cliff);
                break;
            case CliffKind::BelowRange:
                cliff = QChar(0x2264) + percentLabel(s.cliff);
                break;
            case CliffKind::AboveRange:
                cliff = tr("none");
                break;
            case CliffKind::None:
                cliff = QStringLiteral("-");
                break;
        }
        auto* item = new QTableWidgetItem(cliff);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(static_cast<int>(i), static_cast<int>(ratios.size()), item);
    }
    if (data.fullScore) {
        // The reference row: the full-cache score under every ratio, in italics.
        rows << Labels::method("full");
        for (int col = 0; col < static_cast<int>(ratios.size()); ++col) {
            auto* item = new QTableWidgetItem(QString::number(*data.fullScore, 'f', 2));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            QFont f = item->font();
            f.setItalic(true);
            item->setFont(f);
            item->setToolTip(tr("The full-cache score, for reference"));
            table_->setItem(static_cast<int>(data.series.size()), col, item);
        }
    }
    table_->setVerticalHeaderLabels(rows);
}

QString AblationView::tabSeparated() const {
    QStringList lines;
    QStringList header{QString()};
    for (int c = 0; c < table_->columnCount(); ++c) {
        const auto* h = table_->horizontalHeaderItem(c);
        header << (h ? h->text() : QString());
    }
    lines << header.join(QLatin1Char('\t'));
    for (int r = 0; r < table_->rowCount(); ++r) {
        const auto* v = table_->verticalHeaderItem(r);
        QStringList row{v ? v->text() : QString()};
        for (int c = 0; c < table_->columnCount(); ++c) {
            const auto* item = table_->item(r, c);
            row << (item ? item->text() : QString());
        }
        lines << row.join(QLatin1Char('\t'));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

void AblationView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void AblationView::retranslate() {
    modelLabel_->setText(tr("Model:"));
    taskLabel_->setText(tr("Task:"));
    contextLabel_->setText(tr("Context:"));
    metricLabel_->setText(tr("Metric:"));
    levelLabel_->setText(tr("Level:"));
    copy_->setText(tr("Copy table"));
    refill();
}

}  // namespace hace::views
