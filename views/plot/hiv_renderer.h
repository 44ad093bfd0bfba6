// HIV results: two layer x head heatmaps side by side, the head-importance scores (mean over
// the accepted trials) and their variance across trials, under one title.
#pragma once

#include <QCoreApplication>
#include <QPainter>

#include "views/plot/figure_data.h"
#include "views/plot/heatmap_renderer.h"
#include "views/plot/plot_style.h"

namespace hace::views {

class HivRenderer {
    Q_DECLARE_TR_FUNCTIONS(hace::views::HivRenderer)

public:
    struct Result {
        HeatmapRenderer::Result importance, variance;
    };
    static QString title(const HivData& data);
    static Result render(QPainter& p, const QRectF& area, const HivData& data,
                         const PlotStyle& style);
};

}  // namespace hace::views
