#include "views/plot/tokens_renderer.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

#include "views/common/method_labels.h"
#include "views/plot/axes.h"

namespace hace::views {
namespace {

const QColor kSideColour[2] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e)};
const QColor kBothColour(0x2c, 0xa0, 0x2c);
const QColor kNeedleColour(0xd6, 0x27, 0x28);
const QColor kQuestionFill(0xdd, 0xdd, 0xdd);

// What a token shows: newlines and tabs as visible marks (a newline also ends the line).
QString shown(const QString& text) {
    QString s = text;
    s.replace(QLatin1Char('\n'), QChar(0x21b5));
    s.replace(QLatin1Char('\t'), QChar(0x2192));
    s.replace(QLatin1Char('\r'), QString());
    return s;
}

struct Placed {
    std::size_t token;
    QRectF rect;  // relative to the panel's top left
};

// Flows the tokens into lines of `width`; returns the boxes and the height used.
std::vector<Placed> flow(const TokenViewData& data, const QFontMetricsF& fm, double width,
                         double& height) {
    std::vector<Placed> out;
    const double lineH = fm.height() * 1.25;
    const double pad = fm.horizontalAdvance(QLatin1Char(' ')) * 0.15;
    double x = 0.0, y = 0.0;
    for (std::size_t i = 0; i < data.tokens.size(); ++i) {
        const QString text = shown(data.tokens[i]);
        const double w = std::max(fm.horizontalAdvance(text), fm.averageCharWidth() * 0.5) + pad;
        if (x > 0.0 && x + w > width) {
            x = 0.0;
            y += lineH;
        }
        out.push_back({i, QRectF(x, y, std::min(w, width), fm.height())});
        x += w;
        if (data.tokens[i].contains(QLatin1Char('\n'))) {
            x = 0.0;
            y += lineH;
        }
    }
    height = y + lineH;
    return out;
}

LegendEntry entry(const QString& label, const QColor& colour) {
    LegendEntry e;
    e.label = label;
    e.colour = colour;
    return e;
}

QString methodLabel(const TokenSide& side) {
    return Labels::method(side.method, side.mode);
}

}  // namespace

QString TokensRenderer::title(const TokenViewData& data) {
    QString scope;
    if (data.layer && data.head)
        scope = tr("layer %1, KV head %2").arg(*data.layer).arg(*data.head);
    else if (data.layer)
        scope = tr("layer %1, every KV head").arg(*data.layer);
    else if (data.head)
        scope = tr("KV head %1 of every layer").arg(*data.head);
    else
        scope = tr("every layer and KV head");
    return tr("Kept tokens (%1)").arg(scope);
}

TokensRenderer::Category TokensRenderer::category(const TokenViewData& data, std::size_t token) {
    if (data.sides.size() < 2) return Category::Neither;
    const bool a = data.keptBy(0, token), b = data.keptBy(1, token);
    if (a && b) return Category::Both;
    if (a) return Category::AOnly;
    if (b) return Category::BOnly;
    return Category::Neither;
}

QColor TokensRenderer::shade(std::size_t side, double fraction) {
    const QColor base = kSideColour[std::min<std::size_t>(side, 1)];
    const double t = std::clamp(fraction, 0.0, 1.0) * 0.75;  // text stays readable on the darkest
    return QColor::fromRgbF(static_cast<float>(1.0 - t * (1.0 - base.redF())),
                            static_cast<float>(1.0 - t * (1.0 - base.greenF())),
                            static_cast<float>(1.0 - t * (1.0 - base.blueF())));
}

TokensRenderer::Result TokensRenderer::render(QPainter& p, const QRectF& area,
                                              const TokenViewData& data, const PlotStyle& s) {
    Result result;
    QRectF body = drawTitle(p, s, area, title(data), data.caption);
    if (data.tokens.empty() || data.sides.empty()) {
        p.save();
        p.setFont(s.font());
        p.setPen(QColor(0x70, 0x70, 0x70));
        p.drawText(body, Qt::AlignCenter, tr("No kept positions stored for this sample"));
        p.restore();
        return result;
    }
    // Legend: the categories (two methods) or the shade (one), the needle and the question.
    std::vector<LegendEntry> legend;
    if (data.sides.size() == 2) {
        legend.push_back(
            entry(tr("kept by %1 only").arg(methodLabel(data.sides[0])), kSideColour[0]));
        legend.push_back(
            entry(tr("kept by %1 only").arg(methodLabel(data.sides[1])), kSideColour[1]));
        legend.push_back(entry(tr("kept by both"), kBothColour));
    } else {
        legend.push_back(entry(tr("shade: share of segments that kept the token"), kSideColour[0]));
    }
    if (data.needle) legend.push_back(entry(tr("needle"), kNeedleColour));
    if (data.queryStart) {
        legend.push_back(entry(tr("question (appended uncompressed)"), kQuestionFill.darker(130)));
    }
    const double legendH = legendHeight(p, s, legend, body.width());
    drawLegend(p, s, QRectF(body.left(), body.top(), body.width(), legendH), legend);
    body.setTop(body.top() + legendH + s.px(2));

    const std::size_t nSides = data.sides.size();
    const double gap = s.px(6);
    const double panelW =
        (body.width() - gap * static_cast<double>(nSides - 1)) / static_cast<double>(nSides);
    QFont headerFont = s.font(1.0, true);
    const double headerH = QFontMetricsF(headerFont, p.device()).height() + s.px(2);
    const double textH = std::max(1.0, body.height() - headerH);

    // The largest font (from 0.9x the body size down) at which the prompt fits.
    double scale = 0.9;
    std::vector<Placed> placed;
    QFont font;
    for (int attempt = 0; attempt < 40; ++attempt) {
        font = s.font(scale);
        double used = 0.0;
        placed = flow(data, QFontMetricsF(font, p.device()), panelW, used);
        if (used <= textH || s.fontPt * scale <= 1.0) break;
        scale *= std::clamp(std::sqrt(textH / used) * 0.98, 0.5, 0.97);
    }
    result.fontPt = s.fontPt * scale;
    const QFontMetricsF fm(font, p.device());

    for (std::size_t side = 0; side < nSides; ++side) {
        const QRectF panel(body.left() + static_cast<double>(side) * (panelW + gap), body.top(),
                           panelW, body.height());
        result.panels.push_back(panel);
        p.save();
        p.setFont(headerFont);
        p.setPen(Qt::black);
        p.drawText(QRectF(panel.left(), panel.top(), panel.width(), headerH),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   methodLabel(data.sides[side]) + QStringLiteral("  ") + data.sides[side].caption);
        p.setFont(font);
        const QPointF origin(panel.left(), panel.top() + headerH);
        std::vector<QRectF> needleRects;
        for (const Placed& pl : placed) {
            const QRectF r = pl.rect.translated(origin);
            const bool question = data.queryStart && std::int64_t(pl.token) >= *data.queryStart;
            const QColor fill =
                question ? kQuestionFill : shade(side, data.sides[side].fraction[pl.token]);
            const Category cat = category(data, pl.token);
            p.setPen(Qt::NoPen);
            p.setBrush(fill);
            p.drawRect(r);
            if (cat != Category::Neither && !question) {
                const QColor line = cat == Category::Both    ? kBothColour
                                    : cat == Category::AOnly ? kSideColour[0]
                                                             : kSideColour[1];
                p.setPen(QPen(line, std::max(s.px(0.6), fm.height() * 0.08)));
                p.drawLine(QPointF(r.left(), r.bottom()), QPointF(r.right(), r.bottom()));
            }
            p.setPen(Qt::black);
            p.drawText(r, Qt::AlignLeft | Qt::AlignVCenter, shown(data.tokens[pl.token]));
            result.boxes.push_back({side, pl.token, r, fill, cat});
            if (data.needle && std::int64_t(pl.token) >= data.needle->first &&
                std::int64_t(pl.token) < data.needle->second) {
                // One outline per line of the span.
                if (!needleRects.empty() && std::abs(needleRects.back().top() - r.top()) < 0.5)
                    needleRects.back() = needleRects.back().united(r);
                else
                    needleRects.push_back(r);
            }
        }
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(kNeedleColour, s.px(0.8)));
        for (const QRectF& r : needleRects) p.drawRect(r.adjusted(-0.5, -0.5, 0.5, 0.5));
        result.needleOutlines += needleRects.size();
        p.restore();
    }
    return result;
}

QString TokensRenderer::describeToken(const TokenViewData& data, std::size_t token) {
    if (token >= data.tokens.size()) return {};
    QString out = tr("Token %1: \"%2\"").arg(token).arg(shown(data.tokens[token]).toHtmlEscaped());
    if (data.queryStart && std::int64_t(token) >= *data.queryStart) {
        return out + QStringLiteral("<br>") + tr("question, appended after compression");
    }
    for (const TokenSide& side : data.sides) {
        QString heads;
        std::int64_t kept = 0, segments = 0;
        for (std::int64_t l = 0; l < side.layers; ++l) {
            if (data.layer && l != *data.layer) continue;
            QString inLayer;
            for (std::int64_t h = 0; h < side.heads; ++h) {
                if (data.head && h != *data.head) continue;
                ++segments;
                const auto& seg = side.segments[static_cast<std::size_t>(l * side.heads + h)];
                if (!std::binary_search(seg.begin(), seg.end(), std::int64_t(token))) continue;
                ++kept;
                inLayer +=
                    (inLayer.isEmpty() ? QString() : QStringLiteral(",")) + QString::number(h);
            }
            if (!inLayer.isEmpty()) {
                heads += (heads.isEmpty() ? QString() : QStringLiteral("; ")) +
                         tr("L%1: %2").arg(l).arg(inLayer);
            }
        }
        out += QStringLiteral("<br><b>") + methodLabel(side).toHtmlEscaped() +
               QStringLiteral("</b>: ") + tr("kept by %1 of %2 heads").arg(kept).arg(segments);
        if (!heads.isEmpty()) out += QStringLiteral(" (") + heads + QStringLiteral(")");
    }
    return out;
}

}  // namespace hace::views
