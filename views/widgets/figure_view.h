// Shows one Figure (any renderer of views/plot) scaled to the widget; right click offers the
// export dialog. The figure is shared and immutable: replacing it is how a view updates, and
// repaints coalesce through QWidget::update().
#pragma once

#include <QWidget>

#include <memory>

#include "views/plot/figure.h"

namespace hace::views {

class FigureView : public QWidget {
    Q_OBJECT

public:
    explicit FigureView(QWidget* parent = nullptr);

    void setFigure(std::shared_ptr<const Figure> figure);
    const std::shared_ptr<const Figure>& figure() const { return figure_; }
    // Shown while there is no figure (already translated by the caller).
    void setEmptyText(const QString& text);
    // Name offered by the export dialog ("heatmap" -> heatmap.pdf).
    void setExportName(const QString& name) { exportName_ = name; }
    int paintCount() const { return paintCount_; }

    QSize sizeHint() const override { return {520, 380}; }
    QSize minimumSizeHint() const override { return {200, 150}; }

public Q_SLOTS:
    void exportFigure();

protected:
    bool event(QEvent* event) override;  // tooltips: Figure::toolTipAt
    void paintEvent(QPaintEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    std::shared_ptr<const Figure> figure_;
    QString emptyText_;
    QString exportName_ = QStringLiteral("figure");
    int paintCount_ = 0;
};

}  // namespace hace::views
