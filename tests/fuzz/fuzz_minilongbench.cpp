// MiniLongBench (OpenCompass) example dumps. The first byte picks the file name, which names the
// dataset the importer expects; the rest is the file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/eval/tasks/minilongbench_import.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    if (size == 0) return 0;
    const auto& layouts = tasks::opencompass_layouts();
    const std::string name = "MiniLongBench_" + layouts[data[0] % layouts.size()].dataset + ".json";
    const auto path = fuzz::write_scratch(
        name, std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    fuzz::expect_clean([&] {
        const auto file = tasks::import_minilongbench(path, [](const tasks::LoadProblem&) {});
        for (const auto& sample : file.samples) {
            (void)tasks::count_words(sample);
            (void)tasks::format_fields(sample);
        }
    });
    return 0;
}
