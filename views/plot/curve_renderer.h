// Retention-performance curves: one line per method (score over the kept fraction of the
// cache, log scale), the full-cache score as a dashed line with its tolerance band, and each
// method's performance cliff (hace::metrics::find_cliff) ringed on its curve.
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
        std::vector<QPointF> points;
        std::optional<QPointF> cliff;  // where the ring is drawn
    };
    struct Result {
        QRectF plot;
        ValueScale x, y;
        std::vector<SeriesGeometry> series;
    };

    static QString title(const CurveData& data);
    static Result render(QPainter& p, const QRectF& area, const CurveData& data,
                         const PlotStyle& style, const Parameters& params = CurveParameters());
};

}  // namespace hace::views
