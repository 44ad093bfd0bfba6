// `hace merge` (DESIGN.md section 5): databases of separate runs combine without duplicates,
// with their statistics re-linked to the new rows, manifests and runs carried over, cell
// states reconciled, and every bad input refused before the output is touched.
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/error.h"
#include "engine/runner/canonical_json.h"
#include "engine/runner/result_merge.h"
#include "engine/runner/result_schema.h"
#include "engine/runner/result_store.h"
#include "tests/engine/runner/store_test_util.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
namespace fs = std::filesystem;

const json kSpec = {{"name", "split"}, {"retentions", {0.01, 0.02, 0.03}}};

// Writes cells[first..] samples [from, to) of cell i into a store with the shared sweep.
struct Part {
    int cell;
    std::int64_t from, to;
};

fs::path write_db(const fs::path& path, const std::vector<int>& cells,
                  const std::vector<Part>& parts, const std::string& host) {
    ResultStore store = ResultStore::open(path);
    const std::int64_t sweep = store.register_sweep("split", kSpec);
    std::vector<CellRecord> records;
    for (int c : cells) records.push_back({test::cell_config(c), 10});
    store.add_cells(sweep, records);
    const std::int64_t run = store.start_run(sweep, {{"hostname", host}});
    for (const Part& p : parts) {
        for (std::int64_t i = p.from; i < p.to; ++i) {
            SampleResult s = test::make_sample(config_hash(test::cell_config(p.cell)), i);
            s.run_id = run;
            store.write_sample(s);
        }
    }
    return path;
}

std::string key(int cell) {
    return config_hash(test::cell_config(cell));
}

class MergeTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = hace::test::temp_dir("merge");
        // Node A: cells 0, 1; node B: cells 1, 2. Sample 2 of cell 1 is on both.
        a_ = write_db(dir_ / "a.sqlite", {0, 1}, {{0, 0, 6}, {1, 0, 3}}, "node-a");
        b_ = write_db(dir_ / "b.sqlite", {1, 2}, {{1, 2, 7}, {2, 0, 4}}, "node-b");
    }
    fs::path dir_, a_, b_;
};

TEST_F(MergeTest, CombinesWithoutDuplicatesAndRelinksStatistics) {
    const std::string a_bytes = test::file_bytes(a_);
    const fs::path out = dir_ / "all.sqlite";
    const MergeCounts c = merge_databases(out, {a_, b_});
    EXPECT_EQ(c.cells, 3);
    EXPECT_EQ(c.samples, 6 + 3 + 4 + 4);
    EXPECT_EQ(c.duplicates_skipped, 1);

    ResultStore store = ResultStore::open(out);
    const StoreCounts n = store.counts();
    EXPECT_EQ(n.sweeps, 1);  // the same spec on both nodes
    EXPECT_EQ(n.runs, 2);
    EXPECT_EQ(n.cells, 3);
    EXPECT_EQ(n.samples, 17);
    EXPECT_EQ(n.metrics, 17 * 3);
    EXPECT_EQ(n.layer_stats, 17 * 2);
    EXPECT_EQ(n.head_stats, 17 * 8);
    EXPECT_THAT(store.done_samples(key(1)), ElementsAre(0, 1, 2, 3, 4, 5, 6));
    EXPECT_EQ(store.sweep_progress(1).size(), 3u);
    for (int cell : {0, 1, 2}) {
        for (std::int64_t i : store.done_samples(key(cell))) {
            SampleResult expected = test::make_sample(key(cell), i);
            const auto got = store.read_sample(key(cell), i);
            ASSERT_TRUE(got.has_value());
            expected.run_id = got->run_id;
            test::expect_same_sample(expected, *got);
        }
    }
    // Samples point at the run (and manifest) of the node that wrote them.
    const auto run_of_b = store.read_sample(key(2), 0)->run_id;
    ASSERT_TRUE(run_of_b.has_value());
    EXPECT_EQ(store.manifest(*run_of_b).at("hostname"), "node-b");
    EXPECT_EQ(store.manifest(*store.read_sample(key(0), 0)->run_id).at("hostname"), "node-a");
    EXPECT_EQ(test::file_bytes(a_), a_bytes);  // inputs are only read
}

TEST_F(MergeTest, MergingTheSameInputTwiceAddsNothing) {
    const fs::path out = dir_ / "all.sqlite";
    merge_databases(out, {a_, b_});
    const MergeCounts again = merge_databases(out, {b_, a_});
    EXPECT_EQ(again.cells, 0);
    EXPECT_EQ(again.samples, 0);
    EXPECT_EQ(again.duplicates_skipped, 9 + 9);
    const StoreCounts n = ResultStore::open(out).counts();
    EXPECT_EQ(n.samples, 17);
    EXPECT_EQ(n.runs, 2);
    EXPECT_EQ(n.sweeps, 1);
}

TEST_F(MergeTest, TheMoreAdvancedCellStateWins) {
    {
        ResultStore a = ResultStore::open(a_);
        a.mark_cell_failed(key(1), "out of memory");
        a.mark_cell_failed(key(0), "killed");
        ResultStore b = ResultStore::open(b_);
        b.mark_cell_done(key(1));
    }
    const fs::path out = dir_ / "all.sqlite";
    merge_databases(out, {a_, b_});
    ResultStore store = ResultStore::open(out);
    EXPECT_EQ(store.cell_status(key(1)), CellStatus::Done);  // failed on A, done on B
    EXPECT_EQ(store.cell_status(key(2)), CellStatus::Pending);
    const auto failed = store.failed_cells();
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed[0].hash, key(0));
    EXPECT_EQ(failed[0].reason, "killed");
}

TEST_F(MergeTest, MergesIntoAnExistingDatabase) {
    const MergeCounts c = merge_databases(a_, {b_});
    EXPECT_EQ(c.cells, 1);
    EXPECT_EQ(c.samples, 8);
    EXPECT_EQ(c.duplicates_skipped, 1);
    EXPECT_EQ(ResultStore::open(a_).counts().samples, 17);
}

TEST_F(MergeTest, RefusesBadInputsBeforeWritingAnything) {
    const fs::path out = dir_ / "all.sqlite";
    const fs::path foreign = dir_ / "foreign.db";
    test::raw_exec(foreign, "CREATE TABLE t(x)");
    hace::test::expect_input_error(
        [&] {
            merge_databases(out, {a_, foreign});
        },
        {foreign.string(), "another program"});
    EXPECT_FALSE(fs::exists(out));

    const fs::path text = dir_ / "text.sqlite";
    std::ofstream(text) << "not a database";
    hace::test::expect_input_error([&] { merge_databases(out, {text}); },
                                   {text.string(), "not a SQLite database"});
    hace::test::expect_input_error([&] { merge_databases(out, {dir_ / "absent.sqlite"}); },
                                   {"absent.sqlite", "no such file"});
    hace::test::expect_input_error(
        [&] {
            merge_databases(a_, {b_, a_});
        },
        {a_.string(), "is the output database itself"});
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(ResultStore::open(a_).counts().samples, 9);  // untouched by the refused merge
}

TEST_F(MergeTest, RefusesAnInputOfAnotherSchemaVersion) {
    const fs::path c = write_db(dir_ / "c.sqlite", {3}, {{3, 0, 1}}, "node-c");
    test::raw_exec(c, "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
    const fs::path out = dir_ / "all.sqlite";
    hace::test::expect_input_error(
        [&] {
            merge_databases(out, {a_, c});
        },
        {c.string(), "newer than this hace supports"});
    EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace hace::runner
