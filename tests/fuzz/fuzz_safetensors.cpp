// A .safetensors file: the 8-byte header length, the header JSON and the tensor offsets. Every
// tensor the reader accepts must lie inside the mapping, which the first and last byte check.
#include <cstddef>
#include <cstdint>

#include "engine/model/safetensors.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    const auto path = fuzz::write_scratch(
        "model.safetensors", std::string_view(reinterpret_cast<const char*>(data), size));
    fuzz::expect_clean([&] {
        const auto file = model::SafetensorsFile::open(path);
        unsigned sum = 0;
        for (const auto& [name, t] : file->tensors()) {
            (void)t.shape_string();
            if (t.nbytes == 0) continue;
            sum += std::to_integer<unsigned>(t.data[0]) +
                   std::to_integer<unsigned>(t.data[t.nbytes - 1]);
        }
        volatile unsigned sink = sum;
        (void)sink;
    });
    return 0;
}
