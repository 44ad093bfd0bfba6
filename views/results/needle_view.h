// The needle-in-a-haystack map of the open results: one model, method and retention at a time.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace hace::views {

class FigureView;
class ResultsSource;

class NeedleView : public QWidget {
    Q_OBJECT

public:
    NeedleView(ResultsSource* source, QWidget* parent = nullptr);
    FigureView* figureView() const { return view_; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void refill();
    void rebuild();
    void retranslate();

    ResultsSource* source_;
    QComboBox *task_, *model_, *method_, *retention_;
    QLabel *taskLabel_, *modelLabel_, *methodLabel_, *retentionLabel_, *message_;
    QPushButton* export_;
    FigureView* view_;
};

}  // namespace hace::views
