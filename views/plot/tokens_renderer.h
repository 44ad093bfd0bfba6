// The kept-token view: the prompt of one sample as flowing text, each token's box shaded by the
// fraction of (layer, head) segments in scope that kept it. With two methods the panels stand
// side by side (A left, B right) and each token is underlined by its category: kept by A only,
// by B only, by both (no underline: kept by neither). The needle span is outlined and the
// question appended uncompressed (query-agnostic) is greyed. The font shrinks until the prompt
// fits the area. The result lists every token box, so tests check the mapping and the GUI
// answers hover questions without reading pixels.
#pragma once

#include <vector>

#include <QCoreApplication>
#include <QPainter>

#include "views/plot/figure_data.h"
#include "views/plot/plot_style.h"

namespace hace::views {

class TokensRenderer {
    Q_DECLARE_TR_FUNCTIONS(hace::views::TokensRenderer)

public:
    enum class Category { Neither, AOnly, BOnly, Both };
    struct Box {
        std::size_t side = 0, token = 0;
        QRectF rect;
        QColor fill;
        Category category = Category::Neither;
    };
    struct Result {
        std::vector<QRectF> panels;  // one per side
        std::vector<Box> boxes;      // every drawn token box, panel by panel
        double fontPt = 0.0;         // the size the text was set in
        std::size_t needleOutlines = 0;
    };

    static QString title(const TokenViewData& data);
    static Category category(const TokenViewData& data, std::size_t token);
    // The shade of a token kept by `fraction` of the segments of side `side`.
    static QColor shade(std::size_t side, double fraction);
    static Result render(QPainter& p, const QRectF& area, const TokenViewData& data,
                         const PlotStyle& style);
    // Hover text for token `token`: the token, its position, and per method which heads kept it.
    static QString describeToken(const TokenViewData& data, std::size_t token);
};

}  // namespace hace::views
