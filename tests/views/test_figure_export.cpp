// Renderers and export: what the heatmap, curve, cliff and needle renderers compute (cells,
// colours, the cliff ring) and the files FigureExport writes (PDF page size and embedded fonts,
// SVG size, PNG pixels and resolution) for the single- and double-column presets.
#include <gtest/gtest.h>

#include <QFile>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>

#include <cmath>

#include "engine/core/error.h"
#include "tests/support/test_data.h"
#include "tests/views/results_fixture.h"
#include "views/common/colour_scale.h"
#include "views/data/figure_builders.h"
#include "views/plot/cliff_renderer.h"
#include "views/plot/curve_renderer.h"
#include "views/plot/figure_export.h"
#include "views/plot/needle_renderer.h"

namespace hace::views {
namespace {

HeatmapData ramp() {
    // 2 layers x 3 heads: values 0..5, so 0 maps to the bottom of the scale and 5 to the top.
    HeatmapData d;
    d.layers = 2;
    d.heads = 3;
    d.values = {0, 1, 2, 3, 4, std::nan("")};
    d.values[5] = 5;
    d.stat = "kept";
    return d;
}

QByteArray readAll(const QString& path) {
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::ReadOnly)) << path.toStdString();
    return f.readAll();
}

TEST(HeatmapRenderer, MapsValuesOntoTheScaleRowByLayer) {
    QImage image(600, 400, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    const auto r =
        HeatmapRenderer::render(p, QRectF(0, 0, 600, 400), ramp(), PlotStyle::forDevice(image));
    p.end();
    ASSERT_EQ(r.cells.size(), 6u);
    EXPECT_DOUBLE_EQ(r.minValue, 0.0);
    EXPECT_DOUBLE_EQ(r.maxValue, 5.0);
    EXPECT_EQ(r.cells[0].colour, colourAt(ColourScale::Viridis, 0.0));
    EXPECT_EQ(r.cells[5].colour, colourAt(ColourScale::Viridis, 1.0));
    EXPECT_EQ(r.cells[3].colour, colourAt(ColourScale::Viridis, 0.6));
    // Layer 1 is drawn below layer 0, head 2 right of head 0; the pixels carry the colours.
    EXPECT_GT(r.cells[3].rect.top(), r.cells[0].rect.top());
    EXPECT_GT(r.cells[2].rect.left(), r.cells[0].rect.left());
    for (const auto& c : r.cells) {
        const QColor px = image.pixelColor(c.rect.center().toPoint());
        EXPECT_NEAR(px.red(), c.colour.red(), 2);
        EXPECT_NEAR(px.green(), c.colour.green(), 2);
        EXPECT_NEAR(px.blue(), c.colour.blue(), 2);
    }
}

TEST(HeatmapRenderer, MissingValuesAreGreyAndAFixedRangeClamps) {
    HeatmapData d = ramp();
    d.values[1] = std::nan("");
    QImage image(300, 200, QImage::Format_ARGB32_Premultiplied);
    QPainter p(&image);
    HeatmapParameters params;
    params.minValue = 2.0;
    params.maxValue = 4.0;
    const auto r =
        HeatmapRenderer::render(p, QRectF(0, 0, 300, 200), d, PlotStyle::forDevice(image), params);
    EXPECT_EQ(r.cells[1].colour, missingColour());
    EXPECT_EQ(r.cells[0].colour, colourAt(ColourScale::Viridis, 0.0));  // 0 clamps to the bottom
    EXPECT_EQ(r.cells[3].colour, colourAt(ColourScale::Viridis, 0.5));
    EXPECT_EQ(r.cells[5].colour, colourAt(ColourScale::Viridis, 1.0));
}

class FigureFiles : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = hace::test::temp_dir("figure_files");
        db_ = dir_ / "results.sqlite";
        test::writeResultsFixture(db_);
    }
    QString out(const std::string& name) const {
        return QString::fromStdString((dir_ / name).string());
    }
    std::filesystem::path dir_, db_;
};

TEST_F(FigureFiles, CurveMarksEachCliffOnItsCurve) {
    const auto db = ResultsDb::open(db_);
    const CurveData d = buildCurves(db.cells(), FigureSelection{}, db_.string());
    QImage image(700, 500, QImage::Format_ARGB32_Premultiplied);
    QPainter p(&image);
    const auto r = CurveRenderer::render(p, QRectF(0, 0, 700, 500), d, PlotStyle::forDevice(image));
    ASSERT_EQ(r.series.size(), 3u);
    for (std::size_t i = 0; i < r.series.size(); ++i) {
        const auto& s = d.series[i];
        if (s.cliffKind != CliffKind::Found) {
            EXPECT_FALSE(r.series[i].cliff.has_value()) << s.method;
            continue;
        }
        ASSERT_TRUE(r.series[i].cliff.has_value()) << s.method;
        EXPECT_NEAR(r.series[i].cliff->x(), r.x.map(s.cliff), 1e-9);
        EXPECT_TRUE(r.plot.contains(*r.series[i].cliff));
    }
    // Log retention axis: 10% lies halfway between 5% and 20%.
    EXPECT_NEAR(r.x.map(0.1) - r.x.map(0.05), r.x.map(0.2) - r.x.map(0.1), 1e-9);
    // Higher scores are drawn higher.
    EXPECT_LT(r.y.map(50.0), r.y.map(25.0));
}

// Two identical series measured at 5%, 10% and 30% (30% is no 1-2-5 tick): every measured
// ratio gets its labelled tick, the coinciding points are spread sideways so both stay visible,
// and each point's interval becomes an error bar.
TEST(CurveRenderer, LabelsEveryMeasuredRetentionAndSpreadsCoincidingSeries) {
    CurveData d;
    for (const char* method : {"snapkv", "cake"}) {
        CurveSeries s;
        s.method = method;
        s.mode = "equal";
        for (const double r : {0.05, 0.1, 0.3}) {
            CurvePoint pt;
            pt.retention = r;
            pt.score = 40.0 + 20.0 * r;
            pt.samples = 5;
            pt.ciLow = pt.score - 5.0;
            pt.ciHigh = pt.score + 5.0;
            s.points.push_back(pt);
        }
        d.series.push_back(s);
    }
    QImage image(700, 500, QImage::Format_ARGB32_Premultiplied);
    QPainter p(&image);
    const PlotStyle style = PlotStyle::forDevice(image);
    const auto r = CurveRenderer::render(p, QRectF(0, 0, 700, 500), d, style);
    ASSERT_EQ(r.xTicks.labels.size(), 3u);
    EXPECT_EQ(r.xTicks.labels[0], QStringLiteral("5%"));
    EXPECT_EQ(r.xTicks.labels[1], QStringLiteral("10%"));
    EXPECT_EQ(r.xTicks.labels[2], QStringLiteral("30%"));
    // The largest ratio is inside the frame, not on its edge.
    EXPECT_LT(r.x.map(0.3), r.plot.right() - style.px(4));
    ASSERT_EQ(r.series.size(), 2u);
    for (std::size_t j = 0; j < 3; ++j) {
        const QPointF a = r.series[0].points[j], b = r.series[1].points[j];
        EXPECT_DOUBLE_EQ(a.y(), b.y());
        EXPECT_NEAR(b.x() - a.x(), style.px(3.5), 1e-9);  // spread around the true x
        EXPECT_NEAR((a.x() + b.x()) / 2, r.x.map(d.series[0].points[j].retention), 1e-9);
        ASSERT_EQ(r.series[0].errorBars.size(), 3u);
        const auto& [lo, hi] = r.series[0].errorBars[j];
        EXPECT_NEAR(lo.y(), r.y.map(*d.series[0].points[j].ciLow), 1e-9);
        EXPECT_NEAR(hi.y(), r.y.map(*d.series[0].points[j].ciHigh), 1e-9);
        EXPECT_DOUBLE_EQ(lo.x(), a.x());
    }
    // Series apart from each other are not moved.
    d.series[1].points[0].score = 10.0;
    const auto moved = CurveRenderer::render(p, QRectF(0, 0, 700, 500), d, style);
    EXPECT_NEAR(moved.series[1].points[0].x(), moved.x.map(0.05), 1e-9);
}

TEST_F(FigureFiles, CliffBarsPutTheLowestCliffFirst) {
    const auto db = ResultsDb::open(db_);
    const CurveData d = buildCurves(db.cells(), FigureSelection{}, db_.string());
    QImage image(600, 300, QImage::Format_ARGB32_Premultiplied);
    QPainter p(&image);
    const auto r = CliffRenderer::render(p, QRectF(0, 0, 600, 300), d, PlotStyle::forDevice(image));
    ASSERT_EQ(r.bars.size(), 3u);
    EXPECT_EQ(r.bars[0].method, "hace");       // 10%
    EXPECT_EQ(r.bars[1].method, "snapkv");     // 20%
    EXPECT_EQ(r.bars[2].method, "pyramidkv");  // fails everywhere: no bar
    EXPECT_LT(r.bars[0].rect.width(), r.bars[1].rect.width());
    EXPECT_TRUE(r.bars[2].rect.isEmpty());
    EXPECT_EQ(r.bars[0].label, QStringLiteral("10%"));
}

TEST_F(FigureFiles, NeedleCellsUseTheRedYellowGreenScale) {
    const auto db = ResultsDb::open(db_);
    const NeedleData d = buildNeedle(db, db.cells(), FigureSelection{});
    QImage image(600, 300, QImage::Format_ARGB32_Premultiplied);
    QPainter p(&image);
    const auto r =
        NeedleRenderer::render(p, QRectF(0, 0, 600, 300), d, PlotStyle::forDevice(image));
    ASSERT_EQ(r.cells.size(), 6u);
    EXPECT_NEAR(r.meanScore, 50.0, 1e-9);  // 100, 100, 0, 100, 0, 0
    for (const auto& c : r.cells) {
        EXPECT_EQ(c.colour, colourAt(ColourScale::Needle, c.score / 100.0));
    }
    EXPECT_EQ(colourAt(ColourScale::Needle, 1.0), QColor(0x0c, 0xd7, 0x9f));
    EXPECT_EQ(colourAt(ColourScale::Needle, 0.0), QColor(0xf0, 0x49, 0x6e));
}

TEST_F(FigureFiles, PngHasThePresetWidthAtTheChosenResolution) {
    const auto db = ResultsDb::open(db_);
    const auto fig = buildFigure(db, FigureKind::Curve, FigureSelection{});
    for (const auto& [width, inches] :
         {std::pair{FigureWidth::SingleColumn, 3.5}, std::pair{FigureWidth::DoubleColumn, 7.16}}) {
        ExportOptions o;
        o.format = ExportFormat::Png;
        o.width = width;
        o.dpi = 150;
        const QString file = out(std::string("curve-") + figureWidthId(width) + ".png");
        FigureExport::write(*fig, file, o);
        QImage image(file);
        ASSERT_FALSE(image.isNull());
        EXPECT_EQ(image.width(), static_cast<int>(std::lround(inches * 150)));
        const QSizeF size = FigureExport::sizeInches(*fig, width);
        EXPECT_EQ(image.height(), static_cast<int>(std::lround(size.height() * 150)));
        EXPECT_NEAR(image.dotsPerMeterX() * 0.0254, 150.0, 0.5);
        // Something was drawn: far from all white.
        int dark = 0;
        for (int y = 0; y < image.height(); y += 3) {
            for (int x = 0; x < image.width(); x += 3) dark += qGray(image.pixel(x, y)) < 128;
        }
        EXPECT_GT(dark, 100);
    }
}

TEST_F(FigureFiles, PdfIsVectorWithThePresetPageAndEmbeddedFonts) {
    const auto db = ResultsDb::open(db_);
    for (const auto kind :
         {FigureKind::Heatmap, FigureKind::Curve, FigureKind::Niah, FigureKind::Cliff}) {
        const auto fig = buildFigure(db, kind, FigureSelection{});
        ExportOptions o;
        o.format = ExportFormat::Pdf;
        o.width = kind == FigureKind::Cliff ? FigureWidth::DoubleColumn : FigureWidth::SingleColumn;
        const QString file = out(std::string(figureKindId(kind)) + ".pdf");
        FigureExport::write(*fig, file, o);
        const QByteArray pdf = readAll(file);
        ASSERT_TRUE(pdf.startsWith("%PDF-")) << figureKindId(kind);
        const auto m = QRegularExpression(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"))
                           .match(QString::fromLatin1(pdf));
        ASSERT_TRUE(m.hasMatch());
        const QSizeF inches = FigureExport::sizeInches(*fig, o.width);
        EXPECT_NEAR(m.captured(1).toDouble(), widthInches(o.width) * 72, 0.6);
        EXPECT_NEAR(m.captured(2).toDouble(), inches.height() * 72, 0.6);
        EXPECT_TRUE(pdf.contains("/FontFile2")) << "fonts not embedded in " << file.toStdString();
        EXPECT_FALSE(pdf.contains("/Subtype /Image")) << "raster image in " << file.toStdString();
    }
}

TEST_F(FigureFiles, SvgHasThePresetSizeInMillimetres) {
    const auto db = ResultsDb::open(db_);
    const auto fig = buildFigure(db, FigureKind::Heatmap, FigureSelection{});
    ExportOptions o;
    o.format = ExportFormat::Svg;
    const QString file = out("heatmap.svg");
    FigureExport::write(*fig, file, o);
    const QString svg = QString::fromUtf8(readAll(file));
    const auto m =
        QRegularExpression(QStringLiteral("<svg width=\"([0-9.]+)mm\" height=\"([0-9.]+)mm\""))
            .match(svg);
    ASSERT_TRUE(m.hasMatch());
    EXPECT_NEAR(m.captured(1).toDouble(), 88.9, 0.2);  // 3.5 in
    EXPECT_TRUE(svg.contains(QStringLiteral("Kept entries")));
    EXPECT_TRUE(svg.contains(QStringLiteral("KV head")));
    EXPECT_GE(svg.count(QStringLiteral("<rect")) + svg.count(QStringLiteral("<path")), 6);
}

TEST_F(FigureFiles, ExportFailuresAreInputErrorsNamingTheFile) {
    const auto db = ResultsDb::open(db_);
    const auto fig = buildFigure(db, FigureKind::Heatmap, FigureSelection{});
    ExportOptions o;
    o.format = ExportFormat::Png;
    EXPECT_THROW(FigureExport::write(*fig, out("no-such-dir/x.png"), o), InputError);
    o.dpi = 10;
    try {
        FigureExport::write(*fig, out("low.png"), o);
        FAIL() << "a 10 dpi export was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("low.png"), std::string::npos);
    }
}

}  // namespace
}  // namespace hace::views
