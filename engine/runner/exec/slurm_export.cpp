#include "engine/runner/exec/slurm_export.h"

#include <fstream>

#include "engine/core/error.h"
#include "engine/runner/exec/execution_plan.h"

namespace hace::runner {
namespace {

namespace fs = std::filesystem;

void write_script(const fs::path& path, const std::string& text) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        if (!out) throw_input(path.string(), "cannot write the Slurm script");
        out << text;
        if (!out) throw_input(path.string(), "cannot write the Slurm script");
    }
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
}

std::string sbatch_header(const SlurmOptions& o, const std::string& job, const std::string& log) {
    std::string s = "#!/bin/bash\n";
    s += "#SBATCH --job-name=" + job + "\n";
    s += "#SBATCH --output=" + (o.out / "logs" / log).string() + "\n";
    if (!o.partition.empty()) s += "#SBATCH --partition=" + o.partition + "\n";
    if (!o.time_limit.empty()) s += "#SBATCH --time=" + o.time_limit + "\n";
    return s;
}

}  // namespace

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

SlurmExport write_slurm_scripts(const SlurmOptions& in) {
    SlurmOptions o = in;
    o.spec = fs::absolute(o.spec);
    o.out = fs::absolute(o.out);
    o.hace = fs::absolute(o.hace);
    std::error_code ec;
    fs::create_directories(o.out / "parts", ec);
    if (!ec) fs::create_directories(o.out / "logs", ec);
    if (ec) throw_input(o.out.string(), "cannot create the folder: " + ec.message());

    SlurmExport e;
    e.array_tasks = group_count(o.cells, o.cells_per_task);
    const std::string n = std::to_string(e.array_tasks);
    e.array_script = o.out / "array.sbatch";
    e.merge_script = o.out / "merge.sbatch";
    e.submit_script = o.out / "submit.sh";
    e.merged_db = o.out / (o.name + ".sqlite");
    for (std::int64_t i = 0; i < e.array_tasks; ++i) {
        e.part_dbs.push_back(o.out / "parts" / ("part-" + std::to_string(i) + ".sqlite"));
    }
    const std::string hace = shell_quote(o.hace.string());
    const std::string parts = shell_quote((o.out / "parts").string());

    std::string array = sbatch_header(o, o.name, "array-%A_%a.out");
    array += "#SBATCH --array=0-" + std::to_string(e.array_tasks - 1) + "\n";
    array += "#SBATCH --ntasks=1\n";
    if (o.cpus_per_task > 0)
        array += "#SBATCH --cpus-per-task=" + std::to_string(o.cpus_per_task) + "\n";
    if (o.gpu) array += "#SBATCH --gres=gpu:1\n";
    array += "# " + std::to_string(o.cells) + " cells in " + n + " groups of at most " +
             std::to_string(o.cells_per_task) + "; array task I runs group I.\n";
    array += "set -euo pipefail\n";
    array += ": \"${SLURM_ARRAY_TASK_ID:?run this script through sbatch (or set it)}\"\n";
    array += "HACE=${HACE:-" + hace + "}\n";
    array += "exec \"$HACE\" run " + shell_quote(o.spec.string()) + " --db " + parts +
             "/part-${SLURM_ARRAY_TASK_ID}.sqlite --cell-group ${SLURM_ARRAY_TASK_ID}/" + n +
             " --resume --threads ${SLURM_CPUS_PER_TASK:-0} --quiet --json\n";
    write_script(e.array_script, array);

    std::string merge = sbatch_header(o, o.name + "-merge", "merge-%j.out");
    merge += "#SBATCH --ntasks=1\n";
    merge += "set -euo pipefail\n";
    merge += "HACE=${HACE:-" + hace + "}\n";
    merge += "parts=()\n";
    merge += "for i in $(seq 0 " + std::to_string(e.array_tasks - 1) + "); do\n";
    merge += "    part=" + parts + "/part-$i.sqlite\n";
    merge +=
        "    [ -f \"$part\" ] || { echo \"missing $part (array task $i did not run)\" >&2; "
        "exit 2; }\n";
    merge += "    parts+=(\"$part\")\n";
    merge += "done\n";
    merge +=
        "exec \"$HACE\" merge " + shell_quote(e.merged_db.string()) + " \"${parts[@]}\" --json\n";
    write_script(e.merge_script, merge);

    std::string submit =
        "#!/bin/bash\n# Submits the array, then the merge once every array task "
        "succeeded.\nset -euo pipefail\n";
    submit += "array=$(sbatch --parsable " + shell_quote(e.array_script.string()) + ")\n";
    submit +=
        "sbatch --dependency=afterok:${array%%;*} " + shell_quote(e.merge_script.string()) + "\n";
    write_script(e.submit_script, submit);
    return e;
}

}  // namespace hace::runner
