// Performance cliff per method as horizontal bars: the lowest retention at which the method
// stays within the tolerance of the full-cache score (lower is better), best method on top.
#pragma once

#include <string>
#include <vector>

#include <QCoreApplication>
#include <QPainter>

#include "views/plot/figure_data.h"
#include "views/plot/plot_style.h"

namespace hace::views {

class CliffRenderer {
    Q_DECLARE_TR_FUNCTIONS(hace::views::CliffRenderer)

public:
    struct Bar {
        std::string method, mode;
        CliffKind kind = CliffKind::None;
        double cliff = 0.0;
        QRectF rect;    // empty for AboveRange / None
        QString label;  // the text at the bar's end
    };
    struct Result {
        QRectF plot;
        std::vector<Bar> bars;  // top to bottom
    };

    static QString title(const CurveData& data);
    static Result render(QPainter& p, const QRectF& area, const CurveData& data,
                         const PlotStyle& style);
};

}  // namespace hace::views
