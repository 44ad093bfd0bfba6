// `hace compare` through the real binary on a small results database written through the
// results store with hand-chosen scores, so every difference, interval and p-value is known.
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/runner/result_store.h"
#include "tests/support/run_command.h"
#include "tests/support/test_data.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

struct Cell {
    std::string method;
    std::optional<double> retention;
    std::vector<double> scores;
    std::string id_prefix = "case-";
};

json config_of(const Cell& c) {
    return {
        {"format", "hace-cell/1"},  {"model", {{"name", "tiny"}, {"layers", 2}}},
        {"context_length", 256},    {"retention", c.retention ? json(*c.retention) : json(nullptr)},
        {"method", c.method},       {"mode", c.method == "full" ? json(nullptr) : json("equal")},
        {"params", json::object()}, {"task", {{"id", "needle"}, {"options", json::object()}}}};
}

// 0.1: HACE leads SnapKV by 10 on each of 5 samples (exact p = 2/32). 0.3: differences -10, 10,
// -10, 10, 0 (p = 1, sd 10). 0.5: the SnapKV cell's samples have other ids (no pairs).
// 0.7: 25 samples, HACE ahead by 1 on each (random flips: p = 1/100001).
fs::path write_db(const std::string& tag) {
    std::vector<double> up, down;
    for (int k = 0; k < 25; ++k) {
        up.push_back(k + 1.0);
        down.push_back(k);
    }
    const std::vector<Cell> cells = {
        {"full", std::nullopt, {100, 100, 100, 100, 100}},
        {"hace", 0.1, {60, 70, 80, 90, 100}},
        {"snapkv", 0.1, {50, 60, 70, 80, 90}},
        {"hace", 0.3, {10, 20, 30, 40, 50}},
        {"snapkv", 0.3, {20, 10, 40, 30, 50}},
        {"hace", 0.5, {1, 2}},
        {"snapkv", 0.5, {1, 2}, "other-"},
        {"hace", 0.7, up},
        {"snapkv", 0.7, down},
    };
    const fs::path db = hace::test::temp_dir(tag) / "results.sqlite";
    auto store = hace::runner::ResultStore::open(db);
    const auto sweep = store.register_sweep("compare", {{"name", "compare"}});
    std::vector<hace::runner::CellRecord> records;
    for (const auto& c : cells) {
        records.push_back({config_of(c), static_cast<std::int64_t>(c.scores.size())});
    }
    const auto hashes = store.add_cells(sweep, records);
    for (std::size_t i = 0; i < cells.size(); ++i) {
        for (std::size_t k = 0; k < cells[i].scores.size(); ++k) {
            hace::runner::SampleResult r;
            r.cell_hash = hashes[i];
            r.sample_index = static_cast<std::int64_t>(k);
            r.sample_id = std::string(cells[i].id_prefix).append(std::to_string(k));
            r.prediction = "the answer is 42";
            r.references = {"42"};
            r.metrics = {{"score", cells[i].scores[k]}};
            r.prompt_tokens = 250;
            r.output_tokens = 1;
            r.retention_nominal = cells[i].retention;
            r.extra = {{"method_name", cells[i].method}};
            store.write_sample(r);
        }
        store.mark_cell_done(hashes[i]);
    }
    return db;
}

hace::test::CommandResult hace_cli(const std::vector<std::string>& args) {
    return hace::test::run_program(HACE_CLI_PATH, args);
}

std::vector<std::string> nonempty_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i == text.size() || text[i] == '\n') {
            if (i > start) out.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

TEST(CompareCli, PerCellDifferencesIntervalsAndHolm) {
    const fs::path db = write_db("compare-cells");
    const auto r = hace_cli({"compare", "--db", db.string(), "--a", "hace", "--b", "snapkv",
                             "--effect", "5", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["a"], "hace");
    EXPECT_EQ(j["metric"], "score");
    EXPECT_EQ(j["pairs_without_common_samples"], 1);  // 0.5
    EXPECT_EQ(j["statistics"]["seed"], 20240917);
    ASSERT_EQ(j["cells"].size(), 3u);
    const json& a = j["cells"][0];
    EXPECT_EQ(a["retention"], 0.1);
    EXPECT_EQ(a["n"], 5);
    EXPECT_DOUBLE_EQ(a["mean_difference"].get<double>(), 10.0);
    EXPECT_DOUBLE_EQ(a["ci_low"].get<double>(), 10.0);  // every difference is 10
    EXPECT_DOUBLE_EQ(a["ci_high"].get<double>(), 10.0);
    EXPECT_DOUBLE_EQ(a["p"].get<double>(), 2.0 / 32.0);
    EXPECT_EQ(a["p_method"], "exact");
    EXPECT_EQ(a["flips"], 32);
    EXPECT_TRUE(a["seed"].is_null());
    EXPECT_EQ(a["samples_needed"], 1);  // sd 0
    const json& b = j["cells"][1];
    EXPECT_EQ(b["retention"], 0.3);
    EXPECT_DOUBLE_EQ(b["mean_difference"].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(b["p"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(b["sd_difference"].get<double>(), 10.0);
    EXPECT_EQ(b["samples_needed"], 32);  // (2.8016 x 10 / 5)^2 = 31.4
    const json& c = j["cells"][2];
    EXPECT_EQ(c["retention"], 0.7);
    EXPECT_EQ(c["n"], 25);
    EXPECT_EQ(c["p_method"], "random");
    EXPECT_EQ(c["flips"], 100000);
    EXPECT_EQ(c["seed"], 20240917);
    // Only the observed signs and their mirror reach |sum| = 25 (chance 2^-24 per random flip):
    // p = (1 + hits) / 100001 with at most a hit or two in 100,000 flips.
    const double pc = c["p"].get<double>();
    EXPECT_GE(pc, 1.0 / 100001.0);
    EXPECT_LE(pc, 3.0 / 100001.0);
    // Holm over 3: that p x 3; 0.0625 x 2 = 0.125; 1.
    EXPECT_NEAR(c["p_holm"].get<double>(), 3.0 * pc, 1e-15);
    EXPECT_DOUBLE_EQ(a["p_holm"].get<double>(), 0.125);
    EXPECT_DOUBLE_EQ(b["p_holm"].get<double>(), 1.0);
    EXPECT_EQ(a["significant"], false);
    EXPECT_EQ(c["significant"], true);
}

TEST(CompareCli, FiltersSeedAgainstTheFullCacheAndText) {
    const fs::path db = write_db("compare-filters");
    auto r = hace_cli({"compare", "--db", db.string(), "--a", "hace", "--b", "snapkv",
                       "--retention", "0.7", "--seed", "7", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    json j = json::parse(r.out);
    ASSERT_EQ(j["cells"].size(), 1u);
    EXPECT_EQ(j["cells"][0]["seed"], 7);
    EXPECT_EQ(j["cells"][0]["p_holm"], j["cells"][0]["p"]);  // a family of one
    // The full cache pairs with every retention.
    r = hace_cli({"compare", "--db", db.string(), "--a", "hace", "--b", "full", "--retention",
                  "0.1", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    j = json::parse(r.out);
    ASSERT_EQ(j["cells"].size(), 1u);
    EXPECT_DOUBLE_EQ(j["cells"][0]["mean_difference"].get<double>(), -20.0);
    r = hace_cli({"compare", "--db", db.string(), "--a", "hace", "--b", "snapkv"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto lines = nonempty_lines(r.out);
    ASSERT_EQ(lines.size(), 5u);  // header, 3 cells, the unpaired note
    EXPECT_THAT(lines[0], HasSubstr("Holm over 3 cells"));
    EXPECT_THAT(lines[1], HasSubstr("R 0.1: n 5, 80.000 - 70.000 = +10.000 [10.000, 10.000]"));
    EXPECT_THAT(lines[3], HasSubstr("random, seed 20240917"));
    EXPECT_THAT(lines[3], HasSubstr(" *"));
}

TEST(CompareCli, BadInputExitsTwoWithOneLine) {
    const fs::path db = write_db("compare-errors");
    const auto expect_refusal = [](const hace::test::CommandResult& r, const std::string& what) {
        EXPECT_EQ(r.code, 2) << r.out;
        EXPECT_THAT(r.err, HasSubstr(what));
        EXPECT_EQ(nonempty_lines(r.err).size(), 1u) << r.err;
    };
    expect_refusal(hace_cli({"compare", "--db", db.string(), "--a", "nope", "--b", "snapkv"}),
                   "no cell of method \"nope\" (methods: full, hace, snapkv)");
    expect_refusal(hace_cli({"compare", "--db", db.string(), "--a", "hace", "--b", "snapkv",
                             "--retention", "0.5"}),
                   "have no common samples");
    expect_refusal(hace_cli({"compare", "--db", db.string(), "--a", "hace", "--b", "snapkv",
                             "--task", "qasper"}),
                   "share a model, task, context and retention");
    expect_refusal(hace_cli({"compare", "--db", db.string(), "--a", "hace", "--b", "hace"}),
                   "the same method");
    expect_refusal(hace_cli({"compare", "--db", db.string(), "--a", "hace", "--b", "snapkv",
                             "--alpha", "1.5"}),
                   "--alpha");
    const fs::path bad = db.parent_path() / "corrupt.sqlite";
    std::ofstream(bad) << "this is not a database";
    expect_refusal(hace_cli({"compare", "--db", bad.string(), "--a", "hace", "--b", "snapkv"}),
                   "corrupt.sqlite");
}

}  // namespace
