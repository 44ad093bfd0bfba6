// A sweep spec as `hace run --dry-run` reads it: the file read and parsed, validated against
// the real engine's method and task tables, planned (with the engine's own checks of data files
// and compression configs), and printed. The file sits where the seeds' relative paths resolve
// as they do from resources/examples: ../models is the bundled models, ../../../shared/data the
// shared data folder.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "engine/runner/exec/engine_context.h"
#include "engine/runner/exec/execution_plan.h"
#include "engine/runner/plan_report.h"
#include "engine/runner/sweep_spec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

namespace fs = std::filesystem;

// scratch/a/b/examples/ with scratch/a/b/models -> resources/models and scratch/shared -> the
// folder holding the shared data.
fs::path prepare_tree() {
    const fs::path root = hace::fuzz::scratch_dir();
    const fs::path examples = root / "a" / "b" / "examples";
    fs::create_directories(examples);
    fs::create_directory_symlink(hace::fuzz::source_dir() / "resources" / "models",
                                 root / "a" / "b" / "models");
    fs::create_directory_symlink(fs::absolute(HACE_FUZZ_SHARED_DATA).parent_path(),
                                 root / "shared");
    return examples;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    static const runner::ValidationContext ctx = runner::engine_validation_context();
    static const fs::path examples = prepare_tree();
    const auto path = fuzz::write_scratch(
        "a/b/examples/fuzz.json", std::string_view(reinterpret_cast<const char*>(data), size));
    fuzz::expect_clean([&] {
        const runner::SweepSpec spec = runner::load_sweep_spec(path);
        const runner::SweepPlan plan = runner::plan_sweep(spec, ctx);
        (void)runner::plan_json(plan);
        (void)runner::plan_text(plan);
    });
    return 0;
}
