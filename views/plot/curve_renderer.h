// Retention-performance curves: one line per method (score over the kept fraction of the
// cache, log scale), the full-cache score as a dashed line with its tolerance band, and each
// method's performance cliff (hace::metrics::find_cliff) ringed on its curve. Each point with an
// interval (CurvePoint::ciLow/ciHigh, computed by the engine) gets a 95% error bar. The x axis is
// labelled at every measured retention. Points of different series that would be drawn on top of
// each other (same retention, less than a marker apart) are spread sideways by a few pixels in
// series order, so every series stays visible; each series also has its own marker and dash.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QPainter>

#include "views/plot/axes.h"
#include "views/plot/figure_data.h"
#include "views/plot/plot_style.h"

namespace hace::views {

struct CurveParameters {
    bool logX = true;
    std::optional<double> yMin, yMax;  // the data's range (from 0) by default
};

class CurveRenderer {
    Q_DECLARE_TR_FUNCTIONS(hace::views::CurveRenderer)

public:
    using Parameters = CurveParameters;
    struct SeriesGeometry {
        std::string method, mode;
        std::vector<QPointF> points;                         // markers, after any sideways spread
        std::optional<QPointF> cliff;                        // where the ring is drawn
        std::vector<std::pair<QPointF, QPointF>> errorBars;  // (low end, high end)
    };
    struct Result {
        QRectF plot;
        ValueScale x, y;
        Ticks xTicks;
        std::vector<SeriesGeometry> series;
    };

    static QString title(const CurveData& data);
    static Result render(QPainter& p, const QRectF& area, const CurveData& data,
                         const PlotStyle& style, const Parameters& params = CurveParameters());
};

}  // namespace hace::views
