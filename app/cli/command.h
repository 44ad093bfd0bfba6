// One `hace` subcommand: its flags and its entry point. The table lives in commands.cpp.
#pragma once

#include <string>
#include <vector>

#include "app/cli/args.h"

namespace hace::cli {

struct Command {
    std::string name;
    std::string synopsis;
    std::string summary;
    std::vector<FlagSpec> flags;
    int (*run)(const Args& args);  // returns the exit code; throws InputError for bad input
};

const std::vector<Command>& commands();

// Subcommand definitions (cmd_<name>.cpp).
Command info_command();
Command tokenize_command();
Command generate_command();
Command bench_command();
Command compress_command();
Command score_command();
#if HACE_WITH_PLOT
Command plot_command();  // built only with HACE_BUILD_GUI (needs QtGui)
#endif
Command hiv_command();
Command run_command();
Command export_command();
Command compare_command();
Command merge_command();
Command slurm_command();

}  // namespace hace::cli
