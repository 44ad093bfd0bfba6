#include "app/cli/command.h"

namespace hace::cli {

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        info_command(),
        tokenize_command(),
        generate_command(),
        compress_command(),
        bench_command(),
        score_command(),
#if HACE_WITH_PLOT
        plot_command(),
#endif
        hiv_command(),
        run_command(),
        export_command(),
        compare_command(),
        merge_command(),
        slurm_command(),
    };
    return table;
}

}  // namespace hace::cli
