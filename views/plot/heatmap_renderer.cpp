#include "views/plot/heatmap_renderer.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>
#include <limits>

#include "views/common/method_labels.h"
#include "views/plot/axes.h"

namespace hace::views {
namespace {

// Ticks at every `step`-th index, the step chosen so that about `room` labels fit.
Ticks indexTicks(std::int64_t count, double room) {
    static constexpr std::int64_t kSteps[] = {1, 2, 4, 5, 8, 10, 16, 20, 32, 50, 64, 100, 128};
    std::int64_t step = kSteps[std::size(kSteps) - 1];
    for (const auto s : kSteps) {
        if (static_cast<double>(count) / static_cast<double>(s) <= std::max(1.0, room)) {
            step = s;
            break;
        }
    }
    Ticks t;
    for (std::int64_t i = 0; i < count; i += step) {
        t.values.push_back(static_cast<double>(i));
        t.labels.push_back(QString::number(i));
    }
    return t;
}

void drawNoData(QPainter& p, const PlotStyle& s, const QRectF& area, const QString& text) {
    p.save();
    p.setFont(s.font());
    p.setPen(QColor(0x70, 0x70, 0x70));
    p.drawText(area, Qt::AlignCenter, text);
    p.restore();
}

}  // namespace

QString HeatmapRenderer::title(const HeatmapData& data) {
    return tr("%1 per head").arg(Labels::headStat(data.stat));
}

HeatmapRenderer::Result HeatmapRenderer::render(QPainter& p, const QRectF& area,
                                                const HeatmapData& data, const PlotStyle& s,
                                                const Parameters& params) {
    Result result;
    const QRectF body = drawTitle(p, s, area, title(data), data.caption);
    if (data.layers <= 0 || data.heads <= 0 ||
        data.values.size() != static_cast<std::size_t>(data.layers * data.heads)) {
        drawNoData(p, s, body, tr("No per-head statistics"));
        return result;
    }
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const double v : data.values) {
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    if (!std::isfinite(lo)) lo = hi = 0.0;
    lo = params.minValue.value_or(lo);
    hi = params.maxValue.value_or(hi);
    result.minValue = lo;
    result.maxValue = hi;

    AxisSpec x{tr("KV head"), {}, {}};
    AxisSpec y{tr("Layer"), {}, {}};
    // Widest possible label first (the tick subset is chosen once the plot size is known).
    y.ticks.labels = {QString::number(data.layers - 1)};
    y.ticks.values = {0.0};
    x.ticks.labels = {QString::number(data.heads - 1)};
    const std::vector<QString> barLabels = {numberLabel(lo), numberLabel((lo + hi) / 2),
                                            numberLabel(hi)};
    const double barW = colourBarWidth(p, s, Labels::headStat(data.stat), barLabels);
    const double left = leftAxisWidth(p, s, y);
    const double bottom = bottomAxisHeight(p, s, x);
    const QRectF plot(body.left() + left, body.top() + s.px(2),
                      std::max(1.0, body.width() - left - barW - s.px(2)),
                      std::max(1.0, body.height() - bottom - s.px(2)));
    result.plot = plot;

    const double fontH = QFontMetricsF(s.font(0.9), p.device()).height();
    x.scale = ValueScale(-0.5, static_cast<double>(data.heads) - 0.5, false);
    x.scale.setPixels(plot.left(), plot.right());
    y.scale = ValueScale(-0.5, static_cast<double>(data.layers) - 0.5, false);
    y.scale.setPixels(plot.top(), plot.bottom());
    x.ticks = indexTicks(data.heads, plot.width() / (fontH * 2.2));
    y.ticks = indexTicks(data.layers, plot.height() / (fontH * 1.3));

    const double cw = plot.width() / static_cast<double>(data.heads);
    const double ch = plot.height() / static_cast<double>(data.layers);
    p.save();
    // No antialiasing: neighbouring cells must not leave hairline seams in PDF viewers.
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(Qt::NoPen);
    result.cells.reserve(data.values.size());
    for (std::int64_t l = 0; l < data.layers; ++l) {
        for (std::int64_t h = 0; h < data.heads; ++h) {
            const double v = data.at(l, h);
            const double t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
            const QColor colour = std::isfinite(v) ? colourAt(params.scale, t) : missingColour();
            const QRectF rect(plot.left() + static_cast<double>(h) * cw,
                              plot.top() + static_cast<double>(l) * ch, cw, ch);
            p.setBrush(colour);
            p.drawRect(rect);
            result.cells.push_back({l, h, rect, colour, v});
        }
    }
    p.restore();
    drawFrame(p, s, plot);
    drawBottomAxis(p, s, plot, x, false);
    drawLeftAxis(p, s, plot, y, false);
    drawColourBar(p, s, QRectF(plot.right(), plot.top(), barW, plot.height()), params.scale,
                  barLabels, Labels::headStat(data.stat));
    return result;
}

}  // namespace hace::views
