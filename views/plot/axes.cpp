#include "views/plot/axes.h"

#include <QFontMetricsF>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace hace::views {
namespace {

QFontMetricsF metrics(const QPainter& p, const QFont& f) {
    return QFontMetricsF(f, p.device());
}

double tickLength(const PlotStyle& s) {
    return s.px(2.5);
}
double gap(const PlotStyle& s) {
    return s.px(2.0);
}

}  // namespace

double ValueScale::map(double v) const {
    double t;
    if (log_) {
        t = (std::log10(v) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_));
    } else {
        t = hi_ == lo_ ? 0.5 : (v - lo_) / (hi_ - lo_);
    }
    return p0_ + t * (p1_ - p0_);
}

Ticks linearTicks(double& lo, double& hi, int maxCount) {
    if (!(hi > lo)) {
        const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    const double raw = (hi - lo) / std::max(1, maxCount - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        step = m * magnitude;
        if (step >= raw) break;
    }
    lo = std::floor(lo / step + 1e-9) * step;
    hi = std::ceil(hi / step - 1e-9) * step;
    Ticks t;
    for (double v = lo; v <= hi + step * 1e-6; v += step) {
        const double clean = std::abs(v) < step * 1e-9 ? 0.0 : v;
        t.values.push_back(clean);
        t.labels.push_back(numberLabel(clean));
    }
    return t;
}

Ticks logTicks(double lo, double hi, const std::function<QString(double)>& label) {
    Ticks t;
    const int k0 = static_cast<int>(std::floor(std::log10(lo))) - 1;
    const int k1 = static_cast<int>(std::ceil(std::log10(hi))) + 1;
    for (int k = k0; k <= k1; ++k) {
        for (const double m : {1.0, 2.0, 5.0}) {
            const double v = m * std::pow(10.0, k);
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) {
                t.values.push_back(v);
                t.labels.push_back(label(v));
            }
        }
    }
    return t;
}

QString numberLabel(double v) {
    if (v == 0.0) return QStringLiteral("0");
    const double a = std::abs(v);
    const int digits = a >= 100 ? 0 : (a >= 10 ? 1 : (a >= 1 ? 2 : 3));
    QString s = QString::number(v, 'f', digits);
    if (s.contains(QLatin1Char('.'))) {
        while (s.endsWith(QLatin1Char('0'))) s.chop(1);
        if (s.endsWith(QLatin1Char('.'))) s.chop(1);
    }
    return s;
}

QString percentLabel(double fraction) {
    const double pct = fraction * 100.0;
    const double a = std::abs(pct);
    const int digits = a >= 10 ? 1 : (a >= 1 ? 2 : 3);
    QString s = QString::number(pct, 'f', digits);
    if (s.contains(QLatin1Char('.'))) {
        while (s.endsWith(QLatin1Char('0'))) s.chop(1);
        if (s.endsWith(QLatin1Char('.'))) s.chop(1);
    }
    return s + QLatin1Char('%');
}

QString tokensLabel(std::int64_t tokens) {
    if (tokens >= 1024 && tokens % 1024 == 0)
        return QString::number(tokens / 1024) + QLatin1Char('K');
    return QString::number(tokens);
}

double leftAxisWidth(const QPainter& p, const PlotStyle& s, const AxisSpec& axis) {
    const auto fm = metrics(p, s.font(0.9));
    double widest = 0.0;
    for (const auto& l : axis.ticks.labels) widest = std::max(widest, fm.horizontalAdvance(l));
    const double title = axis.title.isEmpty() ? 0.0 : metrics(p, s.font()).height() + gap(s);
    return tickLength(s) + gap(s) + widest + gap(s) + title;
}

double bottomAxisHeight(const QPainter& p, const PlotStyle& s, const AxisSpec& axis) {
    const double labels = axis.ticks.labels.empty() ? 0.0 : metrics(p, s.font(0.9)).height();
    const double title = axis.title.isEmpty() ? 0.0 : metrics(p, s.font()).height() + gap(s);
    return tickLength(s) + gap(s) + labels + title;
}

void drawFrame(QPainter& p, const PlotStyle& s, const QRectF& plot) {
    p.save();
    p.setPen(QPen(QColor(0x40, 0x40, 0x40), s.px(0.6)));
    p.setBrush(Qt::NoBrush);
    p.drawRect(plot);
    p.restore();
}

void drawBottomAxis(QPainter& p, const PlotStyle& s, const QRectF& plot, const AxisSpec& axis,
                    bool grid) {
    p.save();
    const QFont tickFont = s.font(0.9);
    p.setFont(tickFont);
    const auto fm = metrics(p, tickFont);
    const QPen axisPen(QColor(0x40, 0x40, 0x40), s.px(0.6));
    const QPen gridPen(QColor(0xe0, 0xe0, 0xe0), s.px(0.4));
    double lastRight = -1e300;
    for (std::size_t i = 0; i < axis.ticks.values.size(); ++i) {
        const double x = axis.scale.map(axis.ticks.values[i]);
        if (x < plot.left() - 0.5 || x > plot.right() + 0.5) continue;
        if (grid) {
            p.setPen(gridPen);
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        }
        p.setPen(axisPen);
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + tickLength(s)));
        const QString& label = axis.ticks.labels[i];
        const double w = fm.horizontalAdvance(label);
        // Labels that would overlap their left neighbour are skipped (dense categorical axes).
        if (x - w / 2 < lastRight + gap(s)) continue;
        p.setPen(Qt::black);
        p.drawText(
            QRectF(x - w / 2 - 1, plot.bottom() + tickLength(s) + gap(s), w + 2, fm.height()),
            Qt::AlignCenter, label);
        lastRight = x + w / 2;
    }
    if (!axis.title.isEmpty()) {
        p.setFont(s.font());
        const double h = metrics(p, s.font()).height();
        const double y = plot.bottom() + tickLength(s) + gap(s) + fm.height() + gap(s);
        p.setPen(Qt::black);
        p.drawText(QRectF(plot.left(), y, plot.width(), h), Qt::AlignCenter, axis.title);
    }
    p.restore();
}

void drawLeftAxis(QPainter& p, const PlotStyle& s, const QRectF& plot, const AxisSpec& axis,
                  bool grid) {
    p.save();
    const QFont tickFont = s.font(0.9);
    p.setFont(tickFont);
    const auto fm = metrics(p, tickFont);
    const QPen axisPen(QColor(0x40, 0x40, 0x40), s.px(0.6));
    const QPen gridPen(QColor(0xe0, 0xe0, 0xe0), s.px(0.4));
    double widest = 0.0;
    double lastY = std::nan("");
    for (std::size_t i = 0; i < axis.ticks.values.size(); ++i) {
        const double y = axis.scale.map(axis.ticks.values[i]);
        if (y < plot.top() - 0.5 || y > plot.bottom() + 0.5) continue;
        if (grid) {
            p.setPen(gridPen);
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        }
        p.setPen(axisPen);
        p.drawLine(QPointF(plot.left() - tickLength(s), y), QPointF(plot.left(), y));
        const QString& label = axis.ticks.labels[i];
        const double w = fm.horizontalAdvance(label);
        widest = std::max(widest, w);
        const double h = fm.height();
        // Labels that would overlap the previous one are skipped (dense categorical axes).
        if (!std::isnan(lastY) && std::abs(y - lastY) < h) continue;
        p.setPen(Qt::black);
        p.drawText(QRectF(plot.left() - tickLength(s) - gap(s) - w - 1, y - h / 2, w + 1, h),
                   Qt::AlignRight | Qt::AlignVCenter, label);
        lastY = y;
    }
    if (!axis.title.isEmpty()) {
        p.setFont(s.font());
        const double h = metrics(p, s.font()).height();
        const double x = plot.left() - tickLength(s) - gap(s) - widest - gap(s) - h;
        p.setPen(Qt::black);
        p.translate(x, plot.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-plot.height() / 2, 0, plot.height(), h), Qt::AlignCenter, axis.title);
    }
    p.restore();
}

QRectF drawTitle(QPainter& p, const PlotStyle& s, const QRectF& area, const QString& title,
                 const QString& caption) {
    if (!s.showTitle || (title.isEmpty() && caption.isEmpty())) return area;
    p.save();
    const QFont bold = s.font(1.05, true);
    const QFont plain = s.font(0.95);
    const auto fmBold = metrics(p, bold);
    const auto fmPlain = metrics(p, plain);
    const double h = std::max(fmBold.height(), fmPlain.height());
    double x = area.left();
    p.setPen(Qt::black);
    if (!title.isEmpty()) {
        p.setFont(bold);
        p.drawText(QRectF(x, area.top(), area.width(), h), Qt::AlignLeft | Qt::AlignVCenter, title);
        x += fmBold.horizontalAdvance(title) + s.px(6);
    }
    if (!caption.isEmpty() && x < area.right()) {
        p.setFont(plain);
        p.setPen(QColor(0x55, 0x55, 0x55));
        const QString elided = fmPlain.elidedText(caption, Qt::ElideRight, area.right() - x);
        p.drawText(QRectF(x, area.top(), area.right() - x, h), Qt::AlignLeft | Qt::AlignVCenter,
                   elided);
    }
    p.restore();
    return QRectF(area.left(), area.top() + h + s.px(3), area.width(),
                  std::max(0.0, area.height() - h - s.px(3)));
}

void drawMarker(QPainter& p, const QPointF& c, double size, Marker marker, const QColor& colour) {
    p.save();
    p.setPen(QPen(colour, size * 0.18));
    p.setBrush(colour);
    const double r = size / 2;
    QPolygonF poly;
    switch (marker) {
        case Marker::Circle:
            p.drawEllipse(c, r, r);
            break;
        case Marker::Square:
            p.drawRect(QRectF(c.x() - r * 0.85, c.y() - r * 0.85, r * 1.7, r * 1.7));
            break;
        case Marker::Triangle:
            poly << QPointF(c.x(), c.y() - r) << QPointF(c.x() + r, c.y() + r * 0.8)
                 << QPointF(c.x() - r, c.y() + r * 0.8);
            p.drawPolygon(poly);
            break;
        case Marker::InvertedTriangle:
            poly << QPointF(c.x(), c.y() + r) << QPointF(c.x() + r, c.y() - r * 0.8)
                 << QPointF(c.x() - r, c.y() - r * 0.8);
            p.drawPolygon(poly);
            break;
        case Marker::Diamond:
            poly << QPointF(c.x(), c.y() - r) << QPointF(c.x() + r, c.y())
                 << QPointF(c.x(), c.y() + r) << QPointF(c.x() - r, c.y());
            p.drawPolygon(poly);
            break;
        case Marker::Cross:
            p.setPen(QPen(colour, size * 0.25));
            p.drawLine(QPointF(c.x() - r, c.y() - r), QPointF(c.x() + r, c.y() + r));
            p.drawLine(QPointF(c.x() - r, c.y() + r), QPointF(c.x() + r, c.y() - r));
            break;
        case Marker::Plus:
            p.setPen(QPen(colour, size * 0.25));
            p.drawLine(QPointF(c.x() - r, c.y()), QPointF(c.x() + r, c.y()));
            p.drawLine(QPointF(c.x(), c.y() - r), QPointF(c.x(), c.y() + r));
            break;
        case Marker::Star:
            for (int i = 0; i < 10; ++i) {
                const double a = -std::numbers::pi / 2 + i * std::numbers::pi / 5;
                const double rr = i % 2 == 0 ? r * 1.1 : r * 0.45;
                poly << QPointF(c.x() + rr * std::cos(a), c.y() + rr * std::sin(a));
            }
            p.drawPolygon(poly);
            break;
    }
    p.restore();
}

namespace {

double entryWidth(const QFontMetricsF& fm, const PlotStyle& s, const LegendEntry& e) {
    return s.px(16) + s.px(3) + fm.horizontalAdvance(e.label) + s.px(8);
}

}  // namespace

double legendHeight(const QPainter& p, const PlotStyle& s, const std::vector<LegendEntry>& entries,
                    double width) {
    if (entries.empty()) return 0.0;
    const auto fm = metrics(p, s.font(0.9));
    double widest = 0.0;
    for (const auto& e : entries) widest = std::max(widest, entryWidth(fm, s, e));
    const int columns = std::max(1, static_cast<int>(width / widest));
    const int rows = (static_cast<int>(entries.size()) + columns - 1) / columns;
    return rows * fm.height() * 1.15 + s.px(2);
}

void drawLegend(QPainter& p, const PlotStyle& s, const QRectF& area,
                const std::vector<LegendEntry>& entries) {
    if (entries.empty()) return;
    p.save();
    const QFont f = s.font(0.9);
    p.setFont(f);
    const auto fm = metrics(p, f);
    double widest = 0.0;
    for (const auto& e : entries) widest = std::max(widest, entryWidth(fm, s, e));
    const int columns = std::max(1, static_cast<int>(area.width() / widest));
    const double rowH = fm.height() * 1.15;
    const double used = std::min<double>(columns, static_cast<double>(entries.size())) * widest;
    const double x0 = area.left() + std::max(0.0, (area.width() - used) / 2);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        const int col = static_cast<int>(i) % columns;
        const int row = static_cast<int>(i) / columns;
        const double x = x0 + col * widest;
        const double y = area.top() + s.px(2) + row * rowH + rowH / 2;
        if (e.line) {
            QPen pen(e.colour, s.px(1.2));
            pen.setStyle(e.dash);
            p.setPen(pen);
            p.drawLine(QPointF(x, y), QPointF(x + s.px(16), y));
        }
        if (e.marker) drawMarker(p, QPointF(x + s.px(8), y), s.px(4), *e.marker, e.colour);
        if (e.ring) {
            p.setPen(QPen(e.colour, s.px(0.9)));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(QPointF(x + s.px(8), y), s.px(3.5), s.px(3.5));
        }
        p.setPen(Qt::black);
        p.drawText(QRectF(x + s.px(19), y - rowH / 2, widest - s.px(19), rowH),
                   Qt::AlignLeft | Qt::AlignVCenter, e.label);
    }
    p.restore();
}

double colourBarWidth(const QPainter& p, const PlotStyle& s, const QString& title,
                      const std::vector<QString>& labels) {
    const auto fm = metrics(p, s.font(0.9));
    double widest = 0.0;
    for (const auto& l : labels) widest = std::max(widest, fm.horizontalAdvance(l));
    const double titleW = title.isEmpty() ? 0.0 : metrics(p, s.font()).height() + gap(s);
    return s.px(6) + s.px(7) + tickLength(s) + gap(s) + widest + gap(s) + titleW;
}

void drawColourBar(QPainter& p, const PlotStyle& s, const QRectF& area, ColourScale scale,
                   const std::vector<QString>& labels, const QString& title) {
    p.save();
    const QRectF bar(area.left() + s.px(6), area.top(), s.px(7), area.height());
    constexpr int kSteps = 64;
    p.setPen(Qt::NoPen);
    p.setRenderHint(QPainter::Antialiasing, false);
    for (int i = 0; i < kSteps; ++i) {
        const double t0 = static_cast<double>(i) / kSteps;
        const double y1 = bar.bottom() - t0 * bar.height();
        const double y0 = bar.bottom() - (t0 + 1.0 / kSteps) * bar.height();
        p.setBrush(colourAt(scale, t0 + 0.5 / kSteps));
        p.drawRect(QRectF(bar.left(), y0, bar.width(), y1 - y0 + 0.5));
    }
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(QPen(QColor(0x40, 0x40, 0x40), s.px(0.6)));
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar);
    const QFont f = s.font(0.9);
    p.setFont(f);
    const auto fm = metrics(p, f);
    double widest = 0.0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const double t = labels.size() == 1 ? 0.5 : static_cast<double>(i) / (labels.size() - 1);
        const double y = bar.bottom() - t * bar.height();
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + tickLength(s), y));
        const double w = fm.horizontalAdvance(labels[i]);
        widest = std::max(widest, w);
        p.drawText(
            QRectF(bar.right() + tickLength(s) + gap(s), y - fm.height() / 2, w + 1, fm.height()),
            Qt::AlignLeft | Qt::AlignVCenter, labels[i]);
    }
    if (!title.isEmpty()) {
        p.setFont(s.font());
        const double h = metrics(p, s.font()).height();
        const double x = bar.right() + tickLength(s) + gap(s) + widest + gap(s) + h;
        p.translate(x, bar.center().y());
        p.rotate(-90);
        p.setPen(Qt::black);
        p.drawText(QRectF(-bar.height() / 2, -h, bar.height(), h), Qt::AlignCenter, title);
    }
    p.restore();
}

}  // namespace hace::views
