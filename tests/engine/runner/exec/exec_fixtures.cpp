#include "tests/engine/runner/exec/exec_fixtures.h"

#include "engine/runner/exec/result_tables.h"
#include "tests/support/test_data.h"

namespace hace::runner::test {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path needle_model() {
    return hace::test::source_dir() / "resources/models/needle-llama-1m";
}
fs::path needle_head_scores() {
    return needle_model() / "head_scores_hiv.json";
}
fs::path needle_task_data() {
    return hace::test::shared_data() / "models/needle-llama-1m";
}
fs::path paul_graham_haystack() {
    return hace::test::shared_data() / "haystack/paul_graham";
}

json needle_sweep(const json& methods, const std::vector<double>& retentions,
                  std::int64_t samples) {
    json j = {
        {"name", "needle-test"},
        {"models",
         {{{"dir", needle_model().string()}, {"head_scores", needle_head_scores().string()}}}},
        {"context_lengths", {256}},
        {"retentions", retentions},
        {"methods", methods},
        {"tasks", {"needle"}},
        {"samples_per_task", samples},
        {"data",
         {{"needle_task", needle_task_data().string()},
          {"haystack", paul_graham_haystack().string()},
          {"hiv_needles", needle_task_data().string()}}}};
    if (retentions.empty()) j.erase("retentions");
    return j;
}

SweepSpec parse_spec(const json& j) {
    return parse_sweep_spec(j, fs::current_path(), "test.json");
}

StoredRows stored_rows(const fs::path& db) {
    const Table t = sample_table(db);
    StoredRows rows;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        json row = json::object();
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const std::string& name = t.columns[c];
            if (name == "prefill_ms" || name == "decode_ms" || name == "total_ms" ||
                name == "peak_bytes" || name == "status" || name == "timing") {
                continue;
            }
            row[name] = t.rows[r][c];
        }
        const auto key = std::make_pair(t.at(r, "cell").get<std::string>(),
                                        t.at(r, "sample_index").get<std::int64_t>());
        rows.emplace(key, std::move(row));
    }
    return rows;
}

}  // namespace hace::runner::test
