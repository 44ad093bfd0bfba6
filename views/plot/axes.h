// Building blocks shared by the renderers: value scales with "nice" ticks, axis and frame
// drawing, series markers, legends and colour bars. All sizes in points through PlotStyle.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <QColor>
#include <QPainter>
#include <QRectF>
#include <QString>

#include "views/common/colour_scale.h"
#include "views/plot/plot_style.h"

namespace hace::views {

struct Ticks {
    std::vector<double> values;
    std::vector<QString> labels;
};

// Maps data values to a pixel range; log scales need lo > 0.
class ValueScale {
public:
    ValueScale() = default;
    ValueScale(double lo, double hi, bool log) : lo_(lo), hi_(hi), log_(log) {}
    void setPixels(double p0, double p1) {
        p0_ = p0;
        p1_ = p1;
    }
    double map(double v) const;
    double lo() const { return lo_; }
    double hi() const { return hi_; }
    bool isLog() const { return log_; }

private:
    double lo_ = 0.0, hi_ = 1.0;
    bool log_ = false;
    double p0_ = 0.0, p1_ = 1.0;
};

// At most maxCount ticks at 1, 2 or 5 times a power of ten covering [lo, hi]; lo/hi are widened
// to the outer ticks.
Ticks linearTicks(double& lo, double& hi, int maxCount);
// Ticks at 1, 2, 5 x 10^k inside [lo, hi] (lo > 0), labelled by `label`.
Ticks logTicks(double lo, double hi, const std::function<QString(double)>& label);

// "0.5%", "1%", "12.5%": a fraction as a percentage with at most 3 significant digits.
QString percentLabel(double fraction);
// Up to 3 significant digits, no trailing zeros: 0.25, 12.5, 1000.
QString numberLabel(double v);
// Token counts: 4096 -> "4K", 1000 -> "1000", 131072 -> "128K".
QString tokensLabel(std::int64_t tokens);

struct AxisSpec {
    QString title;
    Ticks ticks;
    ValueScale scale;
};

// Space the tick labels and title of an axis need outside the plot rectangle, in device pixels.
double leftAxisWidth(const QPainter& p, const PlotStyle& s, const AxisSpec& axis);
double bottomAxisHeight(const QPainter& p, const PlotStyle& s, const AxisSpec& axis);

void drawFrame(QPainter& p, const PlotStyle& s, const QRectF& plot);
// Ticks, tick labels and title; `grid` adds light lines across the plot.
void drawBottomAxis(QPainter& p, const PlotStyle& s, const QRectF& plot, const AxisSpec& axis,
                    bool grid);
void drawLeftAxis(QPainter& p, const PlotStyle& s, const QRectF& plot, const AxisSpec& axis,
                  bool grid);
// The title line at the top of `area`; returns the area below it.
QRectF drawTitle(QPainter& p, const PlotStyle& s, const QRectF& area, const QString& title,
                 const QString& caption);

void drawMarker(QPainter& p, const QPointF& centre, double size, Marker marker,
                const QColor& colour);

struct LegendEntry {
    QString label;
    QColor colour;
    Qt::PenStyle dash = Qt::SolidLine;
    std::optional<Marker> marker;
    bool line = true;
    bool ring = false;  // a hollow circle (the cliff mark)
};

// Legend laid out in as many columns as fit `width`; the height it needs for that width.
double legendHeight(const QPainter& p, const PlotStyle& s, const std::vector<LegendEntry>& entries,
                    double width);
void drawLegend(QPainter& p, const PlotStyle& s, const QRectF& area,
                const std::vector<LegendEntry>& entries);

// A vertical colour bar in `bar` with min/max (and middle) labels to its right and a rotated
// title; colourBarWidth is what it needs in total.
double colourBarWidth(const QPainter& p, const PlotStyle& s, const QString& title,
                      const std::vector<QString>& labels);
void drawColourBar(QPainter& p, const PlotStyle& s, const QRectF& area, ColourScale scale,
                   const std::vector<QString>& labels, const QString& title);

}  // namespace hace::views
