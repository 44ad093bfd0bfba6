// `hace slurm SWEEP.json --out DIR` (DESIGN.md section 5): a Slurm job array that splits a
// sweep's cells into contiguous groups (execution_plan.h CellGroup), one array task per group,
// each running `hace run --cell-group I/N` into its own database, then a merge job.
//
// Files written to DIR:
//   array.sbatch   the job array (#SBATCH --array=0-(N-1)); task I runs
//                  hace run SPEC --db DIR/parts/part-I.sqlite --cell-group I/N --resume
//                  --threads $SLURM_CPUS_PER_TASK --json (--resume: a requeued or restarted
//                  task continues its own database; threads: what Slurm allotted, else all)
//   merge.sbatch   hace merge DIR/<name>.sqlite DIR/parts/part-*.sqlite
//   submit.sh      submits the array, then the merge with --dependency=afterok on it
//   parts/, logs/  the part databases and the jobs' output
// Each script is plain bash: with SLURM_ARRAY_TASK_ID set it also runs outside Slurm.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace hace::runner {

struct SlurmOptions {
    std::filesystem::path spec;  // the sweep file (made absolute)
    std::filesystem::path out;   // DIR
    std::filesystem::path hace;  // the hace binary the jobs run (made absolute)
    std::string name;            // job name and merged database stem
    std::int64_t cells = 0;      // cells of the plan
    std::int64_t cells_per_task = 1;
    bool gpu = false;        // request one GPU per array task (device cuda)
    std::string partition;   // "": the cluster's default
    std::string time_limit;  // "": the partition's default (e.g. "04:00:00")
    int cpus_per_task = 0;   // 0: Slurm's default
};

struct SlurmExport {
    std::int64_t array_tasks = 0;
    std::filesystem::path array_script, merge_script, submit_script, merged_db;
    std::vector<std::filesystem::path> part_dbs;
};

// Writes the scripts (executable), creating DIR, DIR/parts and DIR/logs. InputError when DIR
// cannot be created or written.
SlurmExport write_slurm_scripts(const SlurmOptions& options);

// Single-quoted for bash.
std::string shell_quote(const std::string& s);

}  // namespace hace::runner
