// Official LongBench JSONL: every line read (bad lines are reported and skipped), then the
// str.format fields of each good sample.
#include <cstddef>
#include <cstdint>

#include "engine/eval/tasks/longbench_sample.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    const auto path = fuzz::write_scratch(
        "longbench.jsonl", std::string_view(reinterpret_cast<const char*>(data), size));
    fuzz::expect_clean([&] {
        std::size_t reported = 0;
        const auto file = tasks::load_longbench_jsonl(
            path, [&](const tasks::LoadProblem& p) { reported += p.problem.size(); });
        for (const auto& sample : file.samples) (void)tasks::format_fields(sample);
        for (const auto& p : file.problems) (void)p.problem;
    });
    return 0;
}
