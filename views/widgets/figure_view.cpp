#include "views/widgets/figure_view.h"

#include <QContextMenuEvent>
#include <QHelpEvent>
#include <QMenu>
#include <QPainter>
#include <QToolTip>

#include "views/export/export_dialog.h"
#include "views/plot/plot_style.h"

namespace hace::views {

FigureView::FigureView(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void FigureView::setFigure(std::shared_ptr<const Figure> figure) {
    figure_ = std::move(figure);
    update();
}

void FigureView::setEmptyText(const QString& text) {
    emptyText_ = text;
    if (!figure_) update();
}

bool FigureView::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QString text = figure_ ? figure_->toolTipAt(help->pos()) : QString();
        if (text.isEmpty()) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), text, this);
        }
        return true;
    }
    return QWidget::event(event);
}

void FigureView::paintEvent(QPaintEvent*) {
    ++paintCount_;
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    p.setRenderHint(QPainter::Antialiasing, true);
    const PlotStyle style = PlotStyle::forDevice(*this, 9.0);
    const QRectF area = QRectF(rect()).adjusted(8, 6, -8, -6);
    if (figure_) {
        figure_->paint(p, area, style);
    } else {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, emptyText_);
    }
}

void FigureView::contextMenuEvent(QContextMenuEvent* event) {
    if (!figure_) return;
    QMenu menu(this);
    menu.addAction(tr("Export figure..."), this, &FigureView::exportFigure);
    menu.exec(event->globalPos());
}

void FigureView::exportFigure() {
    if (!figure_) return;
    ExportDialog dialog(figure_, exportName_, this);
    dialog.exec();
}

}  // namespace hace::views
