// Sizes of a figure on its paint device: everything is specified in typographic points and
// converted with the device's resolution, so one renderer serves a 96-dpi widget, a 300-dpi
// PNG, a vector PDF and an SVG alike (fonts are given in points and Qt resolves them per device).
#pragma once

#include <QFont>
#include <QPaintDevice>

namespace hace::views {

struct PlotStyle {
    double pxPerPt = 1.0;  // device pixels per point (1/72 in)
    double fontPt = 8.0;   // body text; tick labels are 0.9x, titles 1.1x
    bool showTitle = true;

    static PlotStyle forDevice(const QPaintDevice& device, double fontPt = 8.0);
    double px(double points) const { return points * pxPerPt; }
    QFont font(double scale = 1.0, bool bold = false) const;
};

}  // namespace hace::views
