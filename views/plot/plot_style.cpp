#include "views/plot/plot_style.h"

#include <QGuiApplication>

namespace hace::views {

PlotStyle PlotStyle::forDevice(const QPaintDevice& device, double fontPt) {
    PlotStyle s;
    s.pxPerPt = device.logicalDpiY() / 72.0;
    s.fontPt = fontPt;
    return s;
}

QFont PlotStyle::font(double scale, bool bold) const {
    QFont f = QGuiApplication::font();
    f.setStyleHint(QFont::SansSerif);
    f.setPointSizeF(fontPt * scale);
    f.setBold(bold);
    return f;
}

}  // namespace hace::views
