#include "views/results/cell_table_model.h"

#include <QColor>

#include "views/common/method_labels.h"
#include "views/plot/axes.h"

namespace hace::views {

CellTableModel::CellTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void CellTableModel::setCells(std::vector<CellSummary> cells) {
    beginResetModel();
    cells_ = std::move(cells);
    endResetModel();
}

void CellTableModel::setMetric(const std::string& metric) {
    metric_ = metric;
    if (!cells_.empty()) Q_EMIT dataChanged(index(0, Score), index(rowCount() - 1, Interval));
    Q_EMIT headerDataChanged(Qt::Horizontal, Score, Interval);
}

void CellTableModel::retranslate() {
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    if (!cells_.empty()) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int CellTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(cells_.size());
}

int CellTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CellTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    const CellSummary& c = cells_[static_cast<std::size_t>(index.row())];
    if (role == HashRole) return QString::fromStdString(c.hash);
    const auto metric = c.metric(metric_);
    if (role == SortRole) {
        switch (index.column()) {
            case Context:
                return static_cast<qlonglong>(c.contextLength);
            case Retention:
                return c.retention.value_or(2.0);  // full cache after every ratio
            case Samples:
                return static_cast<qlonglong>(c.samplesDone);
            case Score:
                return metric.value_or(-1e300);
            case Interval: {
                const auto ci = c.interval(metric_);
                return ci ? ci->ci.high - ci->ci.low : -1.0;  // by width
            }
            case Realised:
                return c.meanRetentionRealised.value_or(-1.0);
            case MsPerSample:
                return c.meanTotalMs.value_or(-1.0);
            default:
                return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ForegroundRole && index.column() == Status && c.status == "failed") {
        return QColor(0xb0, 0x20, 0x20);
    }
    if (role == Qt::ToolTipRole && index.column() == Status && !c.failureReason.empty()) {
        return QString::fromStdString(c.failureReason);
    }
    if (role == Qt::ToolTipRole && index.column() == Interval) {
        const auto ci = c.interval(metric_);
        if (!ci) return {};
        return ci->kind == stats::IntervalKind::Wilson
                   ? tr("Wilson score interval over %n sample(s) (0/1 metric)", nullptr,
                        static_cast<int>(ci->n))
                   : tr("Percentile bootstrap over %n sample(s), 10000 resamples", nullptr,
                        static_cast<int>(ci->n));
    }
    if (role == Qt::TextAlignmentRole && index.column() >= Context && index.column() != Method &&
        index.column() != Status) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case Model:
            return QString::fromStdString(c.model);
        case Task:
            return Labels::task(c.task);
        case Context:
            // The HIV test has no context axis: its row shows how many trials ran.
            if (c.task == "hiv") return tr("%1 trials").arg(c.metric("trials").value_or(0.0));
            return QString::number(c.contextLength);
        case Method:
            return Labels::method(c.method, c.mode);
        case Retention:
            if (c.task == "hiv") {
                return tr("%1 accepted")
                    .arg(percentLabel(c.metric("acceptance_rate").value_or(0.0)));
            }
            if (c.capacity) return tr("C=%1").arg(*c.capacity);
            return c.retention ? percentLabel(*c.retention) : Labels::method("full");
        case Status:
            if (c.status == "done") return tr("done");
            if (c.status == "failed") return tr("failed");
            if (c.status == "running") return tr("running");
            return tr("pending");
        case Samples:
            return c.samplesPlanned > 0
                       ? QStringLiteral("%1 / %2").arg(c.samplesDone).arg(c.samplesPlanned)
                       : QString::number(c.samplesDone);
        case Score:
            return metric ? QString::number(*metric, 'f', 2) : QString();
        case Interval: {
            const auto ci = c.interval(metric_);
            return ci ? QStringLiteral("[%1, %2]")
                            .arg(QString::number(ci->ci.low, 'f', 2),
                                 QString::number(ci->ci.high, 'f', 2))
                      : QString();
        }
        case Realised:
            return c.meanRetentionRealised ? percentLabel(*c.meanRetentionRealised) : QString();
        case MsPerSample:
            return c.meanTotalMs ? QString::number(*c.meanTotalMs, 'f', 1) : QString();
        default:
            return {};
    }
}

QVariant CellTableModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case Model:
            return tr("Model");
        case Task:
            return tr("Task");
        case Context:
            return tr("Context");
        case Method:
            return tr("Method");
        case Retention:
            return tr("Retention");
        case Status:
            return tr("Status");
        case Samples:
            return tr("Samples");
        case Score:
            return Labels::metric(metric_);
        case Interval:
            return tr("95% CI");
        case Realised:
            return tr("Realised retention");
        case MsPerSample:
            return tr("ms / sample");
        default:
            return {};
    }
}

CellFilterModel::CellFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(CellTableModel::SortRole);
}

void CellFilterModel::setText(const QString& text) {
    text_ = text.trimmed();
    invalidateFilter();
}
void CellFilterModel::setTask(const QString& task) {
    task_ = task;
    invalidateFilter();
}
void CellFilterModel::setMethod(const QString& method) {
    method_ = method;
    invalidateFilter();
}
void CellFilterModel::setStatus(const QString& status) {
    status_ = status;
    invalidateFilter();
}

bool CellFilterModel::filterAcceptsRow(int row, const QModelIndex&) const {
    const auto* model = static_cast<const CellTableModel*>(sourceModel());
    const CellSummary& c = model->cellAt(row);
    if (!task_.isEmpty() && QString::fromStdString(c.task) != task_) return false;
    if (!method_.isEmpty() && QString::fromStdString(c.method) != method_) return false;
    if (!status_.isEmpty() && QString::fromStdString(c.status) != status_) return false;
    if (text_.isEmpty()) return true;
    const QString hay = QString::fromStdString(c.model + " " + c.task + " " + c.method + " " +
                                               c.mode + " " + c.hash) +
                        QLatin1Char(' ') + Labels::method(c.method, c.mode) + QLatin1Char(' ') +
                        Labels::task(c.task);
    for (const QString& word : text_.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (!hay.contains(word, Qt::CaseInsensitive)) return false;
    }
    return true;
}

}  // namespace hace::views
