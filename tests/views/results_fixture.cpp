#include "tests/views/results_fixture.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "engine/runner/result_store.h"

namespace hace::views::test {
namespace {

using nlohmann::json;
using runner::ResultStore;

json config(const std::string& task, std::int64_t ctx, const std::string& method,
            std::optional<double> retention, const std::string& mode = "equal") {
    return {{"format", "hace-cell/1"},
            {"model",
             {{"name", "tiny-a"},
              {"layers", 3},
              {"kv_heads", 2},
              {"q_heads", 4},
              {"head_dim", 8},
              {"max_positions", 2048}}},
            {"context_length", ctx},
            {"retention", retention ? json(*retention) : json(nullptr)},
            {"method", method},
            {"mode", method == "full" ? json(nullptr) : json(mode)},
            {"task", {{"id", task}, {"options", json::object()}}}};
}

runner::SampleResult sample(const std::string& cell, std::int64_t index, double score,
                            std::string id = {}) {
    runner::SampleResult r;
    r.cell_hash = cell;
    r.sample_index = index;
    if (id.empty()) id.append("s").append(std::to_string(index));
    r.sample_id = std::move(id);
    r.prediction = std::string("answer ").append(std::to_string(index));
    r.references = json::array({"answer"});
    r.metrics = {{"score", score}, {"qa_f1", score / 100.0}};
    r.prompt_tokens = 100 + index;
    r.output_tokens = 4;
    r.total_ms = 10.0 + static_cast<double>(index);
    return r;
}

}  // namespace

std::string writeResultsFixture(const std::filesystem::path& path) {
    std::filesystem::remove(path);
    ResultStore store = ResultStore::open(path);
    const auto sweep = store.register_sweep("fixture", json{{"name", "fixture"}});
    struct Cell {
        json cfg;
        std::vector<double> scores;
    };
    std::vector<Cell> cells = {
        {config("narrativeqa", 1024, "full", std::nullopt), {50, 50}},
        {config("narrativeqa", 1024, "snapkv", 0.05), {30, 30}},
        {config("narrativeqa", 1024, "snapkv", 0.1), {40, 40}},
        {config("narrativeqa", 1024, "snapkv", 0.2), {46, 46}},
        {config("narrativeqa", 1024, "snapkv", 0.5), {49, 49}},
        {config("narrativeqa", 1024, "hace", 0.05), {44, 44}},
        {config("narrativeqa", 1024, "hace", 0.1), {47, 47}},
        {config("narrativeqa", 1024, "hace", 0.2), {48, 48}},
        {config("narrativeqa", 1024, "hace", 0.5), {50, 50}},
        {config("narrativeqa", 1024, "pyramidkv", 0.1, "faithful"), {20, 30}},
        {config("narrativeqa", 1024, "pyramidkv", 0.5, "faithful"), {40, 40}},
        {config("niah", 256, "hace", 0.1), {100, 100, 0}},
        {config("niah", 512, "hace", 0.1), {100, 0, 0}},
        {config("niah", 256, "snapkv", 0.1), {}},
    };
    std::vector<runner::CellRecord> records;
    for (const auto& c : cells)
        records.push_back(
            {c.cfg, static_cast<std::int64_t>(std::max<std::size_t>(2, c.scores.size()))});
    const auto hashes = store.add_cells(sweep, records);
    const double depths[] = {0, 50, 100};
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string& task = cells[i].cfg["task"]["id"].get_ref<const std::string&>();
        const std::int64_t ctx = cells[i].cfg["context_length"].get<std::int64_t>();
        for (std::size_t s = 0; s < cells[i].scores.size(); ++s) {
            const auto index = static_cast<std::int64_t>(s);
            runner::SampleResult r;
            if (task == "niah") {
                // Built by append: GCC 12 warns (-Wrestrict) about "L" + std::string falsely.
                std::string id = "L";
                id.append(std::to_string(ctx))
                    .append("/d")
                    .append(std::to_string(static_cast<int>(depths[s])));
                r = sample(hashes[i], index, cells[i].scores[s], id);
                if (ctx == 512) {
                    r.sample_id = std::string("needle-").append(std::to_string(s));
                    r.extra = {{"meta", {{"depth", depths[s]}, {"context_length", ctx}}}};
                }
            } else {
                r = sample(hashes[i], index, cells[i].scores[s]);
            }
            if (i == 6) {  // hace 10% narrativeqa: per-head statistics
                for (std::int64_t l = 0; l < 3; ++l) {
                    for (std::int64_t h = 0; h < 2; ++h) {
                        const double kept = static_cast<double>(10 * l + h + 1 + 2 * index);
                        r.head_stats.push_back({l, h, "kept", kept});
                        r.head_stats.push_back({l, h, "budget", kept - 1});
                    }
                }
            }
            store.write_sample(r);
        }
        if (!cells[i].scores.empty()) store.mark_cell_done(hashes[i]);
    }
    store.mark_cell_failed(hashes.back(), "out of memory");
    return hashes[6];
}

}  // namespace hace::views::test
