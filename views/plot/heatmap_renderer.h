// Layer x head heatmap of one per-head statistic (kept entries, budget, head importance, ...):
// heads across, layers down (layer 0 at the top), a colour bar on the right. Draws on any
// QPainter; the result lists every cell with its rectangle and colour, so tests check the
// mapping without reading pixels.
#pragma once

#include <optional>
#include <vector>

#include <QCoreApplication>
#include <QPainter>

#include "views/common/colour_scale.h"
#include "views/plot/figure_data.h"
#include "views/plot/plot_style.h"

namespace hace::views {

struct HeatmapParameters {
    ColourScale scale = ColourScale::Viridis;
    std::optional<double> minValue, maxValue;  // colour range; the data's by default
};

class HeatmapRenderer {
    Q_DECLARE_TR_FUNCTIONS(hace::views::HeatmapRenderer)

public:
    using Parameters = HeatmapParameters;
    struct Cell {
        std::int64_t layer = 0, head = 0;
        QRectF rect;
        QColor colour;
        double value = 0.0;
    };
    struct Result {
        QRectF plot;  // empty when there is nothing to draw
        double minValue = 0.0, maxValue = 0.0;
        std::vector<Cell> cells;
    };

    static QString title(const HeatmapData& data);
    static Result render(QPainter& p, const QRectF& area, const HeatmapData& data,
                         const PlotStyle& style, const Parameters& params = HeatmapParameters());
};

}  // namespace hace::views
