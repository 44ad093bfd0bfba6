// The results browser: every cell of the open database with its mean metrics, filtered and
// sorted; selecting a cell lists its samples, selecting a sample shows its prediction,
// references, metrics, timings, its layer x head heatmap (for an HIV cell: the importance and
// its variance across trials) and its kept tokens (drill-down).
#pragma once

#include <QWidget>

#include <string>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTextBrowser;

namespace hace::views {

class CellFilterModel;
class CellTableModel;
class FigureView;
class KeptTokensPanel;
class ResultsSource;

class ResultsBrowser : public QWidget {
    Q_OBJECT

public:
    ResultsBrowser(ResultsSource* source, QWidget* parent = nullptr);

    // For tests and automation.
    int visibleCells() const;
    void selectCell(const std::string& hash);
    void selectSample(int row);
    std::string selectedCell() const { return cell_; }
    QTableWidget* sampleTable() const { return samples_; }
    QString sampleDetails() const;
    CellFilterModel* filterModel() const { return filter_; }
    FigureView* heatmapView() const { return heatmap_; }
    KeptTokensPanel* keptTokens() const { return kept_; }

Q_SIGNALS:
    void cellSelected(const QString& hash);

protected:
    void changeEvent(QEvent* event) override;

private:
    void reload();
    void showCell(const std::string& hash);
    void showSample(int row);
    void retranslate();
    void refillCombos();

    ResultsSource* source_;
    CellTableModel* model_;
    CellFilterModel* filter_;
    QLineEdit* text_;
    QComboBox* task_;
    QComboBox* method_;
    QComboBox* status_;
    QComboBox* metric_;
    QTableView* cells_;
    QTableWidget* samples_;
    QTextBrowser* detail_;
    FigureView* heatmap_;
    KeptTokensPanel* kept_;
    QTabWidget* figures_;
    QLabel* summary_;
    std::string cell_;
};

}  // namespace hace::views
