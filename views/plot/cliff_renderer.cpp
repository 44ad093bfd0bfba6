#include "views/plot/cliff_renderer.h"

#include <QFontMetricsF>

#include <algorithm>
#include <limits>

#include "views/common/colour_scale.h"
#include "views/common/method_labels.h"
#include "views/plot/axes.h"

namespace hace::views {
namespace {

int rank(CliffKind k) {
    switch (k) {
        case CliffKind::BelowRange:
        case CliffKind::Found:
            return 0;
        case CliffKind::AboveRange:
            return 1;
        case CliffKind::None:
            return 2;
    }
    return 2;
}

}  // namespace

QString CliffRenderer::title(const CurveData& data) {
    return tr("Performance cliff (%1 within %2% of full cache)")
        .arg(Labels::metric(data.metric), numberLabel(data.tolerancePercent));
}

CliffRenderer::Result CliffRenderer::render(QPainter& p, const QRectF& area, const CurveData& data,
                                            const PlotStyle& s) {
    Result result;
    const QRectF body = drawTitle(p, s, area, title(data), data.caption);
    std::vector<std::size_t> order(data.series.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& sa = data.series[a];
        const auto& sb = data.series[b];
        if (rank(sa.cliffKind) != rank(sb.cliffKind))
            return rank(sa.cliffKind) < rank(sb.cliffKind);
        return rank(sa.cliffKind) == 0 && sa.cliff < sb.cliff;
    });

    double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
    for (const auto& series : data.series) {
        for (const auto& pt : series.points) {
            lo = std::min(lo, pt.retention);
            hi = std::max(hi, pt.retention);
        }
    }
    if (!std::isfinite(lo)) {
        lo = 0.01;
        hi = 1.0;
    }
    lo /= 1.6;
    hi *= 1.3;

    AxisSpec x{tr("Lowest retention within tolerance"), {}, {}};
    x.scale = ValueScale(lo, hi, true);
    x.ticks = logTicks(lo, hi, percentLabel);
    const QFont labelFont = s.font(0.9);
    const QFontMetricsF fm(labelFont, p.device());
    double names = 0.0;
    for (const auto& series : data.series) {
        names = std::max(names, fm.horizontalAdvance(Labels::method(series.method, series.mode)));
    }
    const double left = names + s.px(6);
    const double bottom = bottomAxisHeight(p, s, x);
    const double valueRoom = fm.horizontalAdvance(tr("fails at every ratio")) + s.px(4);
    const QRectF plot(body.left() + left, body.top() + s.px(2),
                      std::max(1.0, body.width() - left - valueRoom),
                      std::max(1.0, body.height() - bottom - s.px(2)));
    result.plot = plot;
    x.scale.setPixels(plot.left(), plot.right());
    drawBottomAxis(p, s, plot, x, true);

    const double rowH = plot.height() / std::max<std::size_t>(1, order.size());
    p.save();
    p.setFont(labelFont);
    for (std::size_t row = 0; row < order.size(); ++row) {
        const auto& series = data.series[order[row]];
        const int k = static_cast<int>(order[row]);
        Bar bar{series.method, series.mode, series.cliffKind, series.cliff, {}, {}};
        const double yc = plot.top() + (static_cast<double>(row) + 0.5) * rowH;
        p.setPen(Qt::black);
        p.drawText(QRectF(body.left(), yc - rowH / 2, left - s.px(4), rowH),
                   Qt::AlignRight | Qt::AlignVCenter, Labels::method(series.method, series.mode));
        double end = plot.left();
        switch (series.cliffKind) {
            case CliffKind::Found:
                bar.label = percentLabel(series.cliff);
                break;
            case CliffKind::BelowRange:
                bar.label = QChar(0x2264) + percentLabel(series.cliff);  // "at most"
                break;
            case CliffKind::AboveRange:
                bar.label = tr("fails at every ratio");
                break;
            case CliffKind::None:
                bar.label = tr("no full-cache result");
                break;
        }
        if (series.cliffKind == CliffKind::Found || series.cliffKind == CliffKind::BelowRange) {
            end = x.scale.map(series.cliff);
            bar.rect = QRectF(plot.left(), yc - rowH * 0.32, end - plot.left(), rowH * 0.64);
            QColor fill = seriesColour(k);
            if (series.cliffKind == CliffKind::BelowRange) fill.setAlpha(140);
            p.fillRect(bar.rect, fill);
        }
        p.setPen(QColor(0x30, 0x30, 0x30));
        p.drawText(QRectF(end + s.px(3), yc - rowH / 2, plot.right() + valueRoom - end, rowH),
                   Qt::AlignLeft | Qt::AlignVCenter, bar.label);
        result.bars.push_back(std::move(bar));
    }
    p.restore();
    drawFrame(p, s, plot);
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
