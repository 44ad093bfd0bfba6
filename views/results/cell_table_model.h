// The cells of a results database as a table model (one row per cell, mean metrics with the 95%
// interval the engine computes, CellSummary::interval), and the proxy that filters it by text,
// task, method and status and sorts numbers as numbers.
#pragma once

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <string>
#include <vector>

#include "views/data/results_query.h"

namespace hace::views {

class CellTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        Model,
        Task,
        Context,
        Method,
        Retention,
        Status,
        Samples,
        Score,
        Interval,  // 95% interval of the selected metric
        Realised,
        MsPerSample,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole;
    static constexpr int HashRole = Qt::UserRole + 1;

    explicit CellTableModel(QObject* parent = nullptr);
    void setCells(std::vector<CellSummary> cells);
    void setMetric(const std::string& metric);
    const CellSummary& cellAt(int row) const { return cells_[static_cast<std::size_t>(row)]; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;
    // Re-labels headers and method names after a language switch.
    void retranslate();

private:
    std::vector<CellSummary> cells_;
    std::string metric_ = "score";
};

class CellFilterModel : public QSortFilterProxyModel {
    Q_OBJECT

public:
    explicit CellFilterModel(QObject* parent = nullptr);
    void setText(const QString& text);
    void setTask(const QString& task);      // "" = all
    void setMethod(const QString& method);  // "" = all
    void setStatus(const QString& status);  // "" = all

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

private:
    QString text_, task_, method_, status_;
};

}  // namespace hace::views
