#include "views/plot/figure.h"

#include <algorithm>

#include "views/plot/cliff_renderer.h"
#include "views/plot/needle_renderer.h"

namespace hace::views {

const char* figureKindId(FigureKind kind) {
    switch (kind) {
        case FigureKind::Heatmap:
            return "heatmap";
        case FigureKind::Curve:
            return "curve";
        case FigureKind::Niah:
            return "niah";
        case FigureKind::Cliff:
            return "cliff";
        case FigureKind::Tokens:
            return "tokens";
        case FigureKind::Hiv:
            return "hiv";
    }
    return "heatmap";
}

std::optional<FigureKind> figureKindFromId(const std::string& id) {
    for (const auto k : {FigureKind::Heatmap, FigureKind::Curve, FigureKind::Niah,
                         FigureKind::Cliff, FigureKind::Tokens, FigureKind::Hiv}) {
        if (id == figureKindId(k)) return k;
    }
    return std::nullopt;
}

void HeatmapFigure::paint(QPainter& p, const QRectF& area, const PlotStyle& style) const {
    HeatmapRenderer::render(p, area, data_, style, params_);
}

double HeatmapFigure::aspect() const {
    // Cells close to square, within a sensible page shape.
    if (data_.heads <= 0) return 0.75;
    const double ratio = static_cast<double>(data_.layers) / static_cast<double>(data_.heads);
    return std::clamp(ratio * 0.85 + 0.15, 0.5, 1.2);
}

void CurveFigure::paint(QPainter& p, const QRectF& area, const PlotStyle& style) const {
    CurveRenderer::render(p, area, data_, style, params_);
}

void CliffFigure::paint(QPainter& p, const QRectF& area, const PlotStyle& style) const {
    CliffRenderer::render(p, area, data_, style);
}

double CliffFigure::aspect() const {
    return std::clamp(0.22 + 0.07 * static_cast<double>(data_.series.size()), 0.4, 1.0);
}

void NeedleFigure::paint(QPainter& p, const QRectF& area, const PlotStyle& style) const {
    NeedleRenderer::render(p, area, data_, style);
}

void TokensFigure::paint(QPainter& p, const QRectF& area, const PlotStyle& style) const {
    last_ = TokensRenderer::render(p, area, data_, style);
}

double TokensFigure::aspect() const {
    // About 14 tokens per line of a single-column panel; the renderer shrinks the font to fit.
    const double lines = static_cast<double>(data_.tokens.size()) / 14.0 *
                         static_cast<double>(std::max<std::size_t>(1, data_.sides.size()));
    return std::clamp(0.25 + lines * 0.02, 0.45, 1.4);
}

QString TokensFigure::toolTipAt(const QPointF& point) const {
    for (const auto& box : last_.boxes) {
        if (box.rect.contains(point)) return TokensRenderer::describeToken(data_, box.token);
    }
    return {};
}

void HivFigure::paint(QPainter& p, const QRectF& area, const PlotStyle& style) const {
    HivRenderer::render(p, area, data_, style);
}

double HivFigure::aspect() const {
    const auto& d = data_.importance;
    if (d.heads <= 0) return 0.5;
    const double ratio = static_cast<double>(d.layers) / static_cast<double>(2 * d.heads);
    return std::clamp(ratio * 0.85 + 0.2, 0.35, 1.0);
}

}  // namespace hace::views
