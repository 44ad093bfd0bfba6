// Exports of stored results (`hace export`): CSV, JSON and the LaTeX tables, on a small database
// written through the results store with hand-chosen scores, so every number has a known answer.
#include <sys/stat.h>
#include <fstream>
#include <functional>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/runner/exec/latex_tables.h"
#include "engine/runner/exec/result_tables.h"
#include "engine/runner/exec/slurm_export.h"
#include "engine/runner/exec/summary_table.h"
#include "engine/runner/result_store.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

struct CellSpec {
    std::string method;
    std::optional<double> retention;
    std::vector<double> scores;
    std::string label;
    std::vector<std::int32_t> batched = {};  // per sample: its row's "batched" (absent: alone)
};

json config_of(const CellSpec& c) {
    return {
        {"format", "hace-cell/1"},  {"model", {{"name", "tiny"}, {"layers", 2}}},
        {"context_length", 256},    {"retention", c.retention ? json(*c.retention) : json(nullptr)},
        {"method", c.method},       {"mode", c.method == "full" ? json(nullptr) : json("equal")},
        {"params", json::object()}, {"task", {{"id", "needle"}, {"options", json::object()}}}};
}

// Writes the cells through the results store: sample k of a cell has id "case-k" and the
// metrics score and em = score / 100.
fs::path write_cells(const std::string& tag, const std::vector<CellSpec>& cells) {
    const fs::path db = hace::test::temp_dir(tag) / "results.sqlite";
    ResultStore store = ResultStore::open(db);
    const auto sweep = store.register_sweep("tables", {{"name", "tables"}});
    std::vector<CellRecord> records;
    for (const auto& c : cells) {
        records.push_back(
            {config_of(c), static_cast<std::int64_t>(std::max<std::size_t>(2, c.scores.size()))});
    }
    const auto hashes = store.add_cells(sweep, records);
    for (std::size_t i = 0; i < cells.size(); ++i) {
        for (std::size_t k = 0; k < cells[i].scores.size(); ++k) {
            SampleResult r;
            r.cell_hash = hashes[i];
            r.sample_index = static_cast<std::int64_t>(k);
            r.sample_id = "case-" + std::to_string(k);
            r.prediction = k == 0 ? "he said \"hi\", then left" : "12345.";
            r.references = {"12345"};
            r.metrics = {{"score", cells[i].scores[k]}, {"em", cells[i].scores[k] / 100.0}};
            if (cells[i].method == "full") r.metrics["full_only"] = 1.0;
            r.prompt_tokens = 250;
            r.output_tokens = 3;
            r.retention_nominal = cells[i].retention;
            r.retention_realised = cells[i].retention.value_or(1.0);
            r.kv_bytes = 1000 * static_cast<std::int64_t>(k + 1);
            r.extra = {{"method_name", cells[i].label}};
            if (k < cells[i].batched.size()) r.extra["batched"] = cells[i].batched[k];
            store.write_sample(r);
        }
        if (cells[i].scores.empty()) {
            store.mark_cell_failed(hashes[i], "out of memory");
        } else {
            store.mark_cell_done(hashes[i]);
        }
    }
    return db;
}

// full 90; hace 50 / 90; hace-layer 30 / 80; hace-head 50 / 85; snapkv 20 / 88 (at R 0.1 / 0.3);
// one failed cell without samples.
fs::path write_results(const std::string& tag) {
    return write_cells(tag, {
                                {"full", std::nullopt, {100, 80}, "full"},
                                {"hace", 0.1, {60, 40}, "hace"},
                                {"hace", 0.3, {90, 90}, "hace"},
                                {"hace-layer", 0.1, {30}, "hace-layer"},
                                {"hace-layer", 0.3, {80}, "hace-layer"},
                                {"hace-head", 0.1, {50}, "hace-head"},
                                {"hace-head", 0.3, {85}, "hace-head"},
                                {"snapkv", 0.1, {20}, "SnapKV_w8"},
                                {"snapkv", 0.3, {88}, "SnapKV_w8"},
                                {"cake", 0.3, {}, "cake"},
                            });
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            out.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

TEST(ResultTables, PerSampleRowsInPlanOrder) {
    const fs::path db = write_results("tables-samples");
    const Table t = sample_table(db);
    ASSERT_EQ(t.rows.size(), 12u);  // 2 + 2 + 2 + 1 + 1 + 1 + 1 + 1 + 1
    EXPECT_EQ(t.columns.front(), "cell");
    EXPECT_EQ(t.at(0, "method"), "full");
    EXPECT_TRUE(t.at(0, "retention").is_null());
    EXPECT_EQ(t.at(0, "sample_index"), 0);
    EXPECT_EQ(t.at(1, "sample_index"), 1);
    EXPECT_EQ(t.at(2, "method"), "hace");
    EXPECT_EQ(t.at(2, "retention"), 0.1);
    EXPECT_EQ(t.at(2, "score"), 60.0);
    EXPECT_TRUE(t.at(2, "full_only").is_null());
    EXPECT_EQ(t.at(10, "method_name"), "SnapKV_w8");
    EXPECT_EQ(t.at(0, "references"), json::array({"12345"}));

    const auto csv = lines_of(table_csv(t));
    ASSERT_EQ(csv.size(), 13u);
    EXPECT_EQ(csv[0].rfind("cell,model,context_length,method,method_name,mode,retention,budget,"
                           "query,task,"
                           "status,sample_index,sample_id,prediction,references,",
                           0),
              0u);
    EXPECT_THAT(csv[0], HasSubstr(",em,full_only,score"));
    // Quotes doubled, the field quoted because of its comma; missing values empty.
    EXPECT_THAT(csv[1], HasSubstr(",\"he said \"\"hi\"\", then left\",\"[\"\"12345\"\"]\",250,3,"));
    EXPECT_THAT(csv[1], HasSubstr(",tiny,256,full,full,,,,aware,needle,done,0,case-0,"));
    EXPECT_EQ(csv[1].substr(csv[1].size() - 8), ",1,1,100");  // em, full_only, score

    const json j = table_json(t, "sample");
    EXPECT_EQ(j["per"], "sample");
    ASSERT_EQ(j["rows"].size(), 12u);
    EXPECT_EQ(j["rows"][3]["score"], 40.0);
    EXPECT_TRUE(j["rows"][3]["full_only"].is_null());
}

// Timings of batched samples are shares of the batch's wall time: both tables say so.
TEST(ResultTables, BatchedTimingsAreLabelledAsShares) {
    const fs::path db = write_cells("tables-batched", {
                                                          {"full", std::nullopt, {1, 2}, "full"},
                                                          {"hace", 0.1, {1, 2}, "hace", {4, 4}},
                                                          {"hace", 0.3, {1, 2, 3}, "hace", {4, 1}},
                                                      });
    const Table samples = sample_table(db);
    ASSERT_EQ(samples.rows.size(), 7u);
    EXPECT_EQ(samples.at(0, "timing"), "alone");
    EXPECT_EQ(samples.at(2, "timing"), "batch share (B=4)");
    EXPECT_EQ(samples.at(5, "timing"), "alone");  // "batched": 1 is alone
    EXPECT_EQ(samples.at(6, "timing"), "alone");  // no "batched"
    const auto header = lines_of(table_csv(samples))[0];
    EXPECT_THAT(header, HasSubstr(",output_tokens,timing,prefill_ms,decode_ms,total_ms,"));
    EXPECT_THAT(lines_of(table_csv(samples))[3], HasSubstr(",batch share (B=4),"));

    const Table cells = cell_table(cell_summaries(db));
    ASSERT_EQ(cells.rows.size(), 3u);
    EXPECT_EQ(cells.at(0, "timing"), "alone");
    EXPECT_EQ(cells.at(1, "timing"), "batch share (B=4)");
    EXPECT_EQ(cells.at(2, "timing"), "batch share (B=4, some alone)");
    EXPECT_EQ(table_json(cells, "cell")["rows"][1]["timing"], "batch share (B=4)");

    EXPECT_TRUE(timing_label({}).is_null());
    EXPECT_EQ(timing_label({1, 2, 8}), "batch share (B=2/8, some alone)");
}

TEST(ResultTables, PerCellMeansAndFailedCells) {
    const fs::path db = write_results("tables-cells");
    const auto cells = cell_summaries(db);
    ASSERT_EQ(cells.size(), 10u);
    EXPECT_EQ(cells[0].metric_means.at("score"), 90.0);
    EXPECT_EQ(cells[1].metric_means.at("score"), 50.0);
    EXPECT_EQ(cells[1].means.at("kv_bytes"), 1500.0);
    EXPECT_EQ(cells[7].method_name, "SnapKV_w8");
    EXPECT_EQ(cells[9].status, "failed");
    EXPECT_EQ(cells[9].failure_reason, "out of memory");
    EXPECT_EQ(cells[9].samples, 0);
    EXPECT_EQ(cells[9].samples_planned, 2);
    const Table t = cell_table(cells);
    EXPECT_EQ(t.at(0, "samples"), 2);
    EXPECT_EQ(t.at(1, "score"), 50.0);
    EXPECT_TRUE(t.at(9, "score").is_null());
    const auto csv = lines_of(table_csv(t));
    ASSERT_EQ(csv.size(), 11u);
    EXPECT_THAT(csv[10], HasSubstr(",cake,cake,equal,0.3,,aware,needle,failed,out of memory,2,0,"));
}

// `hace export --format summary` (the quickstart's last words): every cell of the fixture with its
// hand-known mean score and sample count, the failed cell marked, columns aligned.
TEST(SummaryText, MethodByRetentionByTaskWithSampleCounts) {
    const fs::path db = write_results("tables-summary");
    const std::string text = summary_text(cell_summaries(db), "score", "results.sqlite");
    EXPECT_EQ(text,
              "results.sqlite: 10 cells, 12 samples; each entry: mean score [samples]\n"
              "\n"
              "model tiny, context 256 tokens\n"
              "  method      retention  needle\n"
              "  full        -          90.0 [2]\n"
              "  hace        0.1        50.0 [2]\n"
              "  hace        0.3        90.0 [2]\n"
              "  hace-layer  0.1        30.0 [1]\n"
              "  hace-layer  0.3        80.0 [1]\n"
              "  hace-head   0.1        50.0 [1]\n"
              "  hace-head   0.3        85.0 [1]\n"
              "  SnapKV_w8   0.1        20.0 [1]\n"
              "  SnapKV_w8   0.3        88.0 [1]\n"
              "  cake        0.3        failed\n");
    // Another metric: em is score / 100, so 0.9 shows as 0.9 with one decimal.
    EXPECT_THAT(summary_text(cell_summaries(db), "em", "r"),
                HasSubstr("  full        -          0.9 [2]\n"));
}

TEST(SummaryText, OneBlockPerModelAndContextOneColumnPerTask) {
    const auto cell = [](std::string model, std::optional<std::int64_t> ctx, std::string method,
                         std::string mode, std::optional<double> r, std::string task,
                         std::optional<double> score, std::int64_t n) {
        CellSummary c;
        c.model = std::move(model);
        c.context_length = ctx;
        c.method = method;
        c.method_name = method;
        c.mode = std::move(mode);
        c.retention = r;
        c.task = std::move(task);
        c.status = "done";
        c.samples = n;
        if (score) c.metric_means["score"] = *score;
        return c;
    };
    const std::vector<CellSummary> cells = {
        cell("m", 512, "full", "", std::nullopt, "needle", 100.0, 5),
        cell("m", 512, "full", "", std::nullopt, "niah", 40.0, 5),
        cell("m", 512, "snapkv", "faithful", 0.05, "needle", 60.0, 5),
        cell("m", 512, "snapkv", "faithful", 0.05, "niah", 12.5, 4),
        cell("m", 1024, "full", "", std::nullopt, "needle", 80.0, 5),
        cell("m", std::nullopt, "", "", std::nullopt, "hiv", std::nullopt, 1)};
    EXPECT_EQ(summary_text(cells, "score", "q.sqlite"),
              "q.sqlite: 6 cells, 25 samples; each entry: mean score [samples]\n"
              "\n"
              "model m, context 512 tokens\n"
              "  method             retention  needle     niah\n"
              "  full               -          100.0 [5]  40.0 [5]\n"
              "  snapkv (faithful)  0.05       60.0 [5]   12.5 [4]\n"
              "\n"
              "model m, context 1024 tokens\n"
              "  method  retention  needle\n"
              "  full    -          80.0 [5]\n"
              "\n"
              "model m, no context axis\n"
              "  method  retention  hiv\n"
              "  hiv     -          - [1]\n");
    EXPECT_EQ(summary_text({}, "score", "e.sqlite"),
              "e.sqlite: 0 cells, 0 samples; each entry: mean score [samples]\n"
              "(no cells stored yet)\n");
}

TEST(ResultTables, PerCellIntervalsAndTheirSeed) {
    const auto cells = cell_summaries(write_results("tables-ci"));
    const Table t = cell_table(cells);
    // hace at 0.1 scored 60 and 40: the bootstrap means are 40, 50 or 60 with chances 1/4, 1/2,
    // 1/4, so the 2.5% and 97.5% percentiles are 40 and 60.
    EXPECT_EQ(t.at(1, "score_ci_low"), 40.0);
    EXPECT_EQ(t.at(1, "score_ci_high"), 60.0);
    EXPECT_EQ(t.at(1, "score_n"), 2);
    EXPECT_EQ(t.at(1, "em_ci_low"), 0.4);
    // One sample: a zero-width interval; the failed cell has none.
    EXPECT_EQ(t.at(3, "score_ci_low"), 30.0);
    EXPECT_EQ(t.at(3, "score_ci_high"), 30.0);
    EXPECT_TRUE(t.at(9, "score_ci_low").is_null());
    EXPECT_EQ(t.at(9, "score_n"), 0);
    const auto csv = lines_of(table_csv(t));
    EXPECT_THAT(csv[0], HasSubstr(",score,score_ci_low,score_ci_high,score_n"));
    EXPECT_THAT(csv[2], HasSubstr(",50,40,60,2"));
    const json j = table_json(t, "cell");
    EXPECT_EQ(j["statistics"]["seed"], stats::kDefaultSeed);
    EXPECT_EQ(j["statistics"]["bootstrap_resamples"], 10000);
    EXPECT_EQ(j["rows"][1]["score_ci_high"], 60.0);
}

TEST(ResultTables, ZeroOneMetricsGetWilsonIntervals) {
    // em of 1, 0, 1, 1, 0 and the score 100 x em: Wilson 3 of 5 = [0.2307, 0.8824].
    const auto cells = cell_summaries(
        write_cells("tables-wilson", {{"snapkv", 0.1, {100, 0, 100, 100, 0}, "snapkv"}}));
    ASSERT_EQ(cells.size(), 1u);
    const auto& em = cells[0].intervals.at("em");
    EXPECT_EQ(em.kind, stats::IntervalKind::Wilson);
    EXPECT_NEAR(em.ci.low, 0.2307, 1e-4);
    EXPECT_NEAR(em.ci.high, 0.8824, 1e-4);
    const auto& score = cells[0].intervals.at("score");
    EXPECT_EQ(score.kind, stats::IntervalKind::Wilson);
    EXPECT_NEAR(score.ci.low, 23.07, 1e-2);
    EXPECT_EQ(score.n, 5);
}

TEST(LatexTables, AblationComparesHaceWithItsAblations) {
    const auto cells = cell_summaries(write_results("tables-ablation"));
    LatexOptions o;
    o.caption = "HACE ablation";
    o.ci = CiStyle::None;
    const std::string tex = latex_ablation(cells, o);
    EXPECT_THAT(tex, HasSubstr("\\caption{HACE ablation}"));
    EXPECT_THAT(tex, HasSubstr("\\begin{tabular}{lrrrrrr}"));
    EXPECT_THAT(tex, HasSubstr("\\toprule\nTask & $R$ & Full & HACE & HACE-LayerOnly & "
                               "HACE-HeadOnly & $n$ \\\\\n\\midrule\n"));
    // No bold: at 0.1 HACE and HACE-HeadOnly tie; at 0.3 HACE leads on one common sample, which
    // no test can call significant. n per cell in column order where they differ.
    EXPECT_THAT(tex, HasSubstr("needle & 0.1 & 90.0 & 50.0 & 30.0 & 50.0 & 2/1/1 \\\\\n"
                               "needle & 0.3 & 90.0 & 90.0 & 80.0 & 85.0 & 2/1/1 \\\\\n"
                               "\\bottomrule"));
    EXPECT_THAT(tex, Not(HasSubstr("textbf")));
    EXPECT_THAT(tex, Not(HasSubstr("SnapKV")));  // only HACE and its ablations
    // The default prints mean +- half the 95% interval: full 100/80 -> [80, 100].
    o.ci = CiStyle::PlusMinus;
    EXPECT_THAT(latex_ablation(cells, o),
                HasSubstr("needle & 0.1 & 90.0 $\\pm$ 10.0 & 50.0 $\\pm$ 10.0 & 30.0 $\\pm$ 0.0 & "
                          "50.0 $\\pm$ 0.0 & 2/1/1 \\\\\n"));
    o.ci = CiStyle::Interval;
    EXPECT_THAT(latex_ablation(cells, o),
                HasSubstr("needle & 0.1 & 90.0 [80.0, 100.0] & 50.0 [40.0, 60.0] & "));
}

TEST(LatexTables, AblationBoldsOnlySignificantWins) {
    // 10 samples. At 0.1 HACE-HeadOnly beats both others on every sample: exact sign-flip
    // p = 2/1024 each, Holm over the table's 4 comparisons: 0.0078 < 0.05, bold. At 0.3 HACE
    // leads by 0.5 points on average, but its differences to HACE-LayerOnly change sign
    // (+5, -4 alternating): p = 0.9 or so, no bold anywhere in that row.
    const std::vector<double> low = {10, 20, 30, 40, 50, 10, 20, 30, 40, 50};
    std::vector<double> head, layer, hace, hace_hi, layer_hi, head_hi;
    for (std::size_t k = 0; k < low.size(); ++k) {
        head.push_back(low[k] + 10 + static_cast<double>(k));
        layer.push_back(low[k]);
        hace.push_back(low[k] + 2);
        hace_hi.push_back(60);
        layer_hi.push_back(k % 2 ? 64 : 55);
        head_hi.push_back(50);
    }
    const auto cells =
        cell_summaries(write_cells("tables-wins", {{"hace", 0.1, hace, "hace"},
                                                   {"hace-layer", 0.1, layer, "hace-layer"},
                                                   {"hace-head", 0.1, head, "hace-head"},
                                                   {"hace", 0.3, hace_hi, "hace"},
                                                   {"hace-layer", 0.3, layer_hi, "hace-layer"},
                                                   {"hace-head", 0.3, head_hi, "hace-head"}}));
    LatexOptions o;
    o.ci = CiStyle::None;
    const std::string tex = latex_ablation(cells, o);
    EXPECT_THAT(tex, HasSubstr("needle & 0.1 & -- & 32.0 & 30.0 & \\textbf{44.5} & 10 \\\\"));
    EXPECT_THAT(tex, HasSubstr("needle & 0.3 & -- & 60.0 & 59.5 & 50.0 & 10 \\\\"));
    // A stricter level than the adjusted p removes the bold.
    o.alpha = 0.005;
    EXPECT_THAT(latex_ablation(cells, o), Not(HasSubstr("textbf")));
}

// Query-agnostic and budget cells stay apart from the query-aware ratio cells in every table:
// their own rows and curves, the protocol after the task, "$C$=64" for a budget.
TEST(LatexTables, QueryProtocolAndBudgetCellsGetTheirOwnRows) {
    const auto cell = [](std::string method, std::optional<double> r,
                         std::optional<std::int64_t> budget, std::string query, double score) {
        CellSummary c;
        c.model = "m";
        c.context_length = 512;
        c.method = method;
        c.method_name = method;
        c.task = "needle";
        c.status = "done";
        c.samples = 1;
        c.retention = r;
        c.budget = budget;
        c.query = std::move(query);
        c.metric_means["score"] = score;
        c.observations["score"] = {{"s0", score}};
        return c;
    };
    const std::vector<CellSummary> cells = {cell("full", std::nullopt, std::nullopt, "aware", 100),
                                            cell("hace", 0.1, std::nullopt, "aware", 80),
                                            cell("hace", 0.1, std::nullopt, "agnostic", 40),
                                            cell("hace", 0.3, std::nullopt, "agnostic", 95),
                                            cell("hace", std::nullopt, 64, "aware", 60),
                                            cell("hace", std::nullopt, 128, "aware", 100)};
    LatexOptions o;
    o.ci = CiStyle::None;
    const std::string ablation = latex_ablation(cells, o);
    EXPECT_THAT(ablation, HasSubstr("Task & $R$ / $C$ & Full & HACE"));
    EXPECT_THAT(ablation, HasSubstr("needle & 0.1 & 100.0 & 80.0 & -- & -- & 1/0/0 \\\\\n"));
    // The agnostic rows fall back to the query-aware full cache.
    EXPECT_THAT(ablation,
                HasSubstr("needle (query-agnostic) & 0.1 & 100.0 & 40.0 & -- & -- & 1/0/0 \\\\\n"));
    EXPECT_THAT(ablation, HasSubstr("needle & $C$=64 & 100.0 & 60.0 & -- & -- & 1/0/0 \\\\\n"));
    const std::string table = latex_cells(cells, o);
    EXPECT_THAT(table,
                HasSubstr("m & needle (query-agnostic) & 512 & hace & 0.3 & 1 & 95.0 \\\\\n"));
    EXPECT_THAT(table, HasSubstr("m & needle & 512 & hace & $C$=128 & 1 & 100.0 \\\\\n"));
    // Cliff: three curves for hace (aware ratios, agnostic ratios, aware budgets), each on its
    // own axis. Within 10% of 100 from 0.3 up, 0.1 fails; budgets: 128 holds, 64 fails.
    const std::string cliff = latex_cliff(cells, o);
    EXPECT_THAT(cliff, HasSubstr("needle (query-agnostic) & hace & 100.0 & 0.3 & 0.1 & "));
    EXPECT_THAT(cliff, HasSubstr("needle & hace & 100.0 & $C$=128 & $C$=64 & "));
}

TEST(LatexTables, CliffPerMethod) {
    const auto cells = cell_summaries(write_results("tables-cliff"));
    const std::string tex = latex_cliff(cells, {});
    // Within 10 % of 90 means >= 81.
    EXPECT_THAT(tex, HasSubstr("needle & hace & 90.0 & 0.3 & 0.1 & 0.3$\\to$0.1: 40.0 \\\\"));
    EXPECT_THAT(tex, HasSubstr("needle & hace-layer & 90.0 & -- & -- & 0.3$\\to$0.1: 50.0 \\\\"));
    EXPECT_THAT(tex, HasSubstr("needle & hace-head & 90.0 & 0.3 & 0.1 & 0.3$\\to$0.1: 35.0 \\\\"));
    EXPECT_THAT(tex,
                HasSubstr("needle & SnapKV\\_w8 & 90.0 & 0.3 & 0.1 & 0.3$\\to$0.1: 68.0 \\\\"));
    EXPECT_THAT(tex, Not(HasSubstr("cake")));  // no samples, no curve
    // A looser tolerance moves hace-layer's cliff: 80 is within 20 % of 90.
    EXPECT_THAT(latex_cliff(cells, {"score", 20.0, ""}),
                HasSubstr("needle & hace-layer & 90.0 & 0.3 & 0.1 &"));
}

TEST(LatexTables, CellTableAndEscaping) {
    const auto cells = cell_summaries(write_results("tables-latex-cells"));
    const std::string tex = latex_cells(cells);
    EXPECT_THAT(tex, HasSubstr("\\begin{tabular}{lllllrr}"));
    EXPECT_THAT(tex, HasSubstr("tiny & needle & 256 & full & -- & 2 & 90.0 $\\pm$ 10.0 \\\\"));
    EXPECT_THAT(tex, HasSubstr("tiny & needle & 256 & cake & 0.3 & 0 & -- \\\\"));
    EXPECT_EQ(latex_escape("a_b & 50% {x} #1 $y ~^\\"),
              "a\\_b \\& 50\\% \\{x\\} \\#1 \\$y \\textasciitilde{}\\textasciicircum{}"
              "\\textbackslash{}");
}

TEST(ResultTables, RefusesAFileThatIsNotAResultsDatabase) {
    const fs::path f = hace::test::temp_dir("tables-bad") / "notes.sqlite";
    std::ofstream(f) << "not a database";
    hace::test::expect_input_error([&] { sample_table(f); }, {"notes.sqlite", "SQLite"});
    hace::test::expect_input_error([&] { cell_summaries(f.parent_path() / "absent.sqlite"); },
                                   {"absent.sqlite", "no such file"});
}

// A stored cell config whose members have the wrong type (a database written by something else):
// an InputError naming the file, the cell and the key, not nlohmann's type_error (issue 17).
TEST(ResultTables, RefusesACellConfigMemberOfTheWrongType) {
    for (const auto& [key, bad, expected] :
         {std::tuple{"model", json{{"name", 5}},
                     "config.model.name: expected a string, got integer"},
          std::tuple{"method", json(true), "config.method: expected a string, got boolean"},
          std::tuple{"task", json{{"id", json::array()}},
                     "config.task.id: expected a string, got array"},
          std::tuple{"retention", json("half"),
                     "config.retention: expected a number, got string"}}) {
        const fs::path db = hace::test::temp_dir("tables-types") / "results.sqlite";
        ResultStore store = ResultStore::open(db);
        const auto sweep = store.register_sweep("types", {{"name", "types"}});
        json config = config_of({"snapkv", 0.1, {}, "snapkv"});
        config[key] = bad;
        const auto hashes = store.add_cells(sweep, {{config, 1}});
        for (const auto& read : std::vector<std::function<void()>>{[&] { cell_summaries(db); },
                                                                   [&] { sample_table(db); }}) {
            SampleResult r;
            r.cell_hash = hashes[0];
            r.metrics = {{"score", 1.0}};
            if (store.done_samples(hashes[0]).empty()) store.write_sample(r);
            hace::test::expect_input_error(read, {"results.sqlite", "cell " + hashes[0], expected});
        }
    }
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(SlurmExport, WritesAnArrayAMergeAndASubmitScript) {
    const fs::path dir = hace::test::temp_dir("slurm-scripts") / "job";
    SlurmOptions o;
    o.spec = "/data/sweeps/big sweep.json";
    o.out = dir;
    o.hace = "/opt/hace/bin/hace";
    o.name = "big";
    o.cells = 7;
    o.cells_per_task = 3;
    o.gpu = true;
    o.time_limit = "02:00:00";
    const SlurmExport e = write_slurm_scripts(o);
    EXPECT_EQ(e.array_tasks, 3);
    ASSERT_EQ(e.part_dbs.size(), 3u);
    EXPECT_EQ(e.part_dbs[2], dir / "parts/part-2.sqlite");
    EXPECT_EQ(e.merged_db, dir / "big.sqlite");
    EXPECT_TRUE(fs::is_directory(dir / "logs"));
    const std::string array = read_text(e.array_script);
    EXPECT_EQ(array.rfind("#!/bin/bash\n", 0), 0u);
    EXPECT_THAT(array, HasSubstr("#SBATCH --array=0-2\n"));
    EXPECT_THAT(array, HasSubstr("#SBATCH --gres=gpu:1\n"));
    EXPECT_THAT(array, HasSubstr("#SBATCH --time=02:00:00\n"));
    EXPECT_THAT(array, HasSubstr("run '/data/sweeps/big sweep.json' --db '" + dir.string() +
                                 "/parts'/part-${SLURM_ARRAY_TASK_ID}.sqlite --cell-group "
                                 "${SLURM_ARRAY_TASK_ID}/3 --resume"));
    EXPECT_THAT(array, HasSubstr("HACE=${HACE:-'/opt/hace/bin/hace'}"));
    const std::string merge = read_text(e.merge_script);
    EXPECT_THAT(merge, HasSubstr("for i in $(seq 0 2); do"));
    EXPECT_THAT(merge, HasSubstr("merge '" + (dir / "big.sqlite").string() + "' \"${parts[@]}\""));
    const std::string submit = read_text(e.submit_script);
    EXPECT_THAT(submit, HasSubstr("sbatch --dependency=afterok:${array%%;*}"));
    struct stat st {};
    ASSERT_EQ(::stat(e.array_script.c_str(), &st), 0);
    EXPECT_TRUE(st.st_mode & S_IXUSR);
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

}  // namespace
}  // namespace hace::runner::test
