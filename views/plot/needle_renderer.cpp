#include "views/plot/needle_renderer.h"

#include <cmath>

#include "views/common/colour_scale.h"
#include "views/common/method_labels.h"
#include "views/plot/axes.h"

namespace hace::views {
namespace {

double meanOf(const NeedleData& d) {
    double sum = 0.0;
    int n = 0;
    for (const double v : d.scores) {
        if (std::isfinite(v)) {
            sum += v;
            ++n;
        }
    }
    return n ? sum / n : std::nan("");
}

}  // namespace

QString NeedleRenderer::title(const NeedleData& data) {
    const double mean = meanOf(data);
    if (!std::isfinite(mean)) return tr("Needle in a haystack");
    return tr("Needle in a haystack (mean %1: %2)")
        .arg(Labels::metric(data.metric), numberLabel(mean));
}

NeedleRenderer::Result NeedleRenderer::render(QPainter& p, const QRectF& area,
                                              const NeedleData& data, const PlotStyle& s) {
    Result result;
    result.meanScore = meanOf(data);
    const QRectF body = drawTitle(p, s, area, title(data), data.caption);
    const std::size_t nl = data.lengths.size(), nd = data.depths.size();
    if (nl == 0 || nd == 0 || data.scores.size() != nl * nd) {
        p.save();
        p.setFont(s.font());
        p.setPen(QColor(0x70, 0x70, 0x70));
        p.drawText(body, Qt::AlignCenter, tr("No needle results"));
        p.restore();
        return result;
    }
    AxisSpec x{tr("Context length (tokens)"), {}, {}};
    AxisSpec y{tr("Needle depth (%)"), {}, {}};
    for (std::size_t i = 0; i < nl; ++i) {
        x.ticks.values.push_back(static_cast<double>(i));
        x.ticks.labels.push_back(tokensLabel(data.lengths[i]));
    }
    for (std::size_t i = 0; i < nd; ++i) {
        y.ticks.values.push_back(static_cast<double>(i));
        y.ticks.labels.push_back(numberLabel(data.depths[i]));
    }
    const std::vector<QString> barLabels = {QStringLiteral("0"), numberLabel(data.scoreMax / 2),
                                            numberLabel(data.scoreMax)};
    const QString barTitle = Labels::metric(data.metric);
    const double barW = colourBarWidth(p, s, barTitle, barLabels);
    const double left = leftAxisWidth(p, s, y);
    const double bottom = bottomAxisHeight(p, s, x);
    const QRectF plot(body.left() + left, body.top() + s.px(2),
                      std::max(1.0, body.width() - left - barW - s.px(2)),
                      std::max(1.0, body.height() - bottom - s.px(2)));
    result.plot = plot;
    x.scale = ValueScale(-0.5, static_cast<double>(nl) - 0.5, false);
    x.scale.setPixels(plot.left(), plot.right());
    y.scale = ValueScale(-0.5, static_cast<double>(nd) - 0.5, false);
    y.scale.setPixels(plot.top(), plot.bottom());

    const double cw = plot.width() / static_cast<double>(nl);
    const double ch = plot.height() / static_cast<double>(nd);
    p.save();
    p.setRenderHint(QPainter::Antialiasing, false);
    for (std::size_t d = 0; d < nd; ++d) {
        for (std::size_t l = 0; l < nl; ++l) {
            const double v = data.at(d, l);
            const QColor colour = colourAt(ColourScale::Needle, v / data.scoreMax);
            const QRectF rect(plot.left() + static_cast<double>(l) * cw,
                              plot.top() + static_cast<double>(d) * ch, cw, ch);
            p.fillRect(rect, colour);
            // Thin white grid lines separate the cells, as in the reference plots.
            p.setPen(QPen(Qt::white, s.px(0.5)));
            p.drawRect(rect);
            result.cells.push_back({d, l, rect, colour, v});
        }
    }
    p.restore();
    drawFrame(p, s, plot);
    drawBottomAxis(p, s, plot, x, false);
    drawLeftAxis(p, s, plot, y, false);
    drawColourBar(p, s, QRectF(plot.right(), plot.top(), barW, plot.height()), ColourScale::Needle,
                  barLabels, barTitle);
    return result;
}

}  // namespace hace::views
