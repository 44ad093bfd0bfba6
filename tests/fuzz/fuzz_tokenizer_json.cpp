// tokenizer.json (Hugging Face tokenizers; BPE models) with an optional tokenizer_config.json
// after a NUL byte, loaded from a folder as the engine does, then exercised.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_exercise.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    namespace fs = std::filesystem;
    const auto parts = fuzz::split_parts(data, size, 2);
    const fs::path dir = fuzz::scratch_dir() / "tokenizer_json";
    fs::create_directories(dir);
    fs::remove(dir / "tokenizer_config.json");
    fuzz::write_scratch("tokenizer_json/tokenizer.json", parts[0]);
    if (parts.size() > 1) fuzz::write_scratch("tokenizer_json/tokenizer_config.json", parts[1]);
    fuzz::expect_clean([&] { fuzz::exercise_tokenizer(*tokenizer::load_tokenizer(dir)); });
    return 0;
}
