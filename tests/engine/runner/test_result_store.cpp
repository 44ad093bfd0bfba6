// The SQLite results store (DESIGN.md sections 4 and 8): schema and ids, one transaction per
// sample (a failure injected mid-way leaves nothing), duplicates, resume across sessions,
// failed cells, and the refusals: non-SQLite, damaged, foreign, newer, read-only, full disk.
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/core/error.h"
#include "engine/runner/canonical_json.h"
#include "engine/runner/result_schema.h"
#include "engine/runner/result_store.h"
#include "engine/runner/run_manifest.h"
#include "tests/engine/runner/store_test_util.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

fs::path fresh_db(const std::string& tag) {
    return hace::test::temp_dir(tag) / "results.sqlite";
}

std::vector<std::int64_t> range(std::int64_t n) {
    std::vector<std::int64_t> v;
    for (std::int64_t i = 0; i < n; ++i) v.push_back(i);
    return v;
}

TEST(ResultStore, CreatesAVersionedWalDatabaseWithOurId) {
    const fs::path db = fresh_db("store-create");
    {
        ResultStore store = ResultStore::open(db);
        EXPECT_EQ(store.schema_version(), kSchemaVersion);
        EXPECT_EQ(store.path(), db);
    }
    EXPECT_EQ(test::raw_query(db, "PRAGMA application_id"), std::to_string(0x48414345));
    EXPECT_EQ(test::raw_query(db, "PRAGMA user_version"), "2");
    EXPECT_EQ(test::raw_query(db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(test::raw_query(db, "SELECT group_concat(version) FROM schema_migrations"), "1,2");
    for (const auto table : schema_tables()) {
        EXPECT_EQ(test::raw_query(db, "SELECT count(*) FROM sqlite_master WHERE name = '" +
                                          std::string(table) + "'"),
                  "1")
            << table;
    }
    EXPECT_EQ(test::file_bytes(db).substr(0, 15), "SQLite format 3");
}

TEST(ResultStore, WritesASampleAndReadsItBackWhole) {
    const fs::path db = fresh_db("store-roundtrip");
    ResultStore store = ResultStore::open(db);
    const auto cells = test::add_test_cells(store, 2, 10);
    EXPECT_EQ(cells[0], config_hash(test::cell_config(0)));
    SampleResult s = test::make_sample(cells[1], 3);
    s.metrics["nan_metric"] = std::nan("");
    EXPECT_EQ(store.write_sample(s), WriteOutcome::Written);
    const auto back = store.read_sample(cells[1], 3);
    ASSERT_TRUE(back.has_value());
    test::expect_same_sample(s, *back);
    EXPECT_FALSE(store.read_sample(cells[1], 4).has_value());
    EXPECT_FALSE(store.read_sample(cells[0], 3).has_value());

    const StoreCounts c = store.counts();
    EXPECT_EQ(c.samples, 1);
    EXPECT_EQ(c.metrics, 4);
    EXPECT_EQ(c.layer_stats, 2);
    EXPECT_EQ(c.head_stats, 8);
    // SQL users see the metrics both ways; NaN is NULL in the table and null in the JSON.
    EXPECT_EQ(test::raw_query(db, "SELECT value FROM sample_metrics WHERE name = 'qa_f1'"), "0.75");
    EXPECT_EQ(test::raw_query(db, "SELECT count(*) FROM metrics WHERE value IS NULL"), "1");
    EXPECT_EQ(json::parse(test::raw_query(db, "SELECT metrics_json FROM samples"))["nan_metric"],
              nullptr);
    EXPECT_EQ(test::raw_query(db,
                              "SELECT value FROM head_stats WHERE layer = 1 AND head = 0 "
                              "AND name = 'budget'"),
              "12.0");
}

TEST(ResultStore, SecondWriteOfASampleIsReportedAndChangesNothing) {
    ResultStore store = ResultStore::open(fresh_db("store-dup"));
    const auto cells = test::add_test_cells(store, 1, 10);
    const SampleResult first = test::make_sample(cells[0], 0);
    ASSERT_EQ(store.write_sample(first), WriteOutcome::Written);
    const StoreCounts before = store.counts();
    SampleResult other = test::make_sample(cells[0], 0);
    other.prediction = "a different answer";
    EXPECT_EQ(store.write_sample(other), WriteOutcome::Duplicate);
    const StoreCounts after = store.counts();
    EXPECT_EQ(after.samples, before.samples);
    EXPECT_EQ(after.metrics, before.metrics);
    EXPECT_EQ(after.head_stats, before.head_stats);
    EXPECT_EQ(store.read_sample(cells[0], 0)->prediction, first.prediction);
}

// The sample row and metrics are inserted before the statistics; a statistic that violates the
// table's key (the same head twice) or its CHECK (a negative layer) fails the transaction, and
// none of the sample may remain.
TEST(ResultStore, FailureMidSampleLeavesNoTrace) {
    const fs::path db = fresh_db("store-atomic");
    ResultStore store = ResultStore::open(db);
    const auto cells = test::add_test_cells(store, 1, 10);
    ASSERT_EQ(store.write_sample(test::make_sample(cells[0], 0)), WriteOutcome::Written);
    const StoreCounts before = store.counts();

    SampleResult twice = test::make_sample(cells[0], 1);
    twice.head_stats.push_back(twice.head_stats.back());
    try {
        store.write_sample(twice);
        ADD_FAILURE() << "a duplicate statistic was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), HasSubstr("writing sample 1 of cell " + cells[0].substr(0, 12)));
        EXPECT_THAT(e.what(), HasSubstr("UNIQUE constraint failed: head_stats"));
    }
    SampleResult negative = test::make_sample(cells[0], 1);
    negative.layer_stats.push_back({-1, "budget", 3.0});
    EXPECT_THROW(store.write_sample(negative), std::runtime_error);

    const StoreCounts after = store.counts();
    EXPECT_EQ(after.samples, before.samples);
    EXPECT_EQ(after.metrics, before.metrics);
    EXPECT_EQ(after.layer_stats, before.layer_stats);
    EXPECT_EQ(after.head_stats, before.head_stats);
    EXPECT_THAT(store.done_samples(cells[0]), ElementsAre(0));
    EXPECT_EQ(test::raw_query(db, "SELECT count(*) FROM samples WHERE sample_index = 1"), "0");
    // The connection is still usable and the sample can be written properly afterwards.
    EXPECT_EQ(store.write_sample(test::make_sample(cells[0], 1)), WriteOutcome::Written);
    EXPECT_THAT(store.done_samples(cells[0]), ElementsAre(0, 1));
}

TEST(ResultStore, UnknownCellIsAProgrammingError) {
    ResultStore store = ResultStore::open(fresh_db("store-unknown"));
    test::add_test_cells(store, 1, 1);
    EXPECT_THROW(store.write_sample(test::make_sample(std::string(64, 'a'), 0)),
                 std::invalid_argument);
    EXPECT_THROW(store.mark_cell_done(std::string(64, 'b')), std::invalid_argument);
    EXPECT_EQ(store.counts().samples, 0);
}

// Samples 0..9 written in one session, or in two with a close and a crash mid-sample between
// them, give the same rows: none missing, none twice.
TEST(ResultStore, ResumeAcrossSessionsEqualsOneSession) {
    const fs::path one = fresh_db("store-one");
    const fs::path two = fresh_db("store-two");
    {
        ResultStore store = ResultStore::open(one);
        const auto cells = test::add_test_cells(store, 2, 10);
        for (const auto& cell : cells) {
            for (std::int64_t i = 0; i < 10; ++i) store.write_sample(test::make_sample(cell, i));
        }
    }
    std::vector<std::string> cells;
    {
        ResultStore store = ResultStore::open(two);
        cells = test::add_test_cells(store, 2, 10);
        for (std::int64_t i = 0; i < 4; ++i) store.write_sample(test::make_sample(cells[0], i));
        SampleResult crash = test::make_sample(cells[0], 4);  // dies half-way through sample 4
        crash.head_stats.push_back(crash.head_stats.front());
        EXPECT_THROW(store.write_sample(crash), std::runtime_error);
    }
    for (int session = 0; session < 2; ++session) {
        ResultStore store = ResultStore::open(two);
        EXPECT_EQ(test::add_test_cells(store, 2, 10), cells);  // same plan, same keys
        if (session == 0) {
            EXPECT_THAT(store.done_samples(cells[0]), ElementsAre(0, 1, 2, 3));
        }
        for (const auto& cell : cells) {
            const auto done = store.done_samples(cell);
            for (std::int64_t i = 0; i < 10; ++i) {
                if (std::find(done.begin(), done.end(), i) != done.end()) continue;
                if (session == 0 && i >= 7) break;  // stop early once more
                EXPECT_EQ(store.write_sample(test::make_sample(cell, i)), WriteOutcome::Written);
            }
        }
    }
    ResultStore a = ResultStore::open(one);
    ResultStore b = ResultStore::open(two);
    const StoreCounts ca = a.counts(), cb = b.counts();
    EXPECT_EQ(ca.samples, 20);
    EXPECT_EQ(cb.samples, ca.samples);
    EXPECT_EQ(cb.metrics, ca.metrics);
    EXPECT_EQ(cb.layer_stats, ca.layer_stats);
    EXPECT_EQ(cb.head_stats, ca.head_stats);
    for (const auto& cell : cells) {
        EXPECT_EQ(b.done_samples(cell), range(10));
        for (std::int64_t i = 0; i < 10; ++i) {
            test::expect_same_sample(*a.read_sample(cell, i), *b.read_sample(cell, i));
        }
    }
}

// A process killed while the store is open leaves the WAL behind; reopening recovers every
// committed sample and nothing of the one in flight.
TEST(ResultStore, KilledWriterLosesOnlyTheSampleInFlight) {
    const fs::path db = fresh_db("store-kill");
    std::vector<std::string> cells;
    {
        ResultStore store = ResultStore::open(db);
        cells = test::add_test_cells(store, 1, 10);
    }
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ResultStore store = ResultStore::open(db);
        for (std::int64_t i = 0; i < 3; ++i) store.write_sample(test::make_sample(cells[0], i));
        ::raise(SIGKILL);  // no destructor, no checkpoint
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_TRUE(fs::exists(db.string() + "-wal"));
    ResultStore store = ResultStore::open(db);
    EXPECT_THAT(store.done_samples(cells[0]), ElementsAre(0, 1, 2));
    test::expect_same_sample(test::make_sample(cells[0], 2), *store.read_sample(cells[0], 2));
    EXPECT_EQ(store.write_sample(test::make_sample(cells[0], 3)), WriteOutcome::Written);
}

TEST(ResultStore, FailedCellsAreKeptWithTheirReasonAndCanBeRetried) {
    ResultStore store = ResultStore::open(fresh_db("store-failed"));
    const auto cells = test::add_test_cells(store, 3, 5);
    EXPECT_EQ(store.cell_status(cells[0]), CellStatus::Pending);
    store.mark_cell_running(cells[0]);
    store.write_sample(test::make_sample(cells[0], 0));
    store.mark_cell_failed(cells[0], "out of memory: CUDA out of memory (tried 2.00 GiB)");
    store.mark_cell_running(cells[1]);
    store.mark_cell_done(cells[1]);
    store.mark_cell_failed(cells[2], "context too long");
    const auto failed = store.failed_cells();
    ASSERT_EQ(failed.size(), 2u);
    EXPECT_EQ(failed[0].hash, cells[0]);
    EXPECT_EQ(failed[0].reason, "out of memory: CUDA out of memory (tried 2.00 GiB)");
    EXPECT_EQ(store.cell_status(cells[1]), CellStatus::Done);

    const auto progress = store.sweep_progress(1);
    ASSERT_EQ(progress.size(), 3u);
    EXPECT_EQ(progress[0].hash, cells[0]);
    EXPECT_EQ(progress[0].status, CellStatus::Failed);
    EXPECT_EQ(progress[0].samples, 5);
    EXPECT_EQ(progress[0].samples_done, 1);
    EXPECT_EQ(progress[2].failure_reason, "context too long");

    EXPECT_EQ(store.reset_failed(), 2);
    EXPECT_TRUE(store.failed_cells().empty());
    EXPECT_EQ(store.cell_status(cells[0]), CellStatus::Pending);
    EXPECT_THAT(store.done_samples(cells[0]), ElementsAre(0));  // kept for the retry to skip
    EXPECT_EQ(store.reset_failed(), 0);
    // Registering the plan again (a resume) keeps every status.
    test::add_test_cells(store, 3, 5);
    EXPECT_EQ(store.cell_status(cells[1]), CellStatus::Done);
}

TEST(ResultStore, SweepsRunsAndManifests) {
    ResultStore store = ResultStore::open(fresh_db("store-manifest"));
    const json spec = json::parse(R"({"name": "s", "retentions": [0.1, 1.0]})");
    const std::int64_t sweep = store.register_sweep("s", spec);
    // Same spec in another spelling: the same sweep.
    EXPECT_EQ(store.register_sweep("s", json::parse(R"({"retentions": [0.1, 1], "name": "s"})")),
              sweep);
    EXPECT_NE(store.register_sweep("s", json::parse(R"({"name": "s", "retentions": [0.2]})")),
              sweep);
    json manifest = base_manifest();
    manifest["dtype"] = "bf16";
    manifest["seed"] = 42;
    manifest["chat_template"] = "[INST] {prompt} [/INST]";
    const std::int64_t run1 = store.start_run(sweep, manifest);
    const std::int64_t run2 = store.start_run(sweep, {{"resumed", true}});
    EXPECT_NE(run1, run2);
    const auto m = store.manifest(run1);
    EXPECT_EQ(m.at("dtype"), "bf16");
    EXPECT_EQ(m.at("seed"), "42");
    EXPECT_EQ(m.at("chat_template"), "[INST] {prompt} [/INST]");
    EXPECT_EQ(m.at("engine_version"), HACE_VERSION);
    EXPECT_EQ(m.at("sqlite_version").substr(0, 2), "3.");
    for (const char* key :
         {"engine_git_hash", "compiler", "os", "cpu", "cpu_threads", "hostname"}) {
        EXPECT_TRUE(m.count(key)) << key;
    }
    EXPECT_EQ(store.manifest(run2).at("resumed"), "true");
    const StoreCounts c = store.counts();
    EXPECT_EQ(c.sweeps, 2);
    EXPECT_EQ(c.runs, 2);
}

TEST(ResultStore, RefusesANonSqliteFileWithoutTouchingIt) {
    const fs::path file = hace::test::temp_dir("store-text") / "notes.sqlite";
    std::ofstream(file) << "these are my notes, not a database\n";
    const std::string before = test::file_bytes(file);
    hace::test::expect_input_error([&] { (void)ResultStore::open(file); },
                                   {file.string(), "not a SQLite database", "refusing"});
    EXPECT_EQ(test::file_bytes(file), before);
}

TEST(ResultStore, RefusesADamagedDatabaseWithoutTouchingIt) {
    const fs::path db = fresh_db("store-corrupt");
    {
        ResultStore store = ResultStore::open(db);
        const auto cells = test::add_test_cells(store, 1, 50);
        for (std::int64_t i = 0; i < 50; ++i) store.write_sample(test::make_sample(cells[0], i));
    }
    ASSERT_FALSE(fs::exists(db.string() + "-wal"));  // checkpointed on close
    std::string bytes = test::file_bytes(db);
    const std::size_t page = std::stoul(test::raw_query(db, "PRAGMA page_size"));
    ASSERT_GT(bytes.size(), 6 * page);
    for (std::size_t i = page; i < 6 * page; ++i) bytes[i] = char(0xA5);  // pages 2..6: garbage
    std::ofstream(db, std::ios::binary | std::ios::trunc) << bytes;
    hace::test::expect_input_error([&] { (void)ResultStore::open(db); }, {db.string(), "damaged"});
    EXPECT_EQ(test::file_bytes(db), bytes);
}

TEST(ResultStore, RefusesAnotherProgramsDatabase) {
    const fs::path db = hace::test::temp_dir("store-foreign") / "addresses.db";
    test::raw_exec(db, "CREATE TABLE people(name TEXT); INSERT INTO people VALUES ('Ada')");
    const std::string before = test::file_bytes(db);
    hace::test::expect_input_error(
        [&] { (void)ResultStore::open(db); },
        {db.string(), "another program (application_id 0", "not a HACE results database"});
    EXPECT_EQ(test::file_bytes(db), before);
    EXPECT_EQ(test::raw_query(db, "PRAGMA journal_mode"), "delete");  // not switched to WAL
}

TEST(ResultStore, RefusesANewerSchemaAndAHeaderWithoutTables) {
    const fs::path db = fresh_db("store-newer");
    { ResultStore store = ResultStore::open(db); }
    test::raw_exec(db, "PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
    hace::test::expect_input_error(
        [&] { (void)ResultStore::open(db); },
        {db.string(), "schema version 3 is newer than this hace supports (version 2)"});
    EXPECT_EQ(test::raw_query(db, "PRAGMA user_version"), "3");

    const fs::path bare = hace::test::temp_dir("store-bare") / "bare.sqlite";
    test::raw_exec(bare, "PRAGMA application_id = " + std::to_string(kApplicationId) +
                             "; PRAGMA user_version = 1; CREATE TABLE sweeps(id INTEGER)");
    hace::test::expect_input_error([&] { (void)ResultStore::open(bare); },
                                   {"damaged database: table schema_migrations is missing"});
}

// Found by fuzz_results_db: a version-2 file whose user_version says 1 made the migration to 2
// fail on its existing kept_tokens table with an SQLite error (exit 1, "internal error").
TEST(ResultStore, RefusesAnOlderVersionThatAlreadyHasALaterTable) {
    const fs::path db = fresh_db("store-later-table");
    { ResultStore store = ResultStore::open(db); }
    test::raw_exec(db, "PRAGMA user_version = 1");
    const std::string before = test::file_bytes(db);
    hace::test::expect_input_error(
        [&] { (void)ResultStore::open(db); },
        {db.string(), "damaged database: schema version 1 but it already has kept_tokens"});
    EXPECT_EQ(test::file_bytes(db), before);
    // The same with an index of that name in a version-1 file.
    test::raw_exec(db, "DROP TABLE kept_tokens; CREATE INDEX kept_tokens ON samples(id)");
    hace::test::expect_input_error([&] { (void)ResultStore::open(db); },
                                   {db.string(), "already has kept_tokens"});
}

TEST(ResultStore, InitialisesAnEmptyFile) {
    const fs::path db = hace::test::temp_dir("store-empty") / "empty.sqlite";
    std::ofstream(db).close();
    ResultStore store = ResultStore::open(db);
    EXPECT_EQ(store.schema_version(), kSchemaVersion);
    EXPECT_EQ(store.counts().cells, 0);
}

TEST(ResultStore, MissingFolderOrAFolderAsPath) {
    const fs::path dir = hace::test::temp_dir("store-paths");
    hace::test::expect_input_error([&] { (void)ResultStore::open(dir / "no" / "r.sqlite"); },
                                   {"folder does not exist"});
    hace::test::expect_input_error([&] { (void)ResultStore::open(dir); },
                                   {dir.string(), "is a folder"});
}

// A read-only folder stops SQLite from creating the file or its -wal/-shm companions. Root
// writes anyway, so the test skips when it can write into the folder despite the mode.
TEST(ResultStore, ReadOnlyFolderIsAClearError) {
    const fs::path dir = hace::test::temp_dir("store-readonly");
    const fs::path existing = dir / "old.sqlite";
    {
        ResultStore store = ResultStore::open(existing);
        test::add_test_cells(store, 1, 1);
    }
    ::chmod(dir.c_str(), 0555);
    const bool can_write = ::access(dir.c_str(), W_OK) == 0;
    if (can_write) {
        ::chmod(dir.c_str(), 0755);
        GTEST_SKIP() << "running as root: the folder's mode does not stop writes";
    }
    hace::test::expect_input_error([&] { (void)ResultStore::open(dir / "new.sqlite"); },
                                   {"new.sqlite", "read-only folder"});
    hace::test::expect_input_error([&] { (void)ResultStore::open(existing); },
                                   {"old.sqlite", "read-only folder"});
    ::chmod(dir.c_str(), 0755);
    EXPECT_FALSE(fs::exists(dir / "new.sqlite"));
    EXPECT_EQ(ResultStore::open(existing).counts().cells, 1);
}

TEST(ResultStore, ReadOnlyFileIsAClearError) {
    const fs::path db = fresh_db("store-rofile");
    { ResultStore store = ResultStore::open(db); }
    ::chmod(db.c_str(), 0444);
    if (::access(db.c_str(), W_OK) == 0) {
        ::chmod(db.c_str(), 0644);
        GTEST_SKIP() << "running as root: the file's mode does not stop writes";
    }
    hace::test::expect_input_error([&] { (void)ResultStore::open(db); },
                                   {db.string(), "read-only file"});
    ::chmod(db.c_str(), 0644);
}

// A full disk, simulated by capping the file's pages: the sample that does not fit is rolled
// back whole, the error says so, and the store keeps working.
TEST(ResultStore, FullDiskRollsBackTheSampleWithAClearError) {
    const fs::path db = fresh_db("store-full");
    std::vector<std::string> cells;
    {
        ResultStore store = ResultStore::open(db);
        cells = test::add_test_cells(store, 1, 10);
        store.write_sample(test::make_sample(cells[0], 0));
    }
    const std::int64_t pages = std::stoll(test::raw_query(db, "PRAGMA page_count"));
    StoreOptions options;
    options.max_page_count = pages + 2;
    ResultStore store = ResultStore::open(db, options);
    const StoreCounts before = store.counts();
    SampleResult big = test::make_sample(cells[0], 1);
    big.prediction = std::string(256 * 1024, 'x');
    hace::test::expect_input_error(
        [&] { store.write_sample(big); },
        {db.string(), "disk full while writing sample 1 of cell", "nothing of it was written"});
    const StoreCounts after = store.counts();
    EXPECT_EQ(after.samples, before.samples);
    EXPECT_EQ(after.metrics, before.metrics);
    EXPECT_EQ(after.head_stats, before.head_stats);
    EXPECT_THAT(store.done_samples(cells[0]), ElementsAre(0));
    EXPECT_EQ(store.write_sample(test::make_sample(cells[0], 1)), WriteOutcome::Written);
}

// The file is an ordinary SQLite database: the sqlite3 shell reads it while the store has it
// open (WAL) and after it is closed.
TEST(ResultStore, TheSqlite3ShellReadsIt) {
    if (!fs::exists("/usr/bin/sqlite3")) GTEST_SKIP() << "no /usr/bin/sqlite3";
    const fs::path dir = hace::test::temp_dir("store-shell");
    const fs::path db = dir / "results.sqlite";
    const fs::path out = dir / "count.txt";
    const std::string cmd = "/usr/bin/sqlite3 '" + db.string() +
                            "' 'select count(*) from samples' > '" + out.string() + "'";
    {
        ResultStore store = ResultStore::open(db);
        const auto cells = test::add_test_cells(store, 1, 3);
        for (std::int64_t i = 0; i < 3; ++i) store.write_sample(test::make_sample(cells[0], i));
        ASSERT_EQ(std::system(cmd.c_str()), 0);
        EXPECT_EQ(test::file_bytes(out), "3\n");
    }
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_EQ(test::file_bytes(out), "3\n");
}

}  // namespace
}  // namespace hace::runner

namespace hace::runner {
namespace {

// Kept positions (store_kept) are written with their sample, read back whole, and a version-1
// file (before kept_tokens) is migrated on open, its rows untouched.
TEST(ResultStore, KeptTokensRoundTripAndTheVersion2Migration) {
    const fs::path db = fresh_db("store-kept");
    {
        ResultStore store = ResultStore::open(db);
        const auto cells = test::add_test_cells(store, 1, 2);
        store.write_sample(test::make_sample(cells[0], 0));
    }
    // Back to version 1, as an older hace left it.
    test::raw_exec(db,
                   "DROP TABLE kept_tokens; DELETE FROM schema_migrations WHERE version = 2; "
                   "PRAGMA user_version = 1");
    ResultStore store = ResultStore::open(db);
    EXPECT_EQ(store.schema_version(), 2);
    EXPECT_EQ(test::raw_query(db, "SELECT group_concat(version) FROM schema_migrations"), "1,2");
    EXPECT_EQ(store.counts().samples, 1);
    const std::string cell = config_hash(test::cell_config(0));
    EXPECT_FALSE(store.read_sample(cell, 0)->kept.has_value());

    SampleResult s = test::make_sample(cell, 1);
    KeptRecord k;
    k.positions = {6, 2, 2, {{0, 5}, {1}, {}, {0, 1, 2, 3, 4, 5}}};
    k.query_start = 4;
    k.token_ids = {1, 10, 11, 12, 13, 14};
    k.token_text = {"<s>", " a", "b", "\n", " q", "?"};
    s.kept = k;
    ASSERT_EQ(store.write_sample(s), WriteOutcome::Written);
    const auto back = store.read_sample(cell, 1);
    ASSERT_TRUE(back && back->kept);
    EXPECT_EQ(back->kept->positions, k.positions);
    EXPECT_EQ(back->kept->query_start, 4);
    EXPECT_EQ(back->kept->token_ids, k.token_ids);
    EXPECT_EQ(back->kept->token_text, k.token_text);
    EXPECT_EQ(store.counts().kept_tokens, 1);
    EXPECT_EQ(test::raw_query(db, "SELECT typeof(positions) FROM kept_tokens"), "blob");
    EXPECT_EQ(test::raw_query(db, "SELECT length(positions) FROM kept_tokens"),
              std::to_string(encode_kept_positions(k.positions).size()));

    // A merge carries the kept positions along.
    const fs::path out = fresh_db("store-kept-merged");
    ResultStore merged = ResultStore::open(out);
    merged.merge_from(db);
    const auto copied = merged.read_sample(cell, 1);
    ASSERT_TRUE(copied && copied->kept);
    EXPECT_EQ(copied->kept->positions, k.positions);
}

}  // namespace
}  // namespace hace::runner
