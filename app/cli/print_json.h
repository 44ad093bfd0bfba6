// JSON on stdout, the --json output of every subcommand. On its own (no model or tokenizer
// headers) so that a command that needs nothing else from json_out.h (`hace score`) builds
// without the engine's model code: tests/fuzz/fuzz_score_jsonl.cpp compiles it that way.
#pragma once

#include <nlohmann/json.hpp>

namespace hace::cli {

// Two-space indented; invalid UTF-8 in strings is replaced (U+FFFD), never an exception.
void print_json(const nlohmann::json& j);

}  // namespace hace::cli
