// The ablation table: methods down, retention ratios across, the mean metric +- half its 95%
// interval and the sample count in each cell, and the cliff at the end; the best method of a
// ratio in bold only when it beats every other method there significantly at the chosen level
// (stats::significant_wins: paired sign-flip tests on common samples, Holm over the table). Copy
// gives tab-separated text for a spreadsheet; `hace export --format latex` writes the paper's
// tables.
#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace hace::views {

class ResultsSource;

class AblationView : public QWidget {
    Q_OBJECT

public:
    AblationView(ResultsSource* source, QWidget* parent = nullptr);
    QTableWidget* table() const { return table_; }
    QString tabSeparated() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void refill();
    void rebuild();
    void retranslate();

    ResultsSource* source_;
    QComboBox *model_, *task_, *context_, *metric_, *level_;
    QLabel *modelLabel_, *taskLabel_, *contextLabel_, *metricLabel_, *levelLabel_, *message_,
        *note_;
    QPushButton* copy_;
    QTableWidget* table_;
};

}  // namespace hace::views
