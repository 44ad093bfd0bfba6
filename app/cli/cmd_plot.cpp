// hace plot --db FILE --figure heatmap|curve|niah|cliff|tokens|hiv [--out F.pdf|.svg|.png]
// [--lang en|zh_CN]
// [--dpi N] [--size single|double] [selection flags]: draws a figure of stored results
// headless, with the same renderers as the workbench (views/plot). Built only with
// HACE_BUILD_GUI (it needs QtGui); runs on the offscreen platform unless QT_QPA_PLATFORM is set.
#include <QGuiApplication>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "engine/core/error.h"
#include "views/common/language.h"
#include "views/data/figure_builders.h"
#include "views/plot/figure_export.h"

namespace hace::cli {
namespace {

// Qt's notes about the platform (no XDG_RUNTIME_DIR on a server, ...) are not the command's
// output; real warnings still reach stderr.
void quiet_platform_notes(QtMsgType type, const QMessageLogContext&, const QString& msg) {
    if (type == QtDebugMsg || type == QtInfoMsg) return;
    if (msg.startsWith(QLatin1String("QStandardPaths:"))) return;
    std::fprintf(stderr, "hace plot: %s\n", msg.toLocal8Bit().constData());
}

using views::ExportOptions;

views::FigureSelection selection(const Args& args) {
    views::FigureSelection sel;
    if (auto v = args.get("model")) sel.model = *v;
    if (auto v = args.get("task")) sel.task = *v;
    if (auto v = args.get("method")) sel.method = *v;
    if (auto v = args.get("mode")) sel.mode = *v;
    if (auto v = args.get("cell")) sel.cell = *v;
    if (args.has("context")) sel.contextLength = args.int_or("context", 0);
    if (args.has("retention")) {
        const double r = args.number_or("retention", 0.0);
        if (!(r > 0.0 && r <= 1.0)) {
            throw InputError("hace plot: --retention must be in (0, 1], got " +
                             *args.get("retention"));
        }
        sel.retention = r;
    }
    if (args.has("budget")) {
        const auto c = args.int_or("budget", 0);
        if (c < 1) throw InputError("hace plot: --budget must be a positive integer");
        sel.capacity = c;
    }
    if (auto v = args.get("query")) {
        if (*v != "aware" && *v != "agnostic")
            throw InputError("hace plot: --query must be aware or agnostic, got " + *v);
        sel.query = *v;
    }
    if (auto v = args.get("axis")) {
        if (*v != "retention" && *v != "budget")
            throw InputError("hace plot: --axis must be retention or budget, got " + *v);
        sel.budgetAxis = *v == "budget";
    }
    // The kept-token view: --a (or --method) and --b name the two methods.
    if (auto v = args.get("a")) sel.method = *v;
    if (auto v = args.get("b")) sel.methodB = *v;
    if (auto v = args.get("sample")) sel.sample = *v;
    for (const char* key : {"layer", "head"}) {
        if (!args.has(key)) continue;
        const auto v = args.int_or(key, -1);
        if (v < 0) throw InputError(std::string("hace plot: --") + key + " must be >= 0");
        (std::string(key) == "layer" ? sel.layer : sel.head) = v;
    }
    sel.metric = args.get_or("metric", sel.metric);
    sel.stat = args.get_or("stat", sel.stat);
    sel.tolerancePercent = args.number_or("tolerance", sel.tolerancePercent);
    if (sel.tolerancePercent < 0) throw InputError("hace plot: --tolerance must be >= 0");
    return sel;
}

ExportOptions export_options(const Args& args, const QString& out) {
    ExportOptions o;
    const auto format = views::exportFormatForPath(out);
    if (!format) {
        throw InputError("hace plot: --out " + out.toStdString() +
                         ": expected a .pdf, .svg or .png file name");
    }
    o.format = *format;
    const std::string size = args.get_or("size", "single");
    const auto width = views::figureWidthFromId(QString::fromStdString(size));
    if (!width) throw InputError("hace plot: --size must be single or double, got " + size);
    o.width = *width;
    const auto dpi = args.int_or("dpi", 300);
    if (dpi < 36 || dpi > 2400) {
        throw InputError("hace plot: --dpi must be in 36..2400, got " + std::to_string(dpi));
    }
    o.dpi = static_cast<int>(dpi);
    o.fontPt = args.number_or("font-pt", 0.0);
    o.showTitle = !args.has("no-title");
    return o;
}

int run_plot(const Args& args) {
    if (!args.positional().empty()) {
        throw InputError("hace plot: unexpected argument \"" + args.positional()[0] + "\"");
    }
    const std::string figureId = args.require("figure");
    const auto kind = views::figureKindFromId(figureId);
    if (!kind) {
        throw InputError(
            "hace plot: --figure must be heatmap, curve, niah, cliff, tokens or hiv, got " +
            figureId);
    }
    const std::string db = args.require("db");
    const QString out =
        QString::fromStdString(args.get_or("out", std::string("hace-") + figureId + ".pdf"));
    const ExportOptions options = export_options(args, out);
    const views::FigureSelection sel = selection(args);
    const std::string lang = args.get_or("lang", "en");

    // Text layout needs a QGuiApplication; without a display the offscreen platform serves.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    qInstallMessageHandler(quiet_platform_notes);
    static int argc = 1;
    static char name[] = "hace";
    static char* argv[] = {name, nullptr};
    QGuiApplication app(argc, argv);
    if (!views::Language::install(QString::fromStdString(lang))) {
        throw InputError("hace plot: --lang must be one of en, zh_CN, got " + lang);
    }
    const auto results = views::ResultsDb::open(db);
    const auto figure = views::buildFigure(results, *kind, sel);
    views::FigureExport::write(*figure, out, options);
    const QSizeF inches = views::FigureExport::sizeInches(*figure, options.width);
    if (args.has("json")) {
        print_json({{"figure", figureId},
                    {"out", out.toStdString()},
                    {"format", views::exportFormatId(options.format)},
                    {"width_in", inches.width()},
                    {"height_in", inches.height()},
                    {"dpi", options.dpi},
                    {"lang", lang}});
    } else {
        std::printf("%s\n", out.toStdString().c_str());
    }
    return 0;
}

}  // namespace

Command plot_command() {
    return {"plot",
            "--db FILE --figure heatmap|curve|niah|cliff|tokens|hiv [--out F.pdf|.svg|.png] "
            "[--lang en|zh_CN] [--dpi N] [--size single|double] [selection flags] [--json]",
            "draw a figure of stored results (PDF, SVG or PNG) without a display",
            {{"db", true, "results database (hace run --db)"},
             {"figure", true, "heatmap, curve, niah, cliff, tokens or hiv"},
             {"out", true, "output file; its extension picks the format (default hace-FIGURE.pdf)"},
             {"lang", true, "label language: en (default) or zh_CN"},
             {"dpi", true, "PNG resolution in pixels per inch (default 300)"},
             {"size", true, "single (3.5 in, default) or double (7.16 in) column width"},
             {"font-pt", true, "body font size in points (default 7 single, 8 double)"},
             {"no-title", false, "leave out the title line (captions go in the paper)"},
             {"model", true, "model name (folder name) to show; default the first stored"},
             {"task", true, "task id (curve/cliff: first stored; niah: niah)"},
             {"context", true, "context length in tokens (curve, cliff, heatmap)"},
             {"method", true, "method id (heatmap, niah; curve: only this method)"},
             {"mode", true, "equal or faithful (heatmap, niah)"},
             {"retention", true, "retention ratio in (0, 1] (heatmap, niah)"},
             {"cell", true, "cell hash or a prefix of it (heatmap)"},
             {"budget", true, "token budget C per head (cells of a sweep's budgets)"},
             {"query", true, "aware or agnostic: the protocol of the cells shown"},
             {"axis", true, "curve/cliff x axis: retention (default) or budget"},
             {"sample", true, "tokens: sample index or dataset id (default the first stored)"},
             {"a", true, "tokens: method A (same as --method)"},
             {"b", true, "tokens: method B, drawn beside A"},
             {"layer", true, "tokens: only this layer's heads"},
             {"head", true, "tokens: only this KV head (of every layer unless --layer)"},
             {"metric", true, "metric to plot (default score)"},
             {"stat", true, "heatmap head statistic: kept (default), budget, importance, ..."},
             {"tolerance", true, "cliff tolerance in percent of the full-cache score (default 10)"},
             {"json", false, "print {figure, out, format, width_in, height_in, dpi, lang}"}},
            &run_plot};
}

}  // namespace hace::cli
