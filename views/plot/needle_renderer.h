// Needle-in-a-haystack map: context length across, needle depth down (0% at the top), each
// cell coloured by its mean score on the red-yellow-green scale of the reference plots.
#pragma once

#include <vector>

#include <QCoreApplication>
#include <QPainter>

#include "views/plot/figure_data.h"
#include "views/plot/plot_style.h"

namespace hace::views {

class NeedleRenderer {
    Q_DECLARE_TR_FUNCTIONS(hace::views::NeedleRenderer)

public:
    struct Cell {
        std::size_t depth = 0, length = 0;  // indices into NeedleData
        QRectF rect;
        QColor colour;
        double score = 0.0;
    };
    struct Result {
        QRectF plot;
        std::vector<Cell> cells;
        double meanScore = 0.0;  // over the cells that ran
    };

    static QString title(const NeedleData& data);
    static Result render(QPainter& p, const QRectF& area, const NeedleData& data,
                         const PlotStyle& style);
};

}  // namespace hace::views
