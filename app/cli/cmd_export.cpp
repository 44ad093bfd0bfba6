// hace export --db FILE --format csv|json|latex|summary [--per sample|cell]
// [--table cells|ablation|cliff] [--metric NAME] [--tolerance PCT] [--caption TEXT]
// [--ci pm|interval|none] [--alpha A] [--out FILE]: stored results as tables (result_tables.h,
// latex_tables.h) or as a text summary to read (summary_table.h). Without --out the table goes to
// stdout.
#include <cstdio>
#include <fstream>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "engine/core/error.h"
#include "engine/runner/exec/latex_tables.h"
#include "engine/runner/exec/result_tables.h"
#include "engine/runner/exec/summary_table.h"

namespace hace::cli {
namespace {

std::string latex(const Args& args, const std::filesystem::path& db) {
    runner::LatexOptions o;
    o.metric = args.get_or("metric", o.metric);
    o.tolerance = args.number_or("tolerance", o.tolerance);
    if (!(o.tolerance >= 0)) throw InputError("--tolerance must be >= 0 (percent)");
    o.caption = args.get_or("caption", "");
    const std::string ci = args.get_or("ci", "pm");
    if (ci == "pm") {
        o.ci = runner::CiStyle::PlusMinus;
    } else if (ci == "interval") {
        o.ci = runner::CiStyle::Interval;
    } else if (ci == "none") {
        o.ci = runner::CiStyle::None;
    } else {
        throw InputError("--ci: expected pm, interval or none, got \"" + ci + "\"");
    }
    o.alpha = args.number_or("alpha", o.alpha);
    if (!(o.alpha > 0 && o.alpha < 1)) throw InputError("--alpha must lie in (0, 1)");
    const std::string table = args.get_or("table", "cells");
    const auto cells = runner::cell_summaries(db);
    if (table == "cells") return runner::latex_cells(cells, o);
    if (table == "ablation") return runner::latex_ablation(cells, o);
    if (table == "cliff") return runner::latex_cliff(cells, o);
    throw InputError("--table: expected cells, ablation or cliff, got \"" + table + "\"");
}

int run_export(const Args& args) {
    if (!args.positional().empty()) {
        throw InputError("hace export: unexpected argument \"" + args.positional()[0] + "\"");
    }
    const std::filesystem::path db = args.require("db");
    const std::string format = args.require("format");
    const bool per_cell = format == "latex" || format == "summary";
    const std::string per = args.get_or("per", per_cell ? "cell" : "sample");
    if (per != "sample" && per != "cell") {
        throw InputError("--per: expected sample or cell, got \"" + per + "\"");
    }
    for (const char* flag : {"table", "ci", "alpha"}) {
        if (args.has(flag) && format != "latex") {
            throw InputError(std::string("--") + flag + " applies to --format latex");
        }
    }
    std::string text;
    if (format == "latex") {
        if (per != "cell") throw InputError("--format latex tables summarise cells (--per cell)");
        text = latex(args, db);
    } else if (format == "summary") {
        if (per != "cell") throw InputError("--format summary summarises cells (--per cell)");
        text = runner::summary_text(runner::cell_summaries(db), args.get_or("metric", "score"),
                                    db.filename().string());
    } else if (format == "csv" || format == "json") {
        const runner::Table t = per == "cell" ? runner::cell_table(runner::cell_summaries(db))
                                              : runner::sample_table(db);
        text = format == "csv" ? runner::table_csv(t)
                               : runner::table_json(t, per).dump(
                                     1, ' ', false, nlohmann::json::error_handler_t::replace) +
                                     "\n";
    } else {
        throw InputError("--format: expected csv, json, latex or summary, got \"" + format + "\"");
    }
    if (auto out = args.get("out")) {
        std::ofstream f(*out, std::ios::binary | std::ios::trunc);
        if (!f) throw InputError(*out + ": cannot write the export");
        f << text;
        if (!f) throw InputError(*out + ": cannot write the export");
    } else {
        std::fwrite(text.data(), 1, text.size(), stdout);
    }
    return 0;
}

}  // namespace

Command export_command() {
    return {"export",
            "--db FILE --format csv|json|latex|summary [--per sample|cell] "
            "[--table cells|ablation|cliff] [--metric NAME] [--tolerance PCT] [--caption TEXT] "
            "[--ci pm|interval|none] [--alpha A] [--out FILE]",
            "export stored results as CSV, JSON or LaTeX (booktabs) tables, or a text summary",
            {{"db", true, "results database"},
             {"format", true,
              "csv, json, latex or summary (method x retention x task, mean metric [samples])"},
             {"per", true, "one row per sample (default for csv/json) or per cell"},
             {"table", true,
              "LaTeX table: cells (default), ablation (HACE vs its ablations), "
              "cliff (performance cliff per method)"},
             {"metric", true,
              "metric of the LaTeX tables and the summary (default score: primary metric x 100)"},
             {"tolerance", true, "cliff: percent of the full-cache value (default 10)"},
             {"caption", true, "LaTeX caption"},
             {"ci", true,
              "LaTeX: 95% interval as mean +- half-width (pm, default), mean [low, high] "
              "(interval) or none"},
             {"alpha", true,
              "ablation: a win is bold only when significant at this level, Holm-adjusted "
              "(default 0.05)"},
             {"out", true, "write to this file instead of stdout"}},
            &run_export};
}

}  // namespace hace::cli
