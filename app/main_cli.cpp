// `hace`: the headless front end. JSON on stdout with --json, progress on stderr; exit 0 on
// success, 2 on bad input (one line saying what is wrong), 1 on an internal failure.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "app/cli/command.h"
#include "engine/core/compute_env.h"
#include "engine/core/error.h"

namespace {

void print_overview() {
    std::printf("hace %s: KV-cache compression workbench, headless\n\nusage: hace COMMAND ...\n\n",
                HACE_VERSION);
    for (const auto& c : hace::cli::commands()) {
        std::printf("  %-10s %s\n", c.name.c_str(), c.summary.c_str());
    }
    std::printf("\nhace COMMAND --help shows the flags of a command.\n");
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        print_overview();
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::printf("hace %s\n", HACE_VERSION);
        return 0;
    }
    const std::string name = args[0];
    // Commands that run a model get OpenBLAS's right kernels and sleeping OpenMP workers
    // (engine/core/compute_env.h); the others skip the re-exec and its library load.
    for (const char* compute : {"bench", "generate", "compress", "hiv", "run"}) {
        if (name == compute) hace::ensure_compute_env(argv);
    }
    std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const auto& cmd : hace::cli::commands()) {
        if (cmd.name != name) continue;
        if (!rest.empty() && (rest[0] == "--help" || rest[0] == "-h")) {
            std::printf("%s\n%s", cmd.summary.c_str(),
                        hace::cli::usage_text(cmd.name, cmd.synopsis, cmd.flags).c_str());
            return 0;
        }
        try {
            const hace::cli::Args parsed(cmd.name, cmd.flags, rest);
            return cmd.run(parsed);
        } catch (const hace::InputError& e) {
            std::fprintf(stderr, "hace: error: %s\n", first_line(e.what()).c_str());
            return 2;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "hace: internal error: %s\n", first_line(e.what()).c_str());
            return 1;
        }
    }
    std::fprintf(stderr, "hace: error: unknown command \"%s\" (see hace --help)\n", name.c_str());
    return 2;
}
