// `hace score --jsonl FILE --metric M --json`, through the CLI's own command: the first byte
// picks the metric, the rest is the JSONL file. Scores go to stdout, which is silenced. The
// command is compiled from app/cli/cmd_score.cpp with the two CLI files it uses (CMakeLists.txt).
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "app/cli/args.h"
#include "app/cli/command.h"
#include "engine/eval/metrics/scorer.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, STDOUT_FILENO);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    if (size == 0) return 0;
    static const cli::Command command = cli::score_command();
    const auto& all = metrics::all_metrics();
    const std::string metric(metrics::metric_name(all[data[0] % all.size()]));
    const auto path = fuzz::write_scratch(
        "scores.jsonl", std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    fuzz::expect_clean([&] {
        const cli::Args args(command.name, command.flags,
                             {"--metric", metric, "--jsonl", path.string(), "--json"});
        (void)command.run(args);
    });
    return 0;
}
