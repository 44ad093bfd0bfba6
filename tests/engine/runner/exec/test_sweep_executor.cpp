// The sweep executor on the bundled needle model (a few samples of 256 tokens each): a resumed
// run equals an uninterrupted one, failed cells are recorded and the sweep goes on, damaged or
// foreign databases are refused untouched, the HIV task writes its score file.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/kv/head_scores.h"
#include "engine/runner/exec/result_tables.h"
#include "engine/runner/exec/sweep_executor.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/engine/runner/exec/exec_fixtures.h"
#include "tests/engine/runner/store_test_util.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::runner::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

// The needle model's tokenizer is a sentencepiece model (native backend without the module).
#define REQUIRE_NEEDLE_DATA()                                              \
    do {                                                                   \
        HACE_REQUIRE_PATH(needle_head_scores());                           \
        HACE_REQUIRE_PATH(needle_task_data());                             \
        if (!hace::tokenizer::sentencepiece_available())                   \
            GTEST_SKIP() << "no sentencepiece backend (needle tokenizer)"; \
    } while (0)

RunOptions quiet_options() {
    RunOptions o;
    o.threads = 1;  // one compute thread: the same bits in every run
    return o;
}

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(SweepExecutor, ResumedRunsStoreExactlyWhatAnUninterruptedRunStores) {
    REQUIRE_NEEDLE_DATA();
    const SweepSpec spec = parse_spec(needle_sweep({"full", "snapkv", "hace"}, {0.1}, 3));
    const fs::path dir = hace::test::temp_dir("exec-resume");

    // Uninterrupted, with every event counted.
    RunOptions o = quiet_options();
    int layer_events = 0, started = 0, finished = 0;
    ProgressEvent last;
    o.events.on_layers = [&](const CellRef& c, std::int64_t,
                             const std::vector<eval::LayerSummary>& l) {
        EXPECT_NE(c.cell->method, "full");
        EXPECT_EQ(l.size(), 4u);
        ++layer_events;
    };
    o.events.on_cell_started = [&](const CellRef&) { ++started; };
    o.events.on_cell_finished = [&](const CellRef&) { ++finished; };
    o.events.on_progress = [&](const ProgressEvent& p) { last = p; };
    const RunSummary whole = run_sweep(spec, dir / "whole.sqlite", o);
    EXPECT_FALSE(whole.cancelled);
    EXPECT_EQ(whole.cells, 3);
    EXPECT_EQ(whole.cells_done, 3);
    EXPECT_EQ(whole.samples_done, 9);
    EXPECT_EQ(whole.samples_skipped, 0);
    EXPECT_TRUE(whole.failures.empty());
    EXPECT_EQ(layer_events, 6);  // snapkv and hace, 3 samples each
    EXPECT_EQ(started, 3);
    EXPECT_EQ(finished, 3);
    EXPECT_EQ(last.done, 9);
    EXPECT_EQ(last.total, 9);
    const StoredRows expected = stored_rows(dir / "whole.sqlite");
    ASSERT_EQ(expected.size(), 9u);
    for (const auto& [key, row] : expected) {
        if (row["method"] == "full") continue;
        EXPECT_TRUE(row["token_agreement"].is_number()) << "no consistency metrics";
        EXPECT_TRUE(row["kl_vs_full"].is_number());
    }

    // Interrupted every 2 samples, resumed until it finishes.
    const fs::path db = dir / "pieces.sqlite";
    std::atomic<bool> cancel{false};
    int runs = 0;
    std::int64_t stored = 0;
    for (;;) {
        RunOptions r = quiet_options();
        r.resume = runs > 0;
        r.cancel = &cancel;
        int written = 0;
        r.events.on_sample_finished = [&](const SampleEvent&) {
            if (++written == 2) cancel = true;
        };
        cancel = false;
        const RunSummary s = run_sweep(spec, db, r);
        ++runs;
        EXPECT_EQ(s.samples_skipped, stored);
        stored += s.samples_done;
        // Everything stored so far equals the uninterrupted run's rows.
        for (const auto& [key, row] : stored_rows(db)) {
            ASSERT_TRUE(expected.count(key)) << key.first << " " << key.second;
            EXPECT_EQ(row, expected.at(key)) << "cell " << key.first << " sample " << key.second;
        }
        if (!s.cancelled) break;
        ASSERT_LT(runs, 12) << "the sweep does not advance";
    }
    EXPECT_GE(runs, 3);
    EXPECT_EQ(stored, 9);
    EXPECT_EQ(sample_table(db).rows.size(), 9u);  // no duplicates
    EXPECT_EQ(stored_rows(db), expected);         // none missing
    for (const auto& c : cell_summaries(db)) EXPECT_EQ(c.status, "done") << c.method;
}

// Every (cell, sample) row's output ids, from the rows' extra JSON, in key order.
std::string output_ids_of(const fs::path& db) {
    return raw_query(db,
                     "SELECT group_concat(k, ';') FROM (SELECT cell_hash || '/' || sample_index "
                     "|| ':' || json_extract(extra_json, '$.output_ids') AS k FROM samples "
                     "ORDER BY cell_hash, sample_index)");
}

TEST(SweepExecutor, BatchedRunsStoreWhatUnbatchedRunsStore) {
    REQUIRE_NEEDLE_DATA();
    json j = needle_sweep({"full",
                           "streamingllm",
                           "h2o",
                           "kivi",
                           "snapkv",
                           {{"id", "snapkv"}, {"name", "snapkv-faithful"}, {"mode", "faithful"}},
                           "hace"},
                          {0.3}, 5);
    j["tasks"] = {"needle",
                  {{"id", "niah"},
                   {"samples", 3},
                   {"max_new_tokens", 12},
                   {"query", "agnostic"},
                   {"options", {{"depths", {10, 50, 90}}}}}};
    const SweepSpec spec = parse_spec(j);
    ASSERT_TRUE(spec.problems.empty()) << spec.problems[0].message;
    const fs::path dir = hace::test::temp_dir("exec-batched");
    const RunSummary one = run_sweep(spec, dir / "b1.sqlite", quiet_options());
    ASSERT_TRUE(one.failures.empty()) << one.failures[0].reason;
    ASSERT_EQ(one.samples_done, 7 * 8);

    // B = 4 through the spec field, B = 3 through the option (chunks of 3 over 5 samples).
    json j4 = j;
    j4["batch_size"] = 4;
    const RunSummary four = run_sweep(parse_spec(j4), dir / "b4.sqlite", quiet_options());
    // B = 3 also with the smallest worker pool (one worker, one queued job): scoring waits
    // for room in the queue, and the rows stay the same.
    RunOptions o3 = quiet_options();
    o3.batch_size = 3;
    o3.workers = 1;
    o3.work_queue = 1;
    int finished_events = 0;
    std::int64_t deepest = 0;
    o3.events.on_sample_finished = [&](const SampleEvent&) { ++finished_events; };
    o3.events.on_progress = [&](const ProgressEvent& p) {
        deepest = std::max(deepest, p.worker_queue);
    };
    const RunSummary three = run_sweep(spec, dir / "b3.sqlite", o3);
    for (const auto* s : {&four, &three}) {
        EXPECT_TRUE(s->failures.empty());
        EXPECT_EQ(s->samples_done, one.samples_done);
        EXPECT_EQ(s->cells_done, one.cells_done);
    }
    EXPECT_EQ(finished_events, 7 * 8);
    EXPECT_LE(deepest, 2);  // one running + one queued, never more
    // The same cells (batch_size is not part of a cell's key), rows, metrics and output ids.
    const StoredRows expected = stored_rows(dir / "b1.sqlite");
    EXPECT_EQ(stored_rows(dir / "b4.sqlite"), expected);
    EXPECT_EQ(stored_rows(dir / "b3.sqlite"), expected);
    const std::string ids = output_ids_of(dir / "b1.sqlite");
    EXPECT_GT(ids.size(), 100u);
    EXPECT_EQ(output_ids_of(dir / "b4.sqlite"), ids);
    EXPECT_EQ(output_ids_of(dir / "b3.sqlite"), ids);
    for (const auto& [key, row] : expected) {
        if (row["method"] == "full") continue;
        EXPECT_TRUE(row["kl_vs_full"].is_number()) << "no consistency metrics";
    }
    // Batched rows say so; unbatched rows stay as they were.
    EXPECT_EQ(raw_query(dir / "b4.sqlite",
                        "SELECT count(*) FROM samples WHERE json_extract(extra_json, "
                        "'$.batched') = 4"),
              "56");
    EXPECT_EQ(raw_query(dir / "b1.sqlite",
                        "SELECT count(*) FROM samples WHERE json_extract(extra_json, "
                        "'$.batched') IS NOT NULL"),
              "0");
    // The batched runs shared each sample's prompt forward: 8 samples x 6 compressing cells, less
    // the 3 query-agnostic samples' first compressing runs (they record the context part).
    EXPECT_EQ(
        raw_query(dir / "b4.sqlite", "SELECT value FROM manifest WHERE key = 'shared_prefill'"),
        "true");
    EXPECT_EQ(raw_query(dir / "b4.sqlite",
                        "SELECT count(*) FROM samples WHERE json_extract(extra_json, "
                        "'$.prefill_replayed')"),
              "45");
    EXPECT_EQ(raw_query(dir / "b1.sqlite",
                        "SELECT count(*) FROM samples WHERE json_extract(extra_json, "
                        "'$.prefill_replayed') IS NOT NULL"),
              "0");

    // A resumed batched run continues a database an unbatched run began.
    std::atomic<bool> cancel{false};
    RunOptions first = quiet_options();
    first.cancel = &cancel;
    int written = 0;
    first.events.on_sample_finished = [&](const SampleEvent&) {
        if (++written == 5) cancel = true;
    };
    const RunSummary part = run_sweep(spec, dir / "mixed.sqlite", first);
    EXPECT_TRUE(part.cancelled);
    RunOptions rest = quiet_options();
    rest.resume = true;
    rest.batch_size = 4;
    const RunSummary done = run_sweep(spec, dir / "mixed.sqlite", rest);
    EXPECT_FALSE(done.cancelled);
    EXPECT_EQ(part.samples_done + done.samples_done, 56);
    EXPECT_EQ(stored_rows(dir / "mixed.sqlite"), expected);
}

// "auto" on the CPU: the tiny model fits any host many times over, so B is capped by the work
// (2 samples per cell); the manifest and the log say B was resolved from auto.
TEST(SweepExecutor, AutoBatchSizeIsResolvedOnceAndRecorded) {
    REQUIRE_NEEDLE_DATA();
    json j = needle_sweep({"full", "snapkv"}, {0.1}, 2);
    j["batch_size"] = "auto";
    const fs::path db = hace::test::temp_dir("exec-auto") / "r.sqlite";
    RunOptions o = quiet_options();
    std::vector<std::string> logs;
    o.events.on_log = [&](LogLevel, const std::string& text) { logs.push_back(text); };
    const RunSummary s = run_sweep(parse_spec(j), db, o);
    ASSERT_TRUE(s.failures.empty()) << s.failures[0].reason;
    EXPECT_EQ(s.samples_done, 4);
    EXPECT_EQ(raw_query(db, "SELECT value FROM manifest WHERE key = 'batch_size_auto'"), "true");
    EXPECT_EQ(raw_query(db, "SELECT value FROM manifest WHERE key = 'batch_size'"), "2");
    EXPECT_EQ(raw_query(db, "SELECT value FROM manifest WHERE key = 'batched'"), "2");
    EXPECT_EQ(raw_query(db, "SELECT value FROM manifest WHERE key = 'batch_memory_margin'"), "0.2");
    EXPECT_EQ(raw_query(db, "SELECT value FROM manifest WHERE key = 'shared_prefill'"), "true");
    EXPECT_NE(raw_query(db, "SELECT value FROM manifest WHERE key = 'shared_prefill_budget_bytes'"),
              "0");
    EXPECT_EQ(raw_query(db,
                        "SELECT count(*) FROM samples WHERE json_extract(extra_json, "
                        "'$.batched') = 2"),
              "4");
    bool logged = false;
    for (const auto& l : logs) logged = logged || l.rfind("batch size 2 (auto: ", 0) == 0;
    EXPECT_TRUE(logged);

    // --batch-size 1 overrides the spec's auto: nothing batched, nothing auto.
    RunOptions one = quiet_options();
    one.batch_size = 1;
    const fs::path db1 = hace::test::temp_dir("exec-auto-1") / "r.sqlite";
    run_sweep(parse_spec(j), db1, one);
    EXPECT_EQ(raw_query(db1, "SELECT count(*) FROM manifest WHERE key LIKE 'batch%'"), "0");
    EXPECT_EQ(raw_query(db1, "SELECT count(*) FROM manifest WHERE key LIKE 'shared_prefill%'"),
              "0");
}

TEST(SweepExecutor, AFailedCellIsRecordedAndTheSweepGoesOn) {
    REQUIRE_NEEDLE_DATA();
    json j = needle_sweep({"full", "snapkv"}, {0.1}, 2);
    j["context_lengths"] = {256, 300};  // the needle task has no case of 300 tokens
    const SweepSpec spec = parse_spec(j);
    const fs::path db = hace::test::temp_dir("exec-failed") / "r.sqlite";
    RunOptions o = quiet_options();
    std::vector<std::string> failed_events;
    o.events.on_cell_failed = [&](const CellRef& c, const std::string& reason) {
        failed_events.push_back(c.cell->method + "@" + std::to_string(c.cell->context_length) +
                                ": " + reason);
    };
    o.before_sample = [](const RunCell& cell, std::int64_t i) {
        if (cell.method == "snapkv" && i == 1) throw std::bad_alloc();
    };
    const RunSummary s = run_sweep(spec, db, o);
    EXPECT_FALSE(s.cancelled);
    EXPECT_EQ(s.cells, 4);
    EXPECT_EQ(s.cells_done, 1);    // full @ 256
    EXPECT_EQ(s.samples_done, 3);  // full 0, 1 and snapkv 0
    ASSERT_EQ(s.failures.size(), 3u);
    EXPECT_EQ(failed_events.size(), 3u);
    int oom = 0, no_case = 0;
    for (const auto& f : s.failures) {
        oom += f.reason.find("out of memory") != std::string::npos;
        no_case += f.reason.find("no needle case has context length 300") != std::string::npos;
    }
    EXPECT_EQ(oom, 1);
    EXPECT_EQ(no_case, 2);
    {
        ResultStore store = ResultStore::open(db);
        EXPECT_EQ(store.failed_cells().size(), 3u);
        EXPECT_EQ(store.counts().samples, 3);
    }

    // A resume leaves failed cells alone; --retry-failed runs them again.
    RunOptions again = quiet_options();
    again.resume = true;
    const RunSummary resumed = run_sweep(spec, db, again);
    EXPECT_EQ(resumed.samples_done, 0);
    EXPECT_EQ(resumed.failures.size(), 3u);
    RunOptions retry = quiet_options();
    retry.retry_failed = true;
    const RunSummary retried = run_sweep(spec, db, retry);
    EXPECT_EQ(retried.samples_done, 1);  // snapkv sample 1
    EXPECT_EQ(retried.samples_skipped, 3);
    EXPECT_EQ(retried.failures.size(), 2u);  // the 300-token cells fail again
    EXPECT_EQ(retried.cells_done, 2);
}

TEST(SweepExecutor, AModelThatDoesNotLoadFailsItsCellsOnly) {
    REQUIRE_NEEDLE_DATA();
    // A copy of the needle model whose weights file is cut short: config and tokenizer read,
    // the weights do not load.
    const fs::path dir = hace::test::temp_dir("exec-broken-model");
    const fs::path broken = dir / "broken-llama";
    fs::create_directories(broken);
    for (const char* f : {"config.json", "tokenizer.model", "tokenizer_config.json",
                          "special_tokens_map.json", "generation_config.json"}) {
        fs::copy_file(needle_model() / f, broken / f);
    }
    const std::string weights = file_bytes(needle_model() / "model.safetensors");
    std::ofstream(broken / "model.safetensors", std::ios::binary) << weights.substr(0, 5000);
    json j = needle_sweep({"full", "snapkv"}, {0.1}, 1);
    j["models"] = {broken.string(), needle_model().string()};
    const RunSummary s = run_sweep(parse_spec(j), dir / "r.sqlite", quiet_options());
    ASSERT_EQ(s.failures.size(), 2u);
    for (const auto& f : s.failures) {
        EXPECT_THAT(f.label, HasSubstr("broken-llama"));
        EXPECT_THAT(f.reason, HasSubstr("loading the model"));
        EXPECT_THAT(f.reason, HasSubstr("model.safetensors"));
    }
    EXPECT_EQ(s.cells_done, 2);
    EXPECT_EQ(s.samples_done, 2);
}

TEST(SweepExecutor, RefusesDatabasesItMustNotWriteAndLeavesThemAlone) {
    REQUIRE_NEEDLE_DATA();
    const SweepSpec spec = parse_spec(needle_sweep({"full"}, {}, 1));
    const fs::path dir = hace::test::temp_dir("exec-refuse");
    const fs::path text = dir / "notes.sqlite";
    std::ofstream(text) << "my notes, not a database\n";
    hace::test::expect_input_error([&] { run_sweep(spec, text, quiet_options()); },
                                   {"notes.sqlite", "not a SQLite database"});
    EXPECT_EQ(file_bytes(text), "my notes, not a database\n");

    // A results database damaged in the middle (its pages overwritten).
    const fs::path good = dir / "good.sqlite";
    run_sweep(spec, good, quiet_options());
    std::string bytes = file_bytes(good);
    ASSERT_GT(bytes.size(), 8192u);
    for (std::size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
    const fs::path damaged = dir / "damaged.sqlite";
    std::ofstream(damaged, std::ios::binary) << bytes;
    hace::test::expect_input_error(
        [&] {
            RunOptions r = quiet_options();
            r.resume = true;
            run_sweep(spec, damaged, r);
        },
        {"damaged.sqlite"});
    EXPECT_EQ(file_bytes(damaged), bytes);

    // Stored results of the sweep: refused without --resume, skipped with it.
    hace::test::expect_input_error([&] { run_sweep(spec, good, quiet_options()); },
                                   {"good.sqlite", "--resume"});
    RunOptions r = quiet_options();
    r.resume = true;
    const RunSummary s = run_sweep(spec, good, r);
    EXPECT_EQ(s.samples_done, 0);
    EXPECT_EQ(s.samples_skipped, 1);
}

TEST(SweepExecutor, PausesBetweenSamplesUntilReleased) {
    REQUIRE_NEEDLE_DATA();
    const SweepSpec spec = parse_spec(needle_sweep({"full", "snapkv"}, {0.1}, 2));
    const fs::path db = hace::test::temp_dir("exec-pause") / "r.sqlite";
    std::atomic<bool> pause{false};
    std::atomic<int> started{0};
    RunOptions o = quiet_options();
    o.pause = &pause;
    // The pause is asked for while the first sample runs; the executor may finish that one but
    // must not start another until it is released. Counting starts, not finishes, keeps the test
    // independent of how long a sample takes on a loaded machine.
    o.before_sample = [&](const RunCell&, std::int64_t) {
        if (++started == 1) pause = true;
    };
    std::atomic<int> started_at_release{-1};
    std::atomic<bool> finished{false};
    std::thread release([&] {
        while (!pause && !finished) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        started_at_release = started.load();
        pause = false;
    });
    RunSummary s;
    try {
        s = run_sweep(spec, db, o);
    } catch (...) {
        finished = true;  // never leave the release thread waiting for a pause
        release.join();
        throw;
    }
    finished = true;
    release.join();
    EXPECT_EQ(started_at_release, 1);
    EXPECT_EQ(started, 4);
    EXPECT_EQ(s.samples_done, 4);
    EXPECT_FALSE(s.cancelled);
}

TEST(SweepExecutor, DryRunPlansWithoutTouchingTheDatabase) {
    REQUIRE_NEEDLE_DATA();
    const SweepSpec spec = parse_spec(needle_sweep({"full", "snapkv", "cake"}, {0.1, 0.3}, 4));
    const fs::path db = hace::test::temp_dir("exec-dry") / "never.sqlite";
    RunOptions o = quiet_options();
    o.dry_run = true;
    std::size_t planned = 0;
    o.events.on_sweep_started = [&](const SweepPlan& p) { planned = p.cells.size(); };
    const RunSummary s = run_sweep(spec, db, o);
    EXPECT_EQ(planned, 5u);
    EXPECT_EQ(s.cells, 5);
    EXPECT_EQ(s.samples_planned, 20);
    EXPECT_EQ(s.samples_done, 0);
    EXPECT_FALSE(fs::exists(db));
}

TEST(SweepExecutor, TheHivTaskWritesItsScoreFileBesideTheDatabase) {
    REQUIRE_NEEDLE_DATA();
    json j = needle_sweep({"full"}, {}, 1);
    j["tasks"] = {
        {{"id", "hiv"},
         {"options", {{"protocol", "needle-model"}, {"max_length", 512}, {"max_trials", 6}}}}};
    const fs::path db = hace::test::temp_dir("exec-hiv") / "study.sqlite";
    const RunSummary s = run_sweep(parse_spec(j), db, quiet_options());
    ASSERT_TRUE(s.failures.empty()) << s.failures[0].reason;
    EXPECT_EQ(s.cells, 1);
    EXPECT_EQ(s.samples_done, 1);
    const fs::path scores = db.parent_path() / "study.hiv" / "needle-llama-1m.json";
    EXPECT_EQ(hiv_score_path(db, "needle-llama-1m"), scores);
    ASSERT_TRUE(fs::exists(scores));
    EXPECT_TRUE(fs::exists(scores.string() + ".stats.json"));
    EXPECT_TRUE(fs::exists(scores.string() + ".trials.jsonl"));
    const kv::HeadScoreFile f = kv::load_head_score_file(scores);
    EXPECT_EQ(f.layers, 4);
    EXPECT_EQ(f.q_heads, 8);
    const Table t = sample_table(db);
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.at(0, "trials"), 6.0);
    const double accepted = t.at(0, "accepted").get<double>();
    EXPECT_GT(accepted, 0.0);
    EXPECT_EQ(static_cast<std::size_t>(accepted), f.trials[0][0].size());
    EXPECT_EQ(t.at(0, "method_name"), "hiv");
    ResultStore store = ResultStore::open(db);
    const auto row = store.read_sample(t.at(0, "cell").get<std::string>(), 0);
    ASSERT_TRUE(row.has_value());
    std::size_t importance = 0;
    for (const auto& h : row->head_stats) importance += h.name == "importance";
    EXPECT_EQ(importance, 32u);  // 4 layers x 8 query heads
}

}  // namespace
}  // namespace hace::runner::test
