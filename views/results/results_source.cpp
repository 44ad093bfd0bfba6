#include "views/results/results_source.h"

#include <exception>
#include <set>

namespace hace::views {

ResultsSource::ResultsSource(QObject* parent) : QObject(parent) {
    follow_.setInterval(1000);
    connect(&follow_, &QTimer::timeout, this, &ResultsSource::poll);
}
ResultsSource::~ResultsSource() = default;

bool ResultsSource::open(const QString& path, QString* error) {
    try {
        auto db = std::make_unique<ResultsDb>(ResultsDb::open(path.toStdString()));
        auto cells = db->cells();
        seenVersion_ = db->dataVersion();
        db_ = std::move(db);
        cells_ = std::move(cells);
        path_ = path;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    if (follow_.interval() > 0) follow_.start();
    Q_EMIT changed();
    return true;
}

void ResultsSource::close() {
    follow_.stop();
    db_.reset();
    cells_.clear();
    path_.clear();
    Q_EMIT changed();
}

void ResultsSource::reload() {
    if (!db_) return;
    try {
        cells_ = db_->cells();
    } catch (const std::exception&) {
        return;  // a writer holds the file for a moment; the next reload catches up
    }
    Q_EMIT changed();
}

void ResultsSource::setFollowInterval(int ms) {
    follow_.stop();
    follow_.setInterval(ms);
    if (ms > 0 && db_) follow_.start();
}

void ResultsSource::poll() {
    if (!db_) return;
    std::int64_t version = 0;
    try {
        version = db_->dataVersion();
    } catch (const std::exception&) {
        return;  // busy for a moment; the next tick asks again
    }
    if (version == seenVersion_) return;
    seenVersion_ = version;
    reload();
}

const CellSummary* ResultsSource::cell(const std::string& hash) const {
    for (const auto& c : cells_) {
        if (c.hash == hash) return &c;
    }
    return nullptr;
}

std::vector<std::string> ResultsSource::models() const {
    std::set<std::string> s;
    for (const auto& c : cells_) s.insert(c.model);
    return {s.begin(), s.end()};
}

std::vector<std::string> ResultsSource::tasks() const {
    std::set<std::string> s;
    for (const auto& c : cells_) s.insert(c.task);
    return {s.begin(), s.end()};
}

std::vector<std::int64_t> ResultsSource::contextLengths() const {
    std::set<std::int64_t> s;
    for (const auto& c : cells_) s.insert(c.contextLength);
    return {s.begin(), s.end()};
}

std::vector<std::string> ResultsSource::metricNames() const {
    std::set<std::string> s;
    for (const auto& c : cells_) {
        for (const auto& [name, value] : c.meanMetrics) s.insert(name);
    }
    return {s.begin(), s.end()};
}

}  // namespace hace::views
