// A figure ready to draw anywhere: its data plus the renderer that draws it. Widgets paint it
// on screen, figure_export.h writes it to PDF/SVG/PNG, `hace plot` does the same headless.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <QPainter>
#include <QRectF>

#include "views/plot/curve_renderer.h"
#include "views/plot/figure_data.h"
#include "views/plot/heatmap_renderer.h"
#include "views/plot/hiv_renderer.h"
#include "views/plot/plot_style.h"
#include "views/plot/tokens_renderer.h"

namespace hace::views {

// Stable figure ids (the `hace plot --figure` values).
enum class FigureKind { Heatmap, Curve, Niah, Cliff, Tokens, Hiv };
// "heatmap", "curve", "niah", "cliff", "tokens", "hiv"
const char* figureKindId(FigureKind kind);
std::optional<FigureKind> figureKindFromId(const std::string& id);

class Figure {
public:
    virtual ~Figure() = default;
    virtual void paint(QPainter& p, const QRectF& area, const PlotStyle& style) const = 0;
    // Preferred height / width.
    virtual double aspect() const = 0;
    // Hover text (rich text) for a point of the last on-screen paint; empty: none.
    virtual QString toolTipAt(const QPointF& /*point*/) const { return {}; }
};

class HeatmapFigure final : public Figure {
public:
    explicit HeatmapFigure(HeatmapData data, HeatmapParameters params = HeatmapParameters())
        : data_(std::move(data)), params_(params) {}
    void paint(QPainter& p, const QRectF& area, const PlotStyle& style) const override;
    double aspect() const override;
    const HeatmapData& data() const { return data_; }

private:
    HeatmapData data_;
    HeatmapParameters params_;
};

class CurveFigure final : public Figure {
public:
    explicit CurveFigure(CurveData data, CurveParameters params = CurveParameters())
        : data_(std::move(data)), params_(params) {}
    void paint(QPainter& p, const QRectF& area, const PlotStyle& style) const override;
    double aspect() const override { return 0.78; }
    const CurveData& data() const { return data_; }

private:
    CurveData data_;
    CurveParameters params_;
};

class CliffFigure final : public Figure {
public:
    explicit CliffFigure(CurveData data) : data_(std::move(data)) {}
    void paint(QPainter& p, const QRectF& area, const PlotStyle& style) const override;
    double aspect() const override;
    const CurveData& data() const { return data_; }

private:
    CurveData data_;
};

class NeedleFigure final : public Figure {
public:
    explicit NeedleFigure(NeedleData data) : data_(std::move(data)) {}
    void paint(QPainter& p, const QRectF& area, const PlotStyle& style) const override;
    double aspect() const override { return 0.62; }
    const NeedleData& data() const { return data_; }

private:
    NeedleData data_;
};

class TokensFigure final : public Figure {
public:
    explicit TokensFigure(TokenViewData data) : data_(std::move(data)) {}
    void paint(QPainter& p, const QRectF& area, const PlotStyle& style) const override;
    double aspect() const override;
    QString toolTipAt(const QPointF& point) const override;
    const TokenViewData& data() const { return data_; }

private:
    TokenViewData data_;
    // The boxes of the last paint, for hover (a figure is painted and hovered on the GUI thread).
    mutable TokensRenderer::Result last_;
};

class HivFigure final : public Figure {
public:
    explicit HivFigure(HivData data) : data_(std::move(data)) {}
    void paint(QPainter& p, const QRectF& area, const PlotStyle& style) const override;
    double aspect() const override;
    const HivData& data() const { return data_; }

private:
    HivData data_;
};

}  // namespace hace::views
