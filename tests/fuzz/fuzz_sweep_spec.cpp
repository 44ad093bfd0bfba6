// A sweep spec as `hace run --dry-run` reads it, up to what the torch-free runner library does:
// the file read and parsed (load_sweep_spec), validated and planned (make_plan: the spec's
// structure, the methods, their parameters against each schema, the tasks, the data folders,
// head-score files read for their hashes, model folders described from their config.json by the
// real config parsers, every cell key and cost estimate), then printed (plan_json, plan_text).
// The method and task tables are the real engine's, read from engine_validation_context.json
// (written from runner::engine_validation_context(); test_exec_units' SavedContext test fails
// when it is out of date and names the command that rewrites it).
//
// Each task entry's options also go through check_task_options (engine/runner/exec, compiled
// in) for every task kind: a saved context has no functions, so it does not say which kind an
// id is, and validation itself leaves options unchecked here.
//
// Not covered here, because it lives in hace_exec, which links LibTorch and cannot be compiled
// by this clang: the engine's checks of plan_sweep (engine_checks: task data files, every
// method's compression config on every model), the HIV cell folding and the batch size. The
// GCC ASan + UBSan test stage (scripts/sanitizer-tests.sh) runs those on the specs of the
// executor tests.
//
// The file sits where the seeds' relative paths resolve as they do from resources/examples:
// ../models is the bundled models, ../../../shared/data the shared data folder.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "engine/core/json_io.h"
#include "engine/runner/exec/model_info.h"
#include "engine/runner/exec/task_options.h"
#include "engine/runner/plan_report.h"
#include "engine/runner/sweep_plan.h"
#include "engine/runner/sweep_spec.h"
#include "engine/runner/validation_context_json.h"
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

hace::runner::ValidationContext saved_engine_context() {
    const fs::path file = hace::fuzz::source_dir() / "tests/fuzz/engine_validation_context.json";
    hace::runner::ValidationContext ctx =
        hace::runner::validation_context_from_json(hace::read_json_file(file), file.string());
    ctx.describe_model = &hace::runner::describe_model_dir;
    return ctx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    static const runner::ValidationContext ctx = saved_engine_context();
    static const fs::path examples = prepare_tree();
    const auto path = fuzz::write_scratch(
        "a/b/examples/fuzz.json", std::string_view(reinterpret_cast<const char*>(data), size));
    fuzz::expect_clean([&] {
        const runner::SweepSpec spec = runner::load_sweep_spec(path);
        for (const runner::TaskEntry& task : spec.tasks) {
            for (const eval::TaskKind kind : {eval::TaskKind::LongBench, eval::TaskKind::Niah,
                                              eval::TaskKind::NeedleTask, eval::TaskKind::Hiv}) {
                (void)runner::check_task_options(kind, task.options);
            }
        }
        const runner::SweepPlan plan = runner::make_plan(spec, ctx);
        (void)runner::plan_json(plan);
        (void)runner::plan_text(plan);
    });
    return 0;
}
