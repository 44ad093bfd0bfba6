// The results database the views show, shared by the results browser, curves, needle map,
// ablation table and comparison: it owns the read-only connection and the cell list, and says
// when they changed. Views keep cell hashes, never pointers into the list, across a reload.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <string>
#include <vector>

#include "views/data/results_query.h"

namespace hace::views {

class ResultsSource : public QObject {
    Q_OBJECT

public:
    explicit ResultsSource(QObject* parent = nullptr);
    ~ResultsSource() override;

    // Opens (or reopens) a database; false with the one-line reason when it is not usable.
    bool open(const QString& path, QString* error = nullptr);
    void close();
    // Reads the cells again (after a run stored samples); quiet when nothing is open.
    void reload();
    // Following: while a database is open, polls it (PRAGMA data_version, a read that takes no
    // lock a writer waits for) and reloads when another process has committed, so a run of
    // `hace run` or of another workbench shows up live. 0 stops following.
    void setFollowInterval(int ms);
    int followInterval() const { return follow_.interval(); }

    bool isOpen() const { return db_ != nullptr; }
    QString path() const { return path_; }
    const ResultsDb* db() const { return db_.get(); }
    const std::vector<CellSummary>& cells() const { return cells_; }
    const CellSummary* cell(const std::string& hash) const;
    // Distinct values over the cells, sorted: models, tasks, methods ("id" or "id/faithful").
    std::vector<std::string> models() const;
    std::vector<std::string> tasks() const;
    std::vector<std::int64_t> contextLengths() const;
    std::vector<std::string> metricNames() const;

Q_SIGNALS:
    void changed();

private:
    void poll();

    QTimer follow_;
    std::int64_t seenVersion_ = 0;
    QString path_;
    std::unique_ptr<ResultsDb> db_;
    std::vector<CellSummary> cells_;
};

}  // namespace hace::views
