// Qwen v1's qwen.tiktoken ("<base64 bytes> <rank>" per line), loaded and exercised.
#include <cstddef>
#include <cstdint>

#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_exercise.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    const auto path = fuzz::write_scratch(
        "qwen.tiktoken", std::string_view(reinterpret_cast<const char*>(data), size));
    fuzz::expect_clean([&] { fuzz::exercise_tokenizer(*tokenizer::load_tokenizer(path)); });
    return 0;
}
