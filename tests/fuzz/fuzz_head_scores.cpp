// A HeadKV head-score file: loaded, then turned into the per-KV-head and per-query-head scores
// and the statistics the CLI and the cache use, for the file's own shape and one GQA grouping.
#include <cstddef>
#include <cstdint>

#include "engine/kv/head_scores.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hace;
    const auto path = fuzz::write_scratch(
        "head_scores.json", std::string_view(reinterpret_cast<const char*>(data), size));
    fuzz::expect_clean([&] {
        const kv::HeadScoreFile f = kv::load_head_score_file(path);
        (void)kv::head_score_stats(f);
        for (const double temperature : {1.0, 0.5, 2.0}) {
            (void)kv::query_head_scores(f, temperature);
            (void)kv::kv_head_scores(f, f.layers, f.q_heads, f.q_heads, temperature);
            if (f.q_heads % 2 == 0) {
                (void)kv::kv_head_scores(f, f.layers, f.q_heads, f.q_heads / 2, temperature);
            }
        }
    });
    return 0;
}
