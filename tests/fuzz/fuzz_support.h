// Shared plumbing of the libFuzzer targets (tests/fuzz/README.md): the engine's readers take
// file paths, so each input is written to a per-process scratch folder first, and the one
// outcome a reader may have besides success is an InputError (exit 2 in the CLI). Any other
// exception is the "internal error" exit 1 that issue 17 counts as a crash, so it aborts here
// and libFuzzer records the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/error.h"

namespace hace::fuzz {

// A scratch folder of this process (created on first use, removed at exit).
const std::filesystem::path& scratch_dir();

// Writes bytes to scratch_dir()/name (replacing it) and returns the path.
std::filesystem::path write_scratch(const std::string& name, std::string_view bytes);

// Splits the input at NUL bytes into at most `parts` pieces (the last piece keeps any further
// NULs); missing pieces are absent from the result. Multi-file formats (vocab.json + merges.txt,
// tokenizer.json + tokenizer_config.json) travel as one input this way.
std::vector<std::string_view> split_parts(const std::uint8_t* data, std::size_t size,
                                          std::size_t parts);

// The source tree (HACE_FUZZ_SOURCE_DIR at build time) for readers that resolve relative paths.
std::filesystem::path source_dir();

// Runs fn; an InputError is the expected refusal of bad input, anything else aborts with its
// message so that libFuzzer keeps the input as a crash.
template <typename Fn>
void expect_clean(Fn&& fn) {
    try {
        fn();
    } catch (const InputError&) {
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz: internal error (not an InputError): %s\n", e.what());
        std::abort();
    }
}

}  // namespace hace::fuzz
