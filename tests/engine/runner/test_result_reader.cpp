// The typed results reader (result_reader.h): a database written by the store is read back field
// by field, with the aggregates computed by hand; a file whose schema lost a column, or whose rows
// hold what the schema or the writer rule out, is an InputError naming the file and the column.
#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/runner/result_reader.h"
#include "engine/runner/result_store.h"
#include "engine/runner/result_store_open.h"
#include "tests/engine/runner/store_test_util.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
namespace fs = std::filesystem;

std::vector<std::string> hashes_of(const std::vector<StoredCell>& cells) {
    std::vector<std::string> out;
    for (const auto& c : cells) out.push_back(c.hash);
    return out;
}

KeptRecord six_token_record() {
    KeptRecord k;
    k.positions = {6, 2, 2, {{0, 5}, {1}, {}, {0, 1, 2, 3, 4, 5}}};
    k.query_start = 4;
    k.token_ids = {1, 10, 11, 12, 13, 14};
    k.token_text = {"<s>", " a", "b", "\n", " q", "?"};
    return k;
}

// What the reader's sample carries: the row without the tables of its own.
SampleResult row_part(SampleResult s) {
    s.layer_stats.clear();
    s.head_stats.clear();
    s.kept.reset();
    return s;
}

TEST(ResultReader, ReadsBackWhatTheStoreWroteFieldByField) {
    const fs::path path = hace::test::temp_dir("reader-roundtrip") / "results.sqlite";
    std::vector<SampleResult> written;
    std::string c0, c1, c2;
    std::int64_t run = 0;
    {
        ResultStore store = ResultStore::open(path);
        const auto first = test::add_test_cells(store, 2, 3);  // sweep 1: cells 0, 1; 3 samples
        c0 = first[0];
        c1 = first[1];
        // Sweep 2 plans cell 2 and, again, cell 1 with 5 samples.
        const auto sweep = store.register_sweep("second", {{"name", "second"}});
        const auto second =
            store.add_cells(sweep, {{test::cell_config(2), 5}, {test::cell_config(1), 5}});
        c2 = second[0];
        ASSERT_EQ(second[1], c1);
        run = store.start_run(sweep, {{"engine", "test"}, {"seed", 7}});
        for (std::int64_t i = 0; i < 3; ++i) {
            SampleResult s = test::make_sample(c1, i);
            s.run_id = run;
            if (i == 1) {
                s.metrics["nan_metric"] = std::nan("");
                s.kept = six_token_record();
            }
            if (i == 2) {  // the nullable columns as NULL
                s.run_id.reset();
                s.prefill_ms.reset();
                s.total_ms.reset();
                s.peak_bytes.reset();
                s.retention_nominal.reset();
            }
            ASSERT_EQ(store.write_sample(s), WriteOutcome::Written);
            written.push_back(s);
        }
        store.mark_cell_failed(c0, "out of memory");
        store.mark_cell_done(c1);
        // The store reads through the reader too: its whole sample equals what it was given.
        const auto back = store.read_sample(c1, 1);
        ASSERT_TRUE(back && back->kept);
        test::expect_same_sample(written[1], *back);
        EXPECT_EQ(back->kept->positions, written[1].kept->positions);
    }

    detail::Db db = detail::open_results_for_reading(path);
    const ResultReader reader(db);

    // Cells: plan order over the sweeps; the most samples any sweep planned.
    const auto cells = reader.cells();
    ASSERT_THAT(hashes_of(cells), ElementsAre(c0, c1, c2));
    EXPECT_EQ(cells[0].config, test::cell_config(0));
    EXPECT_EQ(cells[0].status, CellStatus::Failed);
    EXPECT_EQ(cells[0].failure_reason, "out of memory");
    EXPECT_EQ(cells[0].samples_planned, 3);
    EXPECT_EQ(cells[0].samples_stored, 0);
    EXPECT_FALSE(cells[0].mean_retention_realised.has_value());
    EXPECT_FALSE(cells[0].mean_total_ms.has_value());
    EXPECT_EQ(cells[1].status, CellStatus::Done);
    EXPECT_EQ(cells[1].failure_reason, "");
    EXPECT_EQ(cells[1].samples_planned, 5);
    EXPECT_EQ(cells[1].samples_stored, 3);
    // make_sample: retention_realised = 80 / (4 (1000 + i)); total_ms NULL for sample 2.
    ASSERT_TRUE(cells[1].mean_retention_realised && cells[1].mean_total_ms);
    EXPECT_DOUBLE_EQ(*cells[1].mean_retention_realised,
                     (80.0 / 4000.0 + 80.0 / 4004.0 + 80.0 / 4008.0) / 3.0);
    EXPECT_DOUBLE_EQ(*cells[1].mean_total_ms, ((12.5 + 3.25) + (13.5 + 6.5)) / 2.0);
    EXPECT_EQ(cells[2].status, CellStatus::Pending);
    EXPECT_EQ(cells[2].samples_planned, 5);

    // One sweep's cells: its own order and its own plan.
    const auto second = reader.sweep_cells(2);
    ASSERT_THAT(hashes_of(second), ElementsAre(c2, c1));
    EXPECT_EQ(second[1].samples_planned, 5);
    EXPECT_EQ(reader.sweep_cells(1)[1].samples_planned, 3);
    EXPECT_TRUE(reader.sweep_cells(9).empty());
    ASSERT_TRUE(reader.cell(c2).has_value());
    EXPECT_EQ(reader.cell(c2)->config, test::cell_config(2));
    EXPECT_FALSE(reader.cell(std::string(64, 'f')).has_value());
    EXPECT_THAT(hashes_of(reader.failed_cells()), ElementsAre(c0));

    // Samples: every column of the row.
    EXPECT_THAT(reader.sample_indices(c1), ElementsAre(0, 1, 2));
    EXPECT_TRUE(reader.sample_indices(c0).empty());
    const auto samples = reader.samples(c1);
    ASSERT_EQ(samples.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        test::expect_same_sample(row_part(written[i]), samples[i].sample);
        EXPECT_EQ(samples[i].sample.run_id, written[i].run_id);
    }
    EXPECT_EQ(samples[0].sample.run_id, run);
    EXPECT_FALSE(samples[2].sample.run_id.has_value());
    EXPECT_FALSE(samples[2].sample.prefill_ms.has_value());
    EXPECT_FALSE(samples[2].sample.retention_nominal.has_value());
    EXPECT_TRUE(std::isnan(samples[1].sample.metrics.at("nan_metric")));
    const auto one = reader.sample(c1, 1);
    ASSERT_TRUE(one.has_value());
    EXPECT_EQ(one->row, samples[1].row);
    EXPECT_FALSE(reader.sample(c1, 3).has_value());
    EXPECT_FALSE(reader.sample(c0, 0).has_value());

    // The tables of a sample's own.
    const auto metrics = reader.metrics(samples[1].row);
    EXPECT_EQ(metrics.size(), 4u);
    EXPECT_EQ(metrics.at("qa_f1"), 0.25);
    EXPECT_TRUE(std::isnan(metrics.at("nan_metric")));
    const auto layers = reader.layer_stats(samples[2].row);
    ASSERT_EQ(layers.size(), 2u);
    EXPECT_EQ(layers[1].layer, 1);
    EXPECT_EQ(layers[1].name, "budget");
    EXPECT_EQ(layers[1].value, 43.0);  // 40 + layer + index
    const auto heads = reader.head_stats(samples[2].row);
    ASSERT_EQ(heads.size(), 8u);  // by layer, head, name
    EXPECT_EQ(heads[7].layer, 1);
    EXPECT_EQ(heads[7].head, 1);
    EXPECT_EQ(heads[7].name, "importance");
    EXPECT_DOUBLE_EQ(heads[7].value, 0.1 * 4.0);
    const auto kept = reader.kept(c1, 1);
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->positions, six_token_record().positions);
    EXPECT_EQ(kept->query_start, 4);
    EXPECT_EQ(kept->token_ids, six_token_record().token_ids);
    EXPECT_EQ(kept->token_text, six_token_record().token_text);
    EXPECT_FALSE(reader.kept(c1, 0).has_value());
    EXPECT_THAT(reader.kept_sample_indices(c1), ElementsAre(1));

    // Aggregates. qa_f1 = 0.25 (i mod 5), em = i mod 2; NaN (NULL) values are left out.
    const auto means = reader.metric_means();
    ASSERT_EQ(means.size(), 1u);
    EXPECT_DOUBLE_EQ(means.at(c1).at("qa_f1"), 0.25);
    EXPECT_DOUBLE_EQ(means.at(c1).at("em"), 1.0 / 3.0);
    EXPECT_FALSE(means.at(c1).contains("nan_metric"));
    const auto values = reader.metric_values();
    ASSERT_EQ(values.size(), 9u);  // 3 samples x 3 finite metrics
    for (const auto& v : values) {
        EXPECT_EQ(v.cell_hash, c1);
        EXPECT_EQ(v.sample_id, "sample-" + std::to_string(v.sample_index));
        EXPECT_EQ(v.value, written[static_cast<std::size_t>(v.sample_index)].metrics.at(v.name));
    }
    EXPECT_EQ(values.front().sample_index, 0);
    EXPECT_EQ(values.back().sample_index, 2);
    EXPECT_THAT(reader.head_stat_names(c1), ElementsAre("budget", "importance"));
    for (const auto& m : reader.head_stat_means(c1, "importance", std::nullopt)) {
        const double lh = static_cast<double>(m.layer + m.head);
        ASSERT_TRUE(m.value.has_value());
        EXPECT_DOUBLE_EQ(*m.value, (0.1 * lh + 0.1 * (lh + 1) + 0.1 * (lh + 2)) / 3.0);
    }
    const auto of_two = reader.head_stat_means(c1, "budget", 2);
    ASSERT_EQ(of_two.size(), 4u);
    for (const auto& m : of_two) EXPECT_EQ(m.value, double(10 + m.layer * 2 + m.head));
    EXPECT_TRUE(reader.head_stat_means(c0, "budget", std::nullopt).empty());

    const auto manifest = reader.manifest(run);
    EXPECT_EQ(manifest.at("engine"), "test");
    EXPECT_EQ(manifest.at("seed"), "7");
    EXPECT_TRUE(reader.manifest(run + 1).empty());
}

// A database with one cell and one sample (statistics and kept positions), then `damage` run on
// it behind the store's back.
fs::path damaged_db(const std::string& tag, const std::string& damage, std::string& cell) {
    const fs::path path = hace::test::temp_dir(tag) / "results.sqlite";
    {
        ResultStore store = ResultStore::open(path);
        cell = test::add_test_cells(store, 1, 1)[0];
        SampleResult s = test::make_sample(cell, 0);
        s.kept = six_token_record();
        store.write_sample(s);
    }
    test::raw_exec(path, damage);
    return path;
}

struct Damage {
    const char* tag;
    std::string sql;
    std::vector<std::string> expected;  // fragments of the message, besides the file
};

// The schema lost a column this version reads (a hand-edited file): refused when the query is
// prepared, naming the column; through the reader and through the store.
TEST(ResultReader, AMissingColumnIsAnInputErrorNamingIt) {
    const std::vector<Damage> cases = {
        {"reader-drop-samples",
         "ALTER TABLE samples DROP COLUMN decode_ms",
         {"damaged results database", "decode_ms"}},
        {"reader-drop-cells",
         "ALTER TABLE cells DROP COLUMN failure_reason",
         {"damaged results database", "failure_reason"}},
        {"reader-drop-kept",
         "ALTER TABLE kept_tokens DROP COLUMN token_text",
         {"damaged results database", "token_text"}},
    };
    for (const auto& d : cases) {
        SCOPED_TRACE(d.tag);
        std::string cell;
        const fs::path path = damaged_db(d.tag, d.sql, cell);
        std::vector<std::string> parts = d.expected;
        parts.push_back(path.string());
        detail::Db db = detail::open_results_for_reading(path);
        const ResultReader reader(db);
        hace::test::expect_input_error(
            [&] {
                (void)reader.cells();
                (void)reader.samples(cell);
                (void)reader.kept(cell, 0);
            },
            parts);
        ResultStore store = ResultStore::open(path);
        hace::test::expect_input_error(
            [&] {
                (void)store.sweep_progress(1);
                (void)store.read_sample(cell, 0);
            },
            parts);
    }
}

// Rows holding what the schema or the writer rule out: NULL in a NOT NULL column (the table
// rebuilt without its constraints), a value of the wrong type (SQLite's columns take any), JSON
// that does not parse or has the wrong shape, a status outside the four, kept positions that do
// not decode or do not match the prompt. Each is an InputError naming the file and the column.
TEST(ResultReader, ValuesTheSchemaRulesOutAreInputErrorsNamingTheColumn) {
    const std::string rebuild_samples =
        "CREATE TABLE old_samples AS SELECT * FROM samples; DROP TABLE samples; "
        "CREATE TABLE samples AS SELECT * FROM old_samples; DROP TABLE old_samples; ";
    const std::vector<Damage> cases = {
        {"reader-null-id",
         rebuild_samples + "UPDATE samples SET sample_id = NULL",
         {"samples.sample_id of cell ", " sample 0 is NULL"}},
        {"reader-null-tokens",
         rebuild_samples + "UPDATE samples SET prompt_tokens = NULL",
         {"samples.prompt_tokens", "is NULL"}},
        {"reader-text-tokens",
         "UPDATE samples SET output_tokens = 'many'",
         {"samples.output_tokens", "holds text, not an integer"}},
        {"reader-text-ms",
         "UPDATE samples SET decode_ms = 'slow'",
         {"samples.decode_ms", "holds text, not a real number"}},
        {"reader-bad-references",
         "UPDATE samples SET references_json = '[\"a\",'",
         {"samples.references_json", "is not the JSON this version wrote"}},
        {"reader-metrics-array",
         "UPDATE samples SET metrics_json = '[1, 2]'",
         {"samples.metrics_json", "is not an object of metric values"}},
        {"reader-metric-text",
         "UPDATE samples SET metrics_json = '{\"qa_f1\": \"high\"}'",
         {"samples.metrics_json", "\"high\" for metric qa_f1"}},
        {"reader-bad-extra",
         "UPDATE samples SET extra_json = 'truncated'",
         {"samples.extra_json", "is not the JSON"}},
        {"reader-bad-config",
         "UPDATE cells SET config_json = '{\"cell\": '",
         {"cells.config_json of cell ", "is not the JSON"}},
        {"reader-bad-status",
         "PRAGMA ignore_check_constraints = ON; UPDATE cells SET status = 'exploded'",
         {"cells.status", "'exploded', not pending, running, done or failed"}},
        {"reader-text-layer",
         "UPDATE layer_stats SET layer = 'first' WHERE layer = 0",
         {"layer_stats.layer", "holds text, not an integer"}},
        {"reader-blob-value",
         "UPDATE head_stats SET value = x'00'",
         {"head_stats.value", "holds a blob, not a real number"}},
        {"reader-bad-positions",
         "UPDATE kept_tokens SET positions = x'0102'",
         {"kept_tokens.positions of cell ", " sample 0 does not decode"}},
        {"reader-text-positions",
         "UPDATE kept_tokens SET positions = 'abc'",
         {"kept_tokens.positions", "holds text, not a blob"}},
        {"reader-bad-ids",
         "UPDATE kept_tokens SET token_ids = '[\"x\"]'",
         {"kept_tokens.token_ids", "is not the JSON"}},
        {"reader-short-text",
         "UPDATE kept_tokens SET token_text = '[\"a\"]'",
         {"kept_tokens.token_text", "has 1 token texts for 6 tokens"}},
    };
    for (const auto& d : cases) {
        SCOPED_TRACE(d.tag);
        std::string cell;
        const fs::path path = damaged_db(d.tag, d.sql, cell);
        std::vector<std::string> parts = d.expected;
        parts.push_back(path.string());
        parts.push_back("damaged results database: ");
        // Every member that decodes the damaged row, through the reader and the store.
        ResultStore store = ResultStore::open(path);
        hace::test::expect_input_error(
            [&] {
                (void)store.sweep_progress(1);
                (void)store.read_sample(cell, 0);
            },
            parts);
        detail::Db db = detail::open_results_for_reading(path);
        const ResultReader reader(db);
        hace::test::expect_input_error(
            [&] {
                (void)reader.cells();
                (void)reader.samples(cell);
                const auto row = reader.sample(cell, 0);
                ASSERT_TRUE(row.has_value());  // not reached for a damaged samples row
                (void)reader.layer_stats(row->row);
                (void)reader.head_stats(row->row);
                (void)reader.head_stat_means(cell, "budget", std::nullopt);
                (void)reader.kept(cell, 0);
            },
            parts);
    }
}

}  // namespace
}  // namespace hace::runner
