// hace compare --db FILE --a METHOD --b METHOD [--task T] [--context N] [--retention R]
// [--metric M] [--alpha A] [--effect D] [--seed S] [--json]: paired comparison of two methods
// cell by cell on the samples both hold (engine/runner/exec/method_comparison.h).
#include <cinttypes>
#include <cstdio>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "engine/core/error.h"
#include "engine/runner/exec/method_comparison.h"

namespace hace::cli {
namespace {

std::string retention_text(const std::optional<double>& r) {
    if (!r) return "full";
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", *r);
    return buf;
}

void print_text(const runner::ComparisonReport& report, const runner::CompareRequest& r) {
    std::printf(
        "%s - %s on %s (paired by sample; 95%% CI by paired bootstrap; p: sign-flip "
        "permutation, Holm over %zu cells; alpha %g)\n",
        r.a.c_str(), r.b.c_str(), r.metric.c_str(), report.cells.size(), r.options.alpha);
    for (const auto& c : report.cells) {
        const auto& x = c.result;
        std::printf(
            "%s %s ctx %s R %s: n %" PRId64
            ", %.3f - %.3f = %+.3f [%.3f, %.3f], p %.4g "
            "(%s), Holm p %.4g%s",
            c.model.c_str(), c.task.c_str(),
            c.context_length ? std::to_string(*c.context_length).c_str() : "-",
            retention_text(c.retention).c_str(), x.n, x.mean_a, x.mean_b, x.mean_difference,
            x.ci.low, x.ci.high, x.permutation.p,
            x.permutation.exact
                ? "exact"
                : std::string("random, seed ").append(std::to_string(x.permutation.seed)).c_str(),
            c.p_holm, c.p_holm < r.options.alpha ? " *" : "");
        if (x.samples_needed) {
            std::printf(", %" PRId64 " samples to detect %g points", *x.samples_needed,
                        *r.options.effect);
        }
        std::printf("\n");
    }
    if (report.pairs_without_common_samples > 0) {
        std::printf("%" PRId64 " pair(s) of cells without common samples left out\n",
                    report.pairs_without_common_samples);
    }
}

int run_compare(const Args& args) {
    if (!args.positional().empty()) {
        throw InputError("hace compare: unexpected argument \"" + args.positional()[0] + "\"");
    }
    const std::filesystem::path db = args.require("db");
    runner::CompareRequest r;
    r.a = args.require("a");
    r.b = args.require("b");
    if (r.a == r.b) throw InputError("hace compare: --a and --b name the same method");
    if (auto t = args.get("task")) r.task = *t;
    if (args.has("context")) {
        r.context = args.int_or("context", 0);
        if (*r.context <= 0) throw InputError("--context must be a positive token count");
    }
    if (args.has("retention")) {
        r.retention = args.number_or("retention", 0);
        if (!(*r.retention > 0 && *r.retention <= 1)) {
            throw InputError("--retention must lie in (0, 1]");
        }
    }
    r.metric = args.get_or("metric", r.metric);
    r.options.alpha = args.number_or("alpha", 0.05);
    if (!(r.options.alpha > 0 && r.options.alpha < 1)) {
        throw InputError("--alpha must lie in (0, 1)");
    }
    if (args.has("effect")) {
        r.options.effect = args.number_or("effect", 0);
        if (!(*r.options.effect > 0)) throw InputError("--effect must be > 0 (points)");
    }
    const std::int64_t seed = args.int_or("seed", static_cast<std::int64_t>(stats::kDefaultSeed));
    if (seed < 0) throw InputError("--seed must be >= 0");
    r.options.seed = static_cast<std::uint64_t>(seed);
    const auto cells = runner::cell_summaries(db, r.options.seed, false);
    const auto report = runner::compare_methods(cells, r, db.string());
    if (args.has("json")) {
        auto j = runner::comparison_json(report, r);
        j["db"] = db.string();
        print_json(j);
    } else {
        print_text(report, r);
    }
    return 0;
}

}  // namespace

Command compare_command() {
    return {"compare",
            "--db FILE --a METHOD --b METHOD [--task T] [--context N] [--retention R] "
            "[--metric M] [--alpha A] [--effect D] [--seed S] [--json]",
            "paired comparison of two methods per cell: difference, CI, permutation p, Holm",
            {{"db", true, "results database"},
             {"a", true, "method id or stored label (\"full\": the full cache)"},
             {"b", true, "the method to compare with"},
             {"task", true, "only this task"},
             {"context", true, "only this context length"},
             {"retention", true, "only this retention ratio"},
             {"metric", true, "metric to compare (default score)"},
             {"alpha", true, "significance level after Holm (default 0.05)"},
             {"effect", true, "report the samples needed to detect this difference (points)"},
             {"seed", true, "seed of the bootstrap and random sign flips"},
             {"json", false, "print the comparison as JSON"}},
            &run_compare};
}

}  // namespace hace::cli
