// vocab.json + merges.txt (GPT-2, OPT, Qwen2/3 byte-level BPE) with an optional
// tokenizer_config.json, the three separated by NUL bytes, loaded from a folder, then exercised.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_exercise.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    namespace fs = std::filesystem;
    const auto parts = fuzz::split_parts(data, size, 3);
    const fs::path dir = fuzz::scratch_dir() / "vocab_merges";
    fs::create_directories(dir);
    fs::remove(dir / "merges.txt");
    fs::remove(dir / "tokenizer_config.json");
    fuzz::write_scratch("vocab_merges/vocab.json", parts[0]);
    if (parts.size() > 1) fuzz::write_scratch("vocab_merges/merges.txt", parts[1]);
    if (parts.size() > 2) fuzz::write_scratch("vocab_merges/tokenizer_config.json", parts[2]);
    fuzz::expect_clean([&] { fuzz::exercise_tokenizer(*tokenizer::load_tokenizer(dir)); });
    return 0;
}
