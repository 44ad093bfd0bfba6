// A small results database written through the engine's store API (engine/runner/result_store.h)
// with values chosen so that every figure's numbers are known by hand:
//
//   model "tiny-a" (3 layers, 2 KV heads), task narrativeqa at 1024 tokens, metric "score":
//     full                     50, 50                -> 50 (tolerance 10%: within >= 45)
//     snapkv   5% 10% 20% 50%  30  40  46  49        -> cliff 20%, failing 10%
//     hace     5% 10% 20% 50%  44  47  48  50        -> cliff 10%, failing 5%
//     pyramidkv (faithful) 10%: 20 and 30 (mean 25), 50%: 40   -> fails at every ratio
//   hace 10% per-head "kept": sample 0 = 10 l + h + 1, sample 1 = 10 l + h + 3 (mean 10 l + h + 2);
//     "budget" = kept - 1.
//   task niah, hace 10%, one sample per depth 0, 50, 100:
//     256 tokens: scores 100, 100, 0 (depth only in the sample id "L256/d50")
//     512 tokens: scores 100, 0, 0   (depth in extra.meta.depth)
//   snapkv niah 256 tokens 10%: failed ("out of memory").
#pragma once

#include <filesystem>
#include <string>

namespace hace::views::test {

// Writes the database at `path` (removed first) and returns the hash of the hace 10%
// narrativeqa cell.
std::string writeResultsFixture(const std::filesystem::path& path);

}  // namespace hace::views::test
