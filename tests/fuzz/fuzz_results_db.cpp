// A results database that may be corrupt: opened for writing (verify, migrate) as `hace run`
// does, then read; and opened read-only as a merge input. The first byte picks which.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "engine/runner/result_store.h"
#include "engine/runner/result_store_open.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    namespace fs = std::filesystem;
    if (size == 0) return 0;
    const fs::path path = fuzz::scratch_dir() / "results.sqlite";
    for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(path.string() + suffix);
    fuzz::write_scratch("results.sqlite",
                        std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    fuzz::expect_clean([&] {
        if (data[0] % 2 == 0) {
            runner::ResultStore store = runner::ResultStore::open(path, {.busy_timeout_ms = 0});
            (void)store.schema_version();
            (void)store.counts();
            (void)store.failed_cells();
            for (const auto& cell : store.sweep_progress(1)) {
                (void)store.cell_config(cell.hash);
                for (const auto index : store.done_samples(cell.hash)) {
                    (void)store.read_sample(cell.hash, index);
                }
            }
            (void)store.manifest(1);
        } else {
            (void)runner::detail::open_results_for_reading(path);
        }
    });
    return 0;
}
