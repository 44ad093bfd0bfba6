// The kept-token view of the results browser: for the selected sample of a compressing cell
// stored with "store_kept", the prompt shaded by the share of (layer, KV head) segments that
// kept each token, optionally beside a second method of the same model, task, context, budget
// and protocol (kept by A only / B only / both), for every segment or one layer / one head.
// Hovering a token shows it, its position and which heads kept it (Figure::toolTipAt).
#pragma once

#include <QWidget>

#include <cstdint>
#include <string>

class QComboBox;
class QLabel;

namespace hace::views {

class FigureView;
class ResultsSource;

class KeptTokensPanel : public QWidget {
    Q_OBJECT

public:
    explicit KeptTokensPanel(ResultsSource* source, QWidget* parent = nullptr);

    // Shows sample `index` of cell `hash` (clears the view when nothing is stored for it).
    void showSample(const std::string& hash, std::int64_t index);
    FigureView* view() const { return view_; }
    QComboBox* methodB() const { return b_; }
    QComboBox* layer() const { return layer_; }
    QComboBox* head() const { return head_; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void refill();
    void redraw();
    void retranslate();

    ResultsSource* source_;
    QLabel* bLabel_;
    QLabel* layerLabel_;
    QLabel* headLabel_;
    QComboBox* b_;
    QComboBox* layer_;
    QComboBox* head_;
    FigureView* view_;
    std::string cell_;
    std::int64_t index_ = -1;
};

}  // namespace hace::views
