// hace slurm SWEEP.json --out DIR [--cells-per-task N] [--partition P] [--time T] [--cpus N]
// [--hace PATH] [--json]: writes a Slurm job array running the sweep's cells in groups, one
// database per array task, and a merge job (slurm_export.h). The sweep is validated and planned
// here first, so a bad spec fails before anything is submitted.
#include <unistd.h>
#include <cstdio>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "engine/core/error.h"
#include "engine/runner/exec/engine_context.h"
#include "engine/runner/exec/execution_plan.h"
#include "engine/runner/exec/slurm_export.h"

namespace hace::cli {
namespace {

std::filesystem::path this_executable() {
    std::error_code ec;
    const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw InputError("hace slurm: cannot find the hace binary; pass --hace PATH");
    return p;
}

int run_slurm(const Args& args) {
    if (args.positional().size() != 1) {
        throw InputError("hace slurm: expected one sweep file (hace slurm SWEEP.json --out DIR)");
    }
    const std::filesystem::path spec_file = args.positional()[0];
    const runner::SweepSpec spec = runner::load_sweep_spec(spec_file);
    const auto plan = runner::plan_sweep(spec, runner::engine_validation_context());
    runner::SlurmOptions o;
    o.spec = spec_file;
    o.out = args.require("out");
    o.hace = args.has("hace") ? std::filesystem::path(args.require("hace")) : this_executable();
    o.name = spec.name;
    o.cells = static_cast<std::int64_t>(plan.cells.size());
    o.cells_per_task = args.int_or("cells-per-task", 1);
    if (o.cells_per_task < 1) throw InputError("--cells-per-task must be >= 1");
    o.gpu = spec.device.rfind("cuda", 0) == 0;
    o.partition = args.get_or("partition", "");
    o.time_limit = args.get_or("time", "");
    o.cpus_per_task = static_cast<int>(args.int_or("cpus", 0));
    const auto e = runner::write_slurm_scripts(o);
    if (args.has("json")) {
        nlohmann::json parts = nlohmann::json::array();
        for (const auto& p : e.part_dbs) parts.push_back(p.string());
        print_json({{"cells", o.cells},
                    {"array_tasks", e.array_tasks},
                    {"cells_per_task", o.cells_per_task},
                    {"array_script", e.array_script.string()},
                    {"merge_script", e.merge_script.string()},
                    {"submit_script", e.submit_script.string()},
                    {"merged_db", e.merged_db.string()},
                    {"part_dbs", parts}});
    } else {
        std::printf("%lld cells in %lld array tasks\nsubmit with: bash %s\nmerged results: %s\n",
                    static_cast<long long>(o.cells), static_cast<long long>(e.array_tasks),
                    e.submit_script.c_str(), e.merged_db.c_str());
    }
    return 0;
}

}  // namespace

Command slurm_command() {
    return {"slurm",
            "SWEEP.json --out DIR [--cells-per-task N] [--partition P] [--time T] [--cpus N] "
            "[--hace PATH] [--json]",
            "write a Slurm job array (one group of cells per task) and a merge job for a sweep",
            {{"out", true, "folder for the scripts, part databases and logs"},
             {"cells-per-task", true, "cells per array task (default 1)"},
             {"partition", true, "Slurm partition (default: the cluster's)"},
             {"time", true, "time limit per array task, e.g. 04:00:00"},
             {"cpus", true, "CPUs per array task"},
             {"hace", true, "hace binary the jobs run (default: this one)"},
             {"json", false, "print the files written as JSON"}},
            &run_slurm};
}

}  // namespace hace::cli
