// hace merge OUT.sqlite IN.sqlite... [--json]: combines results databases (Slurm array parts,
// other machines) into OUT without duplicates; every input is verified before OUT is written.
#include <cstdio>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "engine/core/error.h"
#include "engine/runner/result_merge.h"

namespace hace::cli {
namespace {

int run_merge(const Args& args) {
    const auto& pos = args.positional();
    if (pos.size() < 2) {
        throw InputError("hace merge: expected OUT.sqlite and at least one IN.sqlite");
    }
    std::vector<std::filesystem::path> inputs(pos.begin() + 1, pos.end());
    const auto counts = runner::merge_databases(pos[0], inputs);
    if (args.has("json")) {
        print_json({{"out", pos[0]},
                    {"inputs", inputs.size()},
                    {"cells", counts.cells},
                    {"samples", counts.samples},
                    {"duplicates_skipped", counts.duplicates_skipped}});
    } else {
        std::printf(
            "merged %zu databases into %s: %lld new cells, %lld samples, %lld duplicates "
            "skipped\n",
            inputs.size(), pos[0].c_str(), static_cast<long long>(counts.cells),
            static_cast<long long>(counts.samples),
            static_cast<long long>(counts.duplicates_skipped));
    }
    return 0;
}

}  // namespace

Command merge_command() {
    return {"merge",
            "OUT.sqlite IN.sqlite... [--json]",
            "combine results databases into one, skipping samples already there",
            {{"json", false, "print {cells, samples, duplicates_skipped} as JSON"}},
            &run_merge};
}

}  // namespace hace::cli
