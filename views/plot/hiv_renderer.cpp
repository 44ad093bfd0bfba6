#include "views/plot/hiv_renderer.h"

#include "views/plot/axes.h"

namespace hace::views {

QString HivRenderer::title(const HivData&) {
    return tr("Head importance variance test (HIV)");
}

HivRenderer::Result HivRenderer::render(QPainter& p, const QRectF& area, const HivData& data,
                                        const PlotStyle& s) {
    const QRectF body = drawTitle(p, s, area, title(data), data.caption);
    const double gap = s.px(8);
    const double w = (body.width() - gap) / 2.0;
    // The panels carry their own statistic titles; the figure title above names the test.
    PlotStyle panel = s;
    panel.showTitle = true;
    Result r;
    r.importance = HeatmapRenderer::render(p, QRectF(body.left(), body.top(), w, body.height()),
                                           data.importance, panel);
    r.variance = HeatmapRenderer::render(
        p, QRectF(body.left() + w + gap, body.top(), w, body.height()), data.variance, panel);
    return r;
}

}  // namespace hace::views
