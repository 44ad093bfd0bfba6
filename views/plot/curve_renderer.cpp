#include "views/plot/curve_renderer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "views/common/colour_scale.h"
#include "views/common/method_labels.h"

namespace hace::views {

QString CurveRenderer::title(const CurveData& data) {
    if (data.budgetAxis) return tr("%1 vs. KV budget").arg(Labels::metric(data.metric));
    return tr("%1 vs. KV retention").arg(Labels::metric(data.metric));
}

CurveRenderer::Result CurveRenderer::render(QPainter& p, const QRectF& area, const CurveData& data,
                                            const PlotStyle& s, const Parameters& params) {
    Result result;
    const QRectF body = drawTitle(p, s, area, title(data), data.caption);

    double rLo = std::numeric_limits<double>::infinity(), rHi = 0.0;
    double yLo = 0.0, yHi = 0.0;
    for (const auto& series : data.series) {
        for (const auto& pt : series.points) {
            rLo = std::min(rLo, pt.retention);
            rHi = std::max(rHi, pt.retention);
            yHi = std::max(yHi, pt.score);
            yLo = std::min(yLo, pt.score);
        }
    }
    if (data.fullScore) yHi = std::max(yHi, *data.fullScore);
    if (!std::isfinite(rLo)) {
        rLo = 0.01;
        rHi = 1.0;
    }
    if (yHi <= yLo) yHi = yLo + 1.0;
    yLo = params.yMin.value_or(yLo);
    yHi = params.yMax.value_or(yHi);

    AxisSpec x{data.budgetAxis ? tr("KV cache budget (tokens per head)") : tr("KV cache retention"),
               {},
               {}};
    AxisSpec y{Labels::metric(data.metric), {}, {}};
    // Budgets (tokens per head) are labelled as numbers, retentions as percentages.
    const auto xLabel = data.budgetAxis ? numberLabel : percentLabel;
    if (params.logX) {
        const double lo = rLo == rHi ? rLo / 2 : rLo / 1.3;
        const double hi = rLo == rHi ? rHi * 2 : rHi * 1.3;
        x.scale = ValueScale(lo, hi, true);
        x.ticks = logTicks(lo, hi, xLabel);
    } else {
        double lo = 0.0, hi = rHi;
        x.ticks = linearTicks(lo, hi, 6);
        for (std::size_t i = 0; i < x.ticks.values.size(); ++i)
            x.ticks.labels[i] = xLabel(x.ticks.values[i]);
        x.scale = ValueScale(lo, hi, false);
    }
    y.ticks = linearTicks(yLo, yHi, 6);
    y.scale = ValueScale(yLo, yHi, false);

    std::vector<LegendEntry> legend;
    for (std::size_t i = 0; i < data.series.size(); ++i) {
        const int k = static_cast<int>(i);
        legend.push_back({Labels::method(data.series[i].method, data.series[i].mode),
                          seriesColour(k), seriesDash(k), seriesMarker(k), true, false});
    }
    const QColor fullColour(0x55, 0x55, 0x55);
    if (data.fullScore) {
        legend.push_back(
            {Labels::method("full"), fullColour, Qt::DashLine, std::nullopt, true, false});
        legend.push_back({tr("Cliff (within %1% of full)").arg(numberLabel(data.tolerancePercent)),
                          QColor(0x20, 0x20, 0x20), Qt::SolidLine, std::nullopt, false, true});
    }
    const double left = leftAxisWidth(p, s, y);
    const double bottom = bottomAxisHeight(p, s, x);
    const double legendH = legendHeight(p, s, legend, body.width() - left);
    const QRectF plot(body.left() + left, body.top() + s.px(2),
                      std::max(1.0, body.width() - left - s.px(6)),
                      std::max(1.0, body.height() - bottom - legendH - s.px(6)));
    result.plot = plot;
    x.scale.setPixels(plot.left(), plot.right());
    y.scale.setPixels(plot.bottom(), plot.top());
    result.x = x.scale;
    result.y = y.scale;

    drawLeftAxis(p, s, plot, y, true);
    drawBottomAxis(p, s, plot, x, true);
    p.save();
    p.setClipRect(plot.adjusted(-s.px(4), -s.px(4), s.px(4), s.px(4)));
    p.setRenderHint(QPainter::Antialiasing, true);
    if (data.fullScore) {
        const double full = *data.fullScore;
        const double band = full - std::abs(full) * data.tolerancePercent / 100.0;
        const double yFull = y.scale.map(full), yBand = y.scale.map(band);
        p.fillRect(QRectF(plot.left(), yFull, plot.width(), yBand - yFull), QColor(0, 0, 0, 18));
        QPen pen(fullColour, s.px(1.0));
        pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.drawLine(QPointF(plot.left(), yFull), QPointF(plot.right(), yFull));
    }
    for (std::size_t i = 0; i < data.series.size(); ++i) {
        const auto& series = data.series[i];
        const int k = static_cast<int>(i);
        SeriesGeometry geo{series.method, series.mode, {}, std::nullopt};
        for (const auto& pt : series.points) {
            geo.points.emplace_back(x.scale.map(pt.retention), y.scale.map(pt.score));
        }
        QPen pen(seriesColour(k), s.px(1.2));
        pen.setStyle(seriesDash(k));
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        if (geo.points.size() > 1)
            p.drawPolyline(geo.points.data(), static_cast<int>(geo.points.size()));
        for (const auto& pt : geo.points)
            drawMarker(p, pt, s.px(4), seriesMarker(k), seriesColour(k));
        if (series.cliffKind == CliffKind::Found || series.cliffKind == CliffKind::BelowRange) {
            const auto it =
                std::find_if(series.points.begin(), series.points.end(),
                             [&](const CurvePoint& c) { return c.retention == series.cliff; });
            if (it != series.points.end()) {
                const QPointF c(x.scale.map(it->retention), y.scale.map(it->score));
                geo.cliff = c;
                p.setPen(QPen(seriesColour(k), s.px(0.9)));
                p.setBrush(Qt::NoBrush);
                p.drawEllipse(c, s.px(4.5), s.px(4.5));
                // A tick on the x axis marks the cliff's retention.
                p.drawLine(QPointF(c.x(), plot.bottom()), QPointF(c.x(), plot.bottom() - s.px(5)));
            }
        }
        result.series.push_back(std::move(geo));
    }
    p.restore();
    drawFrame(p, s, plot);
    drawLegend(p, s, QRectF(plot.left(), body.bottom() - legendH, plot.width(), legendH), legend);
    if (data.series.empty()) {
        p.save();
        p.setFont(s.font());
        p.setPen(QColor(0x70, 0x70, 0x70));
        p.drawText(plot, Qt::AlignCenter, tr("No results with a retention ratio"));
        p.restore();
    }
    return result;
}

}  // namespace hace::views
