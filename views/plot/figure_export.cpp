#include "views/plot/figure_export.h"

#include <QFileInfo>
#include <QPageSize>
#include <QPdfWriter>
#include <QSvgGenerator>

#include <cmath>

#include "engine/core/error.h"

namespace hace::views {
namespace {

PlotStyle styleFor(const QPaintDevice& device, const ExportOptions& o) {
    const double pt = o.fontPt > 0 ? o.fontPt : (o.width == FigureWidth::SingleColumn ? 7.0 : 8.0);
    PlotStyle s = PlotStyle::forDevice(device, pt);
    s.showTitle = o.showTitle;
    return s;
}

[[noreturn]] void fail(const QString& path, const QString& why) {
    throw InputError(path.toStdString() + ": " + why.toStdString());
}

}  // namespace

const char* exportFormatId(ExportFormat f) {
    switch (f) {
        case ExportFormat::Pdf:
            return "pdf";
        case ExportFormat::Svg:
            return "svg";
        case ExportFormat::Png:
            return "png";
    }
    return "pdf";
}

std::optional<ExportFormat> exportFormatForPath(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    for (const auto f : {ExportFormat::Pdf, ExportFormat::Svg, ExportFormat::Png}) {
        if (suffix == QLatin1String(exportFormatId(f))) return f;
    }
    return std::nullopt;
}

const char* figureWidthId(FigureWidth w) {
    return w == FigureWidth::SingleColumn ? "single" : "double";
}

std::optional<FigureWidth> figureWidthFromId(const QString& id) {
    if (id == QLatin1String("single")) return FigureWidth::SingleColumn;
    if (id == QLatin1String("double")) return FigureWidth::DoubleColumn;
    return std::nullopt;
}

double widthInches(FigureWidth w) {
    return w == FigureWidth::SingleColumn ? 3.5 : 7.16;
}

QSizeF FigureExport::sizeInches(const Figure& figure, FigureWidth width) {
    const double w = widthInches(width);
    // A double-column figure keeps the single-column height range: it is wider, not taller.
    const double aspect =
        width == FigureWidth::DoubleColumn ? figure.aspect() * 0.55 : figure.aspect();
    return {w, std::round(w * aspect * 100.0) / 100.0};
}

QImage FigureExport::renderImage(const Figure& figure, const ExportOptions& o) {
    const QSizeF inches = sizeInches(figure, o.width);
    const QSize pixels(static_cast<int>(std::lround(inches.width() * o.dpi)),
                       static_cast<int>(std::lround(inches.height() * o.dpi)));
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    const int dotsPerMeter = static_cast<int>(std::lround(o.dpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    const PlotStyle s = styleFor(image, o);
    figure.paint(
        p, QRectF(QPointF(0, 0), QSizeF(pixels)).adjusted(s.px(3), s.px(3), -s.px(3), -s.px(3)), s);
    return image;
}

void FigureExport::write(const Figure& figure, const QString& path, const ExportOptions& o) {
    if (o.dpi < 36 || o.dpi > 2400)
        fail(path, tr("resolution %1 dpi is outside 36..2400").arg(o.dpi));
    const QSizeF inches = sizeInches(figure, o.width);
    switch (o.format) {
        case ExportFormat::Png: {
            const QImage image = renderImage(figure, o);
            if (!image.save(path, "PNG")) fail(path, tr("cannot write the PNG file"));
            return;
        }
        case ExportFormat::Pdf: {
            QPdfWriter writer(path);
            writer.setCreator(QStringLiteral("HACE Workbench"));
            writer.setTitle(QFileInfo(path).completeBaseName());
            writer.setResolution(1200);
            writer.setPageSize(QPageSize(inches, QPageSize::Inch));
            writer.setPageMargins(QMarginsF(0, 0, 0, 0));
            QPainter p;
            if (!p.begin(&writer)) fail(path, tr("cannot write the PDF file"));
            p.setRenderHint(QPainter::Antialiasing, true);
            const PlotStyle s = styleFor(writer, o);
            figure.paint(p,
                         QRectF(0, 0, writer.width(), writer.height())
                             .adjusted(s.px(3), s.px(3), -s.px(3), -s.px(3)),
                         s);
            if (!p.end()) fail(path, tr("cannot write the PDF file"));
            return;
        }
        case ExportFormat::Svg: {
            // One user unit = one point: the SVG's size is the figure's size in print.
            QSvgGenerator gen;
            gen.setFileName(path);
            gen.setResolution(72);
            const QSize points(static_cast<int>(std::lround(inches.width() * 72)),
                               static_cast<int>(std::lround(inches.height() * 72)));
            gen.setSize(points);
            gen.setViewBox(QRect(QPoint(0, 0), points));
            gen.setTitle(QFileInfo(path).completeBaseName());
            gen.setDescription(QStringLiteral("HACE Workbench figure"));
            QPainter p;
            if (!p.begin(&gen)) fail(path, tr("cannot write the SVG file"));
            p.setRenderHint(QPainter::Antialiasing, true);
            const PlotStyle s = styleFor(gen, o);
            p.fillRect(QRectF(QPointF(0, 0), QSizeF(points)), Qt::white);
            figure.paint(p,
                         QRectF(QPointF(0, 0), QSizeF(points))
                             .adjusted(s.px(3), s.px(3), -s.px(3), -s.px(3)),
                         s);
            if (!p.end()) fail(path, tr("cannot write the SVG file"));
            return;
        }
    }
}

}  // namespace hace::views
