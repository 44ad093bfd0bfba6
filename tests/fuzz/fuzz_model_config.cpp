// config.json of every family (Llama/Mistral, Qwen2, Qwen v1, OPT): parsed and validated, then
// the derived figures the CLI prints. The parsers are engine/model's own sources, compiled
// without the torch forwards (hace_fuzz_model_config in CMakeLists.txt).
#include <cstddef>
#include <cstdint>

#include "engine/model/model_config.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    const auto path = fuzz::write_scratch(
        "config.json", std::string_view(reinterpret_cast<const char*>(data), size));
    fuzz::expect_clean([&] {
        const model::ModelConfig cfg = model::load_model_config(path);
        volatile auto params = cfg.param_count();
        volatile auto group = cfg.group_size();
        (void)params;
        (void)group;
        (void)cfg.position_encoding();
    });
    return 0;
}
