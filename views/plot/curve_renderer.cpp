#include "views/plot/curve_renderer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "views/common/colour_scale.h"
#include "views/common/method_labels.h"

namespace hace::views {
namespace {

// Ticks at exactly the measured retentions (or budgets), so every point has its label.
Ticks measuredTicks(const std::set<double>& values, QString (*label)(double)) {
    Ticks t;
    for (const double r : values) {
        t.values.push_back(r);
        t.labels.push_back(label(r));
    }
    return t;
}

// Sideways offsets (pixels) per series and point: at one retention, points closer than `near`
// vertically form a cluster, spread `step` apart around their common x in series order.
std::vector<std::vector<double>> spreadOffsets(const CurveData& data, const ValueScale& y,
                                               double near, double step) {
    std::vector<std::vector<double>> dx(data.series.size());
    std::map<double, std::vector<std::pair<double, std::size_t>>> at;  // retention -> (y, series)
    for (std::size_t i = 0; i < data.series.size(); ++i) {
        dx[i].assign(data.series[i].points.size(), 0.0);
        for (const auto& pt : data.series[i].points)
            at[pt.retention].emplace_back(y.map(pt.score), i);
    }
    for (auto& [r, list] : at) {
        std::sort(list.begin(), list.end());
        for (std::size_t a = 0; a < list.size();) {
            std::size_t b = a + 1;
            while (b < list.size() && list[b].first - list[b - 1].first < near) ++b;
            if (b - a > 1) {
                std::vector<std::size_t> members;
                for (std::size_t k = a; k < b; ++k) members.push_back(list[k].second);
                std::sort(members.begin(), members.end());
                const double mid = static_cast<double>(members.size() - 1) / 2.0;
                for (std::size_t k = 0; k < members.size(); ++k) {
                    const auto& pts = data.series[members[k]].points;
                    for (std::size_t j = 0; j < pts.size(); ++j) {
                        if (pts[j].retention == r) {
                            dx[members[k]][j] = (static_cast<double>(k) - mid) * step;
                        }
                    }
                }
            }
            a = b;
        }
    }
    return dx;
}

}  // namespace

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
    std::set<double> measured;
    bool intervals = false;
    for (const auto& series : data.series) {
        for (const auto& pt : series.points) {
            measured.insert(pt.retention);
            rLo = std::min(rLo, pt.retention);
            rHi = std::max(rHi, pt.retention);
            yHi = std::max({yHi, pt.score, pt.ciHigh.value_or(pt.score)});
            yLo = std::min({yLo, pt.score, pt.ciLow.value_or(pt.score)});
            intervals = intervals || (pt.ciLow && pt.ciHigh);
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
        x.ticks = measured.empty() ? logTicks(lo, hi, xLabel) : measuredTicks(measured, xLabel);
    } else {
        // From 0, with room after the largest value so its point does not sit on the frame.
        const double hi = rHi * 1.08;
        x.ticks = measuredTicks(measured, xLabel);
        x.ticks.values.insert(x.ticks.values.begin(), 0.0);
        x.ticks.labels.insert(x.ticks.labels.begin(), xLabel(0.0));
        x.scale = ValueScale(0.0, hi, false);
    }
    result.xTicks = x.ticks;
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
    if (intervals) {
        legend.push_back({tr("Error bars: 95% confidence interval"), QColor(0x20, 0x20, 0x20),
                          Qt::SolidLine, std::nullopt, false, false});
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
    const auto offsets = spreadOffsets(data, y.scale, s.px(4), s.px(3.5));
    for (std::size_t i = 0; i < data.series.size(); ++i) {
        const auto& series = data.series[i];
        const int k = static_cast<int>(i);
        SeriesGeometry geo{series.method, series.mode, {}, std::nullopt, {}};
        for (std::size_t j = 0; j < series.points.size(); ++j) {
            const auto& pt = series.points[j];
            const double px = x.scale.map(pt.retention) + offsets[i][j];
            geo.points.emplace_back(px, y.scale.map(pt.score));
            if (pt.ciLow && pt.ciHigh) {
                geo.errorBars.emplace_back(QPointF(px, y.scale.map(*pt.ciLow)),
                                           QPointF(px, y.scale.map(*pt.ciHigh)));
            }
        }
        p.setPen(QPen(seriesColour(k), s.px(0.8)));
        for (const auto& [lo, hi] : geo.errorBars) {
            const double cap = s.px(2.0);
            p.drawLine(lo, hi);
            p.drawLine(QPointF(lo.x() - cap, lo.y()), QPointF(lo.x() + cap, lo.y()));
            p.drawLine(QPointF(hi.x() - cap, hi.y()), QPointF(hi.x() + cap, hi.y()));
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
                const QPointF c = geo.points[static_cast<std::size_t>(it - series.points.begin())];
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
