// hace run SWEEP.json [--db FILE] [--resume] [--retry-failed] [--dry-run] [--cell-group I/N]
// [--threads N] [--batch-size B|auto] [--quiet] [--json]: runs a sweep into a results database
// (DESIGN.md sections 5, 6 and 8). Progress on stderr; the summary (cells, samples_done,
// samples_skipped, failures) on stdout. An invalid spec exits 2 with every problem on one line.
// SIGINT/SIGTERM stop the sweep at the next sample boundary (what is finished stays stored; exit
// 130); --resume continues.
#include <atomic>
#include <charconv>
#include <csignal>
#include <cstdio>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "app/cli/run_progress.h"
#include "engine/core/error.h"
#include "engine/runner/exec/engine_context.h"
#include "engine/runner/exec/execution_plan.h"
#include "engine/runner/exec/sweep_executor.h"
#include "engine/runner/plan_report.h"

namespace hace::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void request_stop(int) {
    g_stop.store(true);
}

std::filesystem::path default_db(const std::filesystem::path& spec) {
    return std::filesystem::path(spec.stem().string() + ".sqlite");
}

// --batch-size B or auto: overrides the spec's batch_size; nullopt when not given.
std::optional<runner::BatchRequest> batch_option(const Args& args) {
    if (!args.has("batch-size")) return std::nullopt;
    const std::string text = args.require("batch-size");
    if (text == "auto") return runner::BatchRequest{1, true};
    std::int64_t b = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), b);
    if (ec != std::errc() || end != text.data() + text.size() || b < 1 ||
        b > runner::kMaxBatchSize) {
        throw InputError("--batch-size: expected 1.." + std::to_string(runner::kMaxBatchSize) +
                         " or auto, got \"" + text + "\"");
    }
    return runner::BatchRequest{static_cast<std::int32_t>(b), false};
}

int dry_run(const runner::SweepSpec& spec, const Args& args,
            const std::optional<runner::CellGroup>& group) {
    const auto plan =
        runner::plan_sweep(spec, runner::engine_validation_context(), group, batch_option(args));
    if (args.has("json")) {
        print_json(runner::plan_json(plan));
    } else {
        std::fputs(runner::plan_text(plan).c_str(), stdout);
    }
    return 0;
}

void print_summary(const runner::RunSummary& s) {
    std::printf(
        "sweep %s: %lld cells (%lld complete), %lld samples run, %lld skipped, "
        "%zu failed cells%s\ndatabase: %s\n",
        s.name.c_str(), static_cast<long long>(s.cells), static_cast<long long>(s.cells_done),
        static_cast<long long>(s.samples_done), static_cast<long long>(s.samples_skipped),
        s.failures.size(), s.cancelled ? " (stopped early; --resume continues)" : "",
        s.db.string().c_str());
    for (const auto& f : s.failures) {
        std::printf("  failed: %s: %s\n", f.label.c_str(), f.reason.c_str());
    }
}

int run_run(const Args& args) {
    if (args.positional().size() != 1) {
        throw InputError("hace run: expected one sweep file (hace run SWEEP.json)");
    }
    const std::filesystem::path spec_file = args.positional()[0];
    const runner::SweepSpec spec = runner::load_sweep_spec(spec_file);
    std::optional<runner::CellGroup> group;
    if (auto g = args.get("cell-group")) group = runner::parse_cell_group(*g);
    if (args.has("dry-run")) return dry_run(spec, args, group);

    const auto threads = args.int_or("threads", 0);
    if (threads < 0 || threads > 1024) {
        throw InputError("--threads: expected 0..1024, got " + std::to_string(threads));
    }
    runner::RunOptions options;
    options.resume = args.has("resume");
    options.retry_failed = args.has("retry-failed");
    options.threads = static_cast<int>(threads);
    if (const auto batch = batch_option(args)) {
        options.batch_size_auto = batch->automatic;
        if (!batch->automatic) options.batch_size = batch->size;
    }
    options.cell_group = group;
    options.cancel = &g_stop;
    RunProgress progress(!args.has("quiet"));
    options.events = progress.events();
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    const auto db =
        args.has("db") ? std::filesystem::path(args.require("db")) : default_db(spec_file);
    const runner::RunSummary summary = runner::run_sweep(spec, db, options);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (args.has("json")) {
        print_json(summary.to_json());
    } else {
        print_summary(summary);
    }
    return summary.cancelled ? 130 : 0;
}

}  // namespace

Command run_command() {
    return {
        "run",
        "SWEEP.json [--db FILE] [--resume] [--retry-failed] [--dry-run] [--cell-group I/N] "
        "[--threads N] [--batch-size B|auto] [--quiet] [--json]",
        "run a sweep (models x contexts x retentions x methods x tasks) into a results database",
        {{"db", true, "results database (default: <sweep file stem>.sqlite here)"},
         {"resume", false, "continue a database that holds results of this sweep"},
         {"retry-failed", false, "run the failed cells again (implies --resume)"},
         {"dry-run", false, "validate and print the plan: cells, samples, time and memory"},
         {"cell-group", true, "run only group I of N contiguous groups of cells (Slurm)"},
         {"threads", true, "compute threads (default: all cores)"},
         {"batch-size", true,
          "samples decoded together, or auto: the most that fit the memory (overrides the "
          "spec's batch_size; same results, timings as shares; --dry-run estimates at it)"},
         {"quiet", false, "no progress line on stderr"},
         {"json", false, "print the summary (or the plan) as JSON"}},
        &run_run};
}

}  // namespace hace::cli
