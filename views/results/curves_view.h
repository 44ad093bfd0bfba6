// Retention-performance curves of the open results (one model, task and context length at a
// time), or the same data as performance-cliff bars; tolerance and metric selectable.
#pragma once

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;

namespace hace::views {

class FigureView;
class ResultsSource;

class CurvesView : public QWidget {
    Q_OBJECT

public:
    CurvesView(ResultsSource* source, QWidget* parent = nullptr);
    FigureView* figureView() const { return view_; }
    void setCliffBars(bool bars);

protected:
    void changeEvent(QEvent* event) override;

private:
    void refill();
    void rebuild();
    void retranslate();

    ResultsSource* source_;
    QComboBox *model_, *task_, *context_, *metric_, *kind_;
    QDoubleSpinBox* tolerance_;
    QLabel *modelLabel_, *taskLabel_, *contextLabel_, *metricLabel_, *toleranceLabel_, *message_;
    QPushButton* export_;
    FigureView* view_;
};

}  // namespace hace::views
