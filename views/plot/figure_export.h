// Writing a figure to a file for a paper: PDF (QPdfWriter: vector, fonts embedded), SVG
// (QSvgGenerator) or PNG at a chosen resolution, at the width of one column (3.5 in) or of
// the whole page (7.16 in), the usual two-column sizes; the height follows the figure's aspect.
#pragma once

#include <optional>

#include <QCoreApplication>
#include <QImage>
#include <QSizeF>
#include <QString>

#include "views/plot/figure.h"

namespace hace::views {

enum class ExportFormat { Pdf, Svg, Png };
enum class FigureWidth { SingleColumn, DoubleColumn };

const char* exportFormatId(ExportFormat f);  // "pdf", "svg", "png"
std::optional<ExportFormat> exportFormatForPath(const QString& path);
const char* figureWidthId(FigureWidth w);  // "single", "double"
std::optional<FigureWidth> figureWidthFromId(const QString& id);
double widthInches(FigureWidth w);  // 3.5 or 7.16

struct ExportOptions {
    ExportFormat format = ExportFormat::Pdf;
    FigureWidth width = FigureWidth::SingleColumn;
    int dpi = 300;        // PNG pixels per inch (vector formats ignore it)
    double fontPt = 0.0;  // 0: 7 pt at single-column width, 8 pt at double
    bool showTitle = true;
};

class FigureExport {
    Q_DECLARE_TR_FUNCTIONS(hace::views::FigureExport)

public:
    // Page size in inches: the width preset, height = width x aspect.
    static QSizeF sizeInches(const Figure& figure, FigureWidth width);
    // The figure as a white-background image at options.dpi (what PNG export writes).
    static QImage renderImage(const Figure& figure, const ExportOptions& options);
    // Writes the file; InputError naming it when it cannot be written.
    static void write(const Figure& figure, const QString& path, const ExportOptions& options);
};

}  // namespace hace::views
