// Side-by-side comparison of two cells: their layer x head heatmaps on one colour scale and
// their mean metrics with the paired difference (right - left on the samples both hold): its 95%
// paired-bootstrap interval, the sign-flip p-value Holm-adjusted over the metrics listed, and the
// common sample count (engine/eval/stats). The better value is bold only when significant at 0.05.
#pragma once

#include <QWidget>

#include <string>

class QComboBox;
class QLabel;
class QTableWidget;

namespace hace::views {

class FigureView;
class ResultsSource;

class ComparisonView : public QWidget {
    Q_OBJECT

public:
    ComparisonView(ResultsSource* source, QWidget* parent = nullptr);
    void setCells(const std::string& left, const std::string& right);
    FigureView* leftView() const { return left_; }
    FigureView* rightView() const { return right_; }
    QTableWidget* metricTable() const { return metrics_; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void refill();
    void rebuild();
    void retranslate();

    ResultsSource* source_;
    QComboBox *leftCell_, *rightCell_, *stat_;
    QLabel *leftLabel_, *rightLabel_, *statLabel_;
    FigureView *left_, *right_;
    QTableWidget* metrics_;
};

}  // namespace hace::views
