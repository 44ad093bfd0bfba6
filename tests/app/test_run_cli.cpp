// `hace run`, `hace export`, `hace merge` and `hace slurm` through the real binary (DESIGN.md
// sections 5 and 8): exit codes and one-line errors, the dry-run plan, a sweep killed with
// SIGKILL at random points and resumed each time ending with exactly the rows of an
// uninterrupted run, exports and merges of the result, the Slurm scripts run task by task.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/runner/exec/result_tables.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"
#include "tests/engine/runner/exec/exec_fixtures.h"
#include "tests/support/run_command.h"
#include "tests/support/test_data.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
    int code = -1;
    std::string out, err;
    json json_out() const { return json::parse(out); }
};

std::string quote(const std::string& s) {
    return hace::test::shell_quote(s);
}

// Runs a shell command line; stdout captured, stderr through a file.
Outcome run_shell(const std::string& cmd_line) {
    const auto r = hace::test::run_shell(cmd_line);
    return {r.code, r.out, r.err};
}

Outcome run_hace(const std::vector<std::string>& args) {
    const auto r = hace::test::run_program(HACE_CLI_PATH, args);
    return {r.code, r.out, r.err};
}

bool have_needle_data() {
    // The needle model's tokenizer is a sentencepiece model (native without the module).
    return fs::exists(hace::runner::test::needle_head_scores()) &&
           fs::exists(hace::runner::test::needle_task_data()) &&
           hace::tokenizer::sentencepiece_available();
}

// Starts args[0] with args, stdout and stderr to /dev/null; the child's pid (or -1).
pid_t spawn_quiet(const std::vector<std::string>& args) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, STDOUT_FILENO);
        ::dup2(null, STDERR_FILENO);
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(args[0].c_str(), argv.data());
        ::_exit(127);
    }
    return pid;
}

#define REQUIRE_NEEDLE_DATA()                                                       \
    do {                                                                            \
        if (!have_needle_data()) GTEST_SKIP() << "missing the needle model's data"; \
    } while (0)

// 7 cells (full; snapkv, cake, hace-layer at R 0.1 and 0.3) x 4 samples of 256 tokens.
fs::path write_sweep(const fs::path& dir) {
    json j =
        hace::runner::test::needle_sweep({"full", "snapkv", "cake", "hace-layer"}, {0.1, 0.3}, 4);
    j["name"] = "cli-sweep";
    const fs::path file = dir / "sweep.json";
    std::ofstream(file) << j.dump(1);
    return file;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// One uninterrupted run of the sweep, shared by the tests below.
class RunCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!have_needle_data()) return;
        dir_ = new fs::path(hace::test::temp_dir("run-cli"));
        sweep_ = new fs::path(write_sweep(*dir_));
        reference_ = new fs::path(*dir_ / "reference.sqlite");
        const auto t0 = std::chrono::steady_clock::now();
        const Outcome r = run_hace({"run", sweep_->string(), "--db", reference_->string(),
                                    "--threads", "1", "--quiet", "--json"});
        reference_seconds_ =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        ASSERT_EQ(r.code, 0) << r.err;
        summary_ = new json(r.json_out());
    }
    static void TearDownTestSuite() {
        delete dir_;
        delete sweep_;
        delete reference_;
        delete summary_;
    }
    void SetUp() override { REQUIRE_NEEDLE_DATA(); }

    static fs::path* dir_;
    static fs::path* sweep_;
    static fs::path* reference_;
    static json* summary_;
    static double reference_seconds_;
};

fs::path* RunCli::dir_ = nullptr;
fs::path* RunCli::sweep_ = nullptr;
fs::path* RunCli::reference_ = nullptr;
json* RunCli::summary_ = nullptr;
double RunCli::reference_seconds_ = 0.0;

TEST_F(RunCli, SummaryOfAFullRun) {
    const json& s = *summary_;
    for (const char* k : {"cells", "samples_done", "samples_skipped", "failures"}) {
        EXPECT_TRUE(s.contains(k)) << k;
    }
    EXPECT_EQ(s["cells"], 7);
    EXPECT_EQ(s["samples_done"], 28);
    EXPECT_EQ(s["samples_skipped"], 0);
    EXPECT_EQ(s["failures"], json::array());
    // The same sweep again: refused without --resume (exit 2, one line), a no-op with it.
    const Outcome again = run_hace({"run", sweep_->string(), "--db", reference_->string()});
    EXPECT_EQ(again.code, 2);
    EXPECT_EQ(std::count(again.err.begin(), again.err.end(), '\n'), 1) << again.err;
    EXPECT_THAT(again.err, HasSubstr("--resume"));
    const Outcome resumed = run_hace({"run", sweep_->string(), "--db", reference_->string(),
                                      "--resume", "--threads", "1", "--quiet", "--json"});
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    EXPECT_EQ(resumed.json_out()["samples_done"], 0);
    EXPECT_EQ(resumed.json_out()["samples_skipped"], 28);
}

TEST_F(RunCli, BatchSizeStoresTheRowsOfTheUnbatchedRun) {
    const fs::path db = *dir_ / "batched.sqlite";
    const Outcome r = run_hace({"run", sweep_->string(), "--db", db.string(), "--batch-size", "4",
                                "--threads", "1", "--quiet", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.json_out()["samples_done"], 28);
    EXPECT_EQ(hace::runner::test::stored_rows(db), hace::runner::test::stored_rows(*reference_));
    // The exports say the timings are shares of the batch.
    const Outcome csv = run_hace({"export", "--db", db.string(), "--format", "csv"});
    ASSERT_EQ(csv.code, 0) << csv.err;
    EXPECT_THAT(lines_of(csv.out)[0], HasSubstr(",timing,prefill_ms,decode_ms,"));
    EXPECT_THAT(lines_of(csv.out)[1], HasSubstr(",batch share (B=4),"));
    const Outcome alone = run_hace({"export", "--db", reference_->string(), "--format", "csv"});
    EXPECT_THAT(lines_of(alone.out)[1], HasSubstr(",alone,"));
    for (const char* bad : {"0", "257", "four", "Auto"}) {
        const Outcome b = run_hace(
            {"run", sweep_->string(), "--db", (*dir_ / "x.sqlite").string(), "--batch-size", bad});
        EXPECT_EQ(b.code, 2) << bad;
        EXPECT_EQ(std::count(b.err.begin(), b.err.end(), '\n'), 1) << b.err;
        EXPECT_THAT(b.err, HasSubstr("--batch-size")) << bad;
        EXPECT_FALSE(fs::exists(*dir_ / "x.sqlite"));
    }
}

// Half the kills land when the stored row count reaches a random target (so the sweep is
// certainly caught mid-run however slow the machine is), jittered by up to 30 ms so that they
// fall at different points of a sample; the other half at a random time from start-up to past
// the reference run's length (start-up, the schema, the first cells).
TEST_F(RunCli, KilledAtRandomPointsAndResumedEqualsTheUninterruptedRun) {
    const fs::path db = *dir_ / "killed.sqlite";
    std::random_device seed_source;
    const unsigned seed = seed_source();
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> delay(0.05, std::max(0.5, reference_seconds_ * 1.1));
    std::uniform_real_distribution<double> jitter(0.0, 0.03);
    constexpr std::size_t kSamples = 28;
    const auto stored = [&]() -> std::size_t {
        try {
            return hace::runner::sample_table(db).rows.size();
        } catch (const std::exception&) {
            return 0;  // killed before the database had its schema: nothing stored yet
        }
    };
    const auto start_over = [&] {
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    };
    int kills = 0, finished_early = 0;
    std::vector<std::size_t> stored_after_kill;
    const std::string hace = HACE_CLI_PATH;
    const std::vector<std::string> args = {hace,        "run",      sweep_->string(), "--db",
                                           db.string(), "--resume", "--threads",      "1",
                                           "--quiet",   "--json"};
    while (kills < 10) {
        std::size_t before = stored();
        if (before + 1 >= kSamples) {  // no room left for a mid-run kill
            start_over();
            before = 0;
        }
        const bool on_progress = kills % 2 == 0;
        const std::size_t target =
            std::uniform_int_distribution<std::size_t>(before + 1, kSamples - 1)(rng);
        const pid_t pid = spawn_quiet(args);
        ASSERT_GE(pid, 0);
        int status = 0;
        bool exited = false;
        if (on_progress) {
            while (!(exited = ::waitpid(pid, &status, WNOHANG) == pid) && stored() < target) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            if (!exited) std::this_thread::sleep_for(std::chrono::duration<double>(jitter(rng)));
        } else {
            std::this_thread::sleep_for(std::chrono::duration<double>(delay(rng)));
        }
        if (exited || ::waitpid(pid, &status, WNOHANG) == pid) {
            // It finished before the kill: start over on a fresh database.
            ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "seed " << seed;
            ++finished_early;
            start_over();
            ASSERT_LT(finished_early, 20) << "the sweep is too short to be killed";
            continue;
        }
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        ++kills;
        stored_after_kill.push_back(stored());
    }
    // Some kills must have hit the sweep while it was storing samples, not only start-up.
    std::size_t mid_run = 0;
    std::string trace;
    for (std::size_t n : stored_after_kill) {
        mid_run += n > 0 && n < kSamples;
        trace += std::to_string(n) + " ";
    }
    EXPECT_GE(mid_run, 2u) << "samples stored after each kill: " << trace << "(seed " << seed
                           << ")";
    const Outcome last = run_hace({"run", sweep_->string(), "--db", db.string(), "--resume",
                                   "--threads", "1", "--quiet", "--json"});
    ASSERT_EQ(last.code, 0) << last.err << " (seed " << seed << ")";
    EXPECT_EQ(last.json_out()["failures"], json::array());
    const auto expected = hace::runner::test::stored_rows(*reference_);
    const auto got = hace::runner::test::stored_rows(db);
    EXPECT_EQ(hace::runner::sample_table(db).rows.size(), 28u) << "seed " << seed;
    EXPECT_EQ(got.size(), expected.size()) << "seed " << seed;
    for (const auto& [key, row] : expected) {
        const auto it = got.find(key);
        ASSERT_NE(it, got.end()) << "missing sample " << key.second << " of " << key.first;
        EXPECT_EQ(it->second, row) << "seed " << seed;
    }
}

// One writer per database (issue 17): while a run writes, a second run (or resume, or merge into
// it) is refused with exit 2 and a line naming the first process; readers (`hace export`) read
// the rows stored so far without waiting; the lock dies with its process (SIGKILL), after which
// --resume completes the sweep.
TEST_F(RunCli, ASecondWriterIsRefusedWhileTheFirstRunsAndMayResumeAfterItIsKilled) {
    const fs::path db = *dir_ / "locked.sqlite";
    const std::string hace = HACE_CLI_PATH;
    const std::vector<std::string> args = {hace,        "run",       sweep_->string(),
                                           "--db",      db.string(), "--resume",
                                           "--threads", "1",         "--quiet"};
    const auto stored = [&]() -> std::size_t {
        try {
            return hace::runner::sample_table(db).rows.size();
        } catch (const std::exception&) {
            return 0;  // no schema yet
        }
    };
    for (int attempt = 0;; ++attempt) {
        ASSERT_LT(attempt, 5) << "the first run always finished before it could be caught";
        fs::remove(db);
        const pid_t pid = spawn_quiet(args);
        ASSERT_GE(pid, 0);
        // Read while it writes: the counts a reader sees only grow, and it sees some before the
        // end (a WAL reader neither waits for the writer nor stops it).
        std::vector<std::size_t> seen;
        int status = 0;
        bool exited = false;
        const auto t0 = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(120)) {
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                exited = true;
                break;
            }
            const std::size_t n = stored();
            if (seen.empty() || n != seen.back()) seen.push_back(n);
            if (n >= 2) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (exited) continue;  // too fast to catch: once more
        ::kill(pid, SIGSTOP);  // frozen mid-run, the lock held
        for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i], seen[i - 1]);
        const std::size_t before = stored();
        EXPECT_GE(before, 2u);
        EXPECT_LT(before, 28u);
        const Outcome second = run_hace({"run", sweep_->string(), "--db", db.string(), "--resume",
                                         "--threads", "1", "--quiet"});
        EXPECT_EQ(second.code, 2) << second.err;
        EXPECT_EQ(std::count(second.err.begin(), second.err.end(), '\n'), 1) << second.err;
        EXPECT_THAT(second.err, HasSubstr("locked.sqlite: being written by another process: pid " +
                                          std::to_string(pid) + " (hace run "));
        EXPECT_THAT(second.err, HasSubstr("on host "));
        EXPECT_THAT(second.err, HasSubstr(" since "));
        const Outcome merge = run_hace({"merge", db.string(), reference_->string()});
        EXPECT_EQ(merge.code, 2) << merge.err;
        EXPECT_THAT(merge.err, HasSubstr("pid " + std::to_string(pid)));
        // The refused writers changed nothing; a reader still reads.
        EXPECT_EQ(stored(), before);
        const Outcome exported =
            run_hace({"export", "--db", db.string(), "--format", "json", "--per", "sample"});
        ASSERT_EQ(exported.code, 0) << exported.err;
        EXPECT_EQ(exported.json_out()["rows"].size(), before);
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status));
        const Outcome resumed = run_hace({"run", sweep_->string(), "--db", db.string(), "--resume",
                                          "--threads", "1", "--quiet", "--json"});
        ASSERT_EQ(resumed.code, 0) << resumed.err;
        EXPECT_EQ(stored(), 28u);
        EXPECT_EQ(hace::runner::test::stored_rows(db),
                  hace::runner::test::stored_rows(*reference_));
        break;
    }
}

// The quickstart's summary step (scripts/quickstart_summary.sh) on a small real database: exit
// 0 every time (it once piped cut into head under pipefail and died of SIGPIPE, exit 141), the
// files that exist listed, and one row per method and retention with its mean score and count.
TEST_F(RunCli, QuickstartSummaryStepListsTheFilesAndTheScores) {
    const fs::path out = *dir_ / "quickstart-out";
    fs::create_directories(out);
    fs::copy_file(*reference_, out / "quickstart.sqlite", fs::copy_options::overwrite_existing);
    const Outcome csv =
        run_hace({"export", "--db", (out / "quickstart.sqlite").string(), "--format", "csv",
                  "--per", "cell", "--out", (out / "cells.csv").string()});
    ASSERT_EQ(csv.code, 0) << csv.err;
    const std::string script =
        (hace::test::source_dir() / "scripts/quickstart_summary.sh").string();
    for (int i = 0; i < 2; ++i) {
        const Outcome r = run_shell("bash " + quote(script) + " " + quote(HACE_CLI_PATH) + " " +
                                    quote(out.string()));
        ASSERT_EQ(r.code, 0) << r.err;
        EXPECT_TRUE(r.err.empty()) << r.err;
        EXPECT_THAT(r.out, HasSubstr("quickstart: wrote in " + out.string() + "\n"));
        EXPECT_THAT(r.out, HasSubstr("\n  quickstart.sqlite  the results database"));
        EXPECT_THAT(r.out, HasSubstr("\n  cells.csv          one row per cell"));
        EXPECT_THAT(r.out, Not(HasSubstr("samples.csv")));  // not written here
        EXPECT_THAT(r.out, HasSubstr("quickstart.sqlite: 7 cells, 28 samples; each entry: mean "
                                     "score [samples]\n\nmodel needle-llama-1m, context 256 "
                                     "tokens\n  method      retention  needle\n  full        - "));
        // Each row: the mean of the stored scores, from the database itself.
        for (const auto& c : hace::runner::cell_summaries(*reference_)) {
            char entry[64];
            std::snprintf(entry, sizeof entry, "%.1f [4]\n", c.metric_means.at("score"));
            const std::string retention = c.retention ? (*c.retention == 0.1 ? "0.1" : "0.3") : "-";
            EXPECT_THAT(
                r.out,
                ::testing::ContainsRegex(
                    "\n  " + c.method_name + " +" +
                    (retention == "-" ? std::string("-") : "0\\." + retention.substr(2)) + " +" +
                    std::string(entry).substr(0, std::string(entry).find(' ')) + " \\[4\\]\n"))
                << c.method_name;
        }
    }
}

TEST_F(RunCli, DryRunPrintsThePlanAndWritesNothing) {
    const fs::path db = *dir_ / "dry.sqlite";
    const Outcome j =
        run_hace({"run", sweep_->string(), "--db", db.string(), "--dry-run", "--json"});
    ASSERT_EQ(j.code, 0) << j.err;
    const json plan = j.json_out();
    EXPECT_EQ(plan["totals"]["cells"], 7);
    EXPECT_EQ(plan["totals"]["samples"], 28);
    ASSERT_EQ(plan["cells"].size(), 7u);
    EXPECT_EQ(plan["cells"][0]["method"], "full");
    EXPECT_TRUE(plan["cells"][0]["estimate"].contains("peak_bytes"));
    const Outcome text = run_hace({"run", sweep_->string(), "--db", db.string(), "--dry-run"});
    ASSERT_EQ(text.code, 0) << text.err;
    EXPECT_THAT(text.out, HasSubstr("total: 7 cells, 28 samples"));
    EXPECT_THAT(text.out, HasSubstr("hace-layer"));
    // At --batch-size 4 the estimate holds 4 caches; auto fits the tiny model and is capped by
    // the 4 samples of a cell.
    const Outcome four = run_hace(
        {"run", sweep_->string(), "--db", db.string(), "--dry-run", "--json", "--batch-size", "4"});
    ASSERT_EQ(four.code, 0) << four.err;
    const json p4 = four.json_out();
    EXPECT_EQ(p4["batch_size"], 4);
    EXPECT_FALSE(p4["batch_size_auto"].get<bool>());
    EXPECT_GT(p4["totals"]["max_peak_bytes"].get<std::int64_t>(),
              plan["totals"]["max_peak_bytes"].get<std::int64_t>());
    const Outcome aut = run_hace(
        {"run", sweep_->string(), "--db", db.string(), "--dry-run", "--batch-size", "auto"});
    ASSERT_EQ(aut.code, 0) << aut.err;
    EXPECT_THAT(aut.out, HasSubstr("batch size 4 (auto: "));
    EXPECT_FALSE(fs::exists(db));
}

TEST(RunCliErrors, AnInvalidSpecListsEveryProblemAndExits2) {
    const fs::path dir = hace::test::temp_dir("run-cli-invalid");
    const json j = {{"models", {(dir / "no-such-model").string()}},
                    {"context_lengths", {256}},
                    {"retentions", {0.1, 1.5}},
                    {"methods", {"full", "snapkvv"}},
                    {"tasks", {"needle", "qasperr"}},
                    {"data", {{"needle_task", (dir / "nowhere").string()}}}};
    const fs::path spec = dir / "bad.json";
    std::ofstream(spec) << j.dump();
    const Outcome r = run_hace({"run", spec.string(), "--db", (dir / "r.sqlite").string()});
    EXPECT_EQ(r.code, 2);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    for (const char* part : {"bad.json", "problems", "retentions[1]", "snapkvv", "qasperr",
                             "no-such-model", "data.needle_task"}) {
        EXPECT_THAT(r.err, HasSubstr(part));
    }
    EXPECT_FALSE(fs::exists(dir / "r.sqlite"));
    const Outcome dry = run_hace({"run", spec.string(), "--dry-run"});
    EXPECT_EQ(dry.code, 2);
    const Outcome missing = run_hace({"run", (dir / "absent.json").string()});
    EXPECT_EQ(missing.code, 2);
    EXPECT_THAT(missing.err, HasSubstr("absent.json"));
    const Outcome group = run_hace({"run", spec.string(), "--cell-group", "3/3"});
    EXPECT_EQ(group.code, 2);
    EXPECT_THAT(group.err, HasSubstr("--cell-group"));
}

// Issue 17: an HIV task whose options.protocol is not a string ended with "internal error:
// [json.exception.type_error.302]" and exit 1. Every type is now a one-line input error naming
// the JSON path, for a run and a dry run, and nothing is written.
TEST(RunCliErrors, AnHivProtocolThatIsNotAStringExits2NamingThePath) {
    REQUIRE_NEEDLE_DATA();
    const fs::path dir = hace::test::temp_dir("run-cli-hiv-protocol");
    for (const json& bad :
         {json(3), json(nullptr), json::array({"r2"}), json({{"id", "needle-model"}})}) {
        json j = hace::runner::test::needle_sweep({"full"}, {}, 1);
        j["tasks"] = {{{"id", "hiv"}, {"options", {{"protocol", bad}, {"max_trials", 2}}}}};
        const fs::path spec = dir / "hiv.json";
        std::ofstream(spec) << j.dump();
        const fs::path db = dir / "hiv.sqlite";
        // Every type through a dry run; the type of the report (a number) through a real run too.
        for (const bool dry : {true, false}) {
            if (!dry && !bad.is_number()) continue;
            std::vector<std::string> args = {"run", spec.string(), "--db", db.string(), "--quiet"};
            if (dry) args.push_back("--dry-run");
            const Outcome r = run_hace(args);
            EXPECT_EQ(r.code, 2) << bad.dump() << ": " << r.err;
            EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
            EXPECT_THAT(r.err, HasSubstr("hiv.json"));
            EXPECT_THAT(r.err, HasSubstr("tasks[0].options: protocol must be one of"));
            EXPECT_THAT(r.err, HasSubstr("got " + bad.dump()));
            EXPECT_THAT(r.err, ::testing::Not(HasSubstr("internal error")));
            EXPECT_FALSE(fs::exists(db));
        }
    }
}

TEST_F(RunCli, ExportsCsvJsonAndLatex) {
    const std::string db = reference_->string();
    const Outcome csv = run_hace({"export", "--db", db, "--format", "csv"});
    ASSERT_EQ(csv.code, 0) << csv.err;
    const auto rows = lines_of(csv.out);
    ASSERT_EQ(rows.size(), 29u);  // header + 28 samples
    EXPECT_EQ(
        rows[0].rfind(
            "cell,model,context_length,method,method_name,mode,retention,budget,query,task,", 0),
        0u);
    EXPECT_THAT(rows[0], HasSubstr(",score,"));
    const Outcome cells = run_hace({"export", "--db", db, "--format", "csv", "--per", "cell"});
    ASSERT_EQ(cells.code, 0) << cells.err;
    EXPECT_EQ(lines_of(cells.out).size(), 8u);
    EXPECT_THAT(lines_of(cells.out)[0], HasSubstr(",score,score_ci_low,score_ci_high,score_n"));
    const fs::path out = *dir_ / "export.json";
    const Outcome js = run_hace({"export", "--db", db, "--format", "json", "--out", out.string()});
    ASSERT_EQ(js.code, 0) << js.err;
    EXPECT_TRUE(js.out.empty());
    std::ifstream in(out);
    const json j = json::parse(in);
    ASSERT_EQ(j["rows"].size(), 28u);
    EXPECT_EQ(j["rows"][0]["method"], "full");
    EXPECT_EQ(j["rows"][0]["model"], "needle-llama-1m");
    const Outcome tex =
        run_hace({"export", "--db", db, "--format", "latex", "--table", "ablation"});
    ASSERT_EQ(tex.code, 0) << tex.err;
    EXPECT_THAT(tex.out, HasSubstr("\\toprule"));
    EXPECT_THAT(tex.out, HasSubstr("HACE-LayerOnly"));
    EXPECT_THAT(tex.out, HasSubstr("needle & 0.1 & "));
    const Outcome cliff = run_hace({"export", "--db", db, "--format", "latex", "--table", "cliff"});
    ASSERT_EQ(cliff.code, 0) << cliff.err;
    EXPECT_THAT(cliff.out, HasSubstr("needle & cake & "));
    const Outcome wrong = run_hace({"export", "--db", db, "--format", "csv", "--table", "cliff"});
    EXPECT_EQ(wrong.code, 2);
    const Outcome bad_db = run_hace({"export", "--db", sweep_->string(), "--format", "csv"});
    EXPECT_EQ(bad_db.code, 2);
    EXPECT_THAT(bad_db.err, HasSubstr("sweep.json"));
}

// `hace compare` on the real run: SnapKV against CAKE at both ratios on the same 4 samples.
TEST_F(RunCli, CompareTwoMethodsOfTheRun) {
    const Outcome r = run_hace({"compare", "--db", reference_->string(), "--a", "snapkv", "--b",
                                "cake", "--effect", "10", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const json j = r.json_out();
    ASSERT_EQ(j["cells"].size(), 2u);
    std::vector<double> p;
    for (const auto& c : j["cells"]) {
        EXPECT_EQ(c["n"], 4);
        EXPECT_EQ(c["p_method"], "exact");
        EXPECT_EQ(c["flips"], 16);
        // With 4 samples the smallest possible two-sided p is 2/16.
        EXPECT_GE(c["p"].get<double>(), 0.125);
        EXPECT_LE(c["p"].get<double>(), 1.0);
        EXPECT_GE(c["p_holm"].get<double>(), c["p"].get<double>());
        EXPECT_NEAR(c["mean_difference"].get<double>(),
                    c["mean_a"].get<double>() - c["mean_b"].get<double>(), 1e-9);
        EXPECT_LE(c["ci_low"].get<double>(), c["mean_difference"].get<double>() + 1e-9);
        EXPECT_GE(c["ci_high"].get<double>(), c["mean_difference"].get<double>() - 1e-9);
        EXPECT_EQ(c["significant"], false);
        p.push_back(c["p"].get<double>());
    }
    // Holm over two: the smaller p doubled (capped at 1).
    const std::size_t lo = p[0] <= p[1] ? 0 : 1;
    EXPECT_DOUBLE_EQ(j["cells"][lo]["p_holm"].get<double>(), std::min(1.0, 2 * p[lo]));
    const Outcome unknown = run_hace(
        {"compare", "--db", reference_->string(), "--a", "snapkv", "--b", "h2o", "--json"});
    EXPECT_EQ(unknown.code, 2);
    EXPECT_THAT(unknown.err, HasSubstr("no cell of method \"h2o\""));
}

TEST_F(RunCli, MergeSkipsDuplicates) {
    const fs::path out = *dir_ / "merged.sqlite";
    const Outcome first = run_hace({"merge", out.string(), reference_->string(), "--json"});
    ASSERT_EQ(first.code, 0) << first.err;
    EXPECT_EQ(first.json_out()["cells"], 7);
    EXPECT_EQ(first.json_out()["samples"], 28);
    EXPECT_EQ(first.json_out()["duplicates_skipped"], 0);
    const Outcome second = run_hace({"merge", out.string(), reference_->string(), "--json"});
    ASSERT_EQ(second.code, 0) << second.err;
    EXPECT_EQ(second.json_out()["cells"], 0);
    EXPECT_EQ(second.json_out()["samples"], 0);
    EXPECT_EQ(second.json_out()["duplicates_skipped"], 28);
    EXPECT_EQ(hace::runner::test::stored_rows(out), hace::runner::test::stored_rows(*reference_));
    const Outcome usage = run_hace({"merge", out.string()});
    EXPECT_EQ(usage.code, 2);
}

// The generated scripts run task by task with bash (SLURM_ARRAY_TASK_ID set by hand), then the
// merge script: the merged database holds the rows of the single run.
TEST_F(RunCli, SlurmScriptsRunGroupByGroupAndMerge) {
    const fs::path out = *dir_ / "slurm";
    const Outcome r = run_hace(
        {"slurm", sweep_->string(), "--out", out.string(), "--cells-per-task", "3", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const json e = r.json_out();
    EXPECT_EQ(e["cells"], 7);
    ASSERT_EQ(e["array_tasks"], 3);
    for (int i = 0; i < 3; ++i) {
        const Outcome task =
            run_shell("SLURM_ARRAY_TASK_ID=" + std::to_string(i) + " SLURM_CPUS_PER_TASK=1 bash " +
                      quote(e["array_script"].get<std::string>()));
        ASSERT_EQ(task.code, 0) << task.err;
        const json s = json::parse(task.out);
        EXPECT_LE(s["cells"].get<int>(), 3);
        EXPECT_GE(s["cells"].get<int>(), 2);
    }
    const Outcome merge = run_shell("bash " + quote(e["merge_script"].get<std::string>()));
    ASSERT_EQ(merge.code, 0) << merge.err;
    EXPECT_EQ(json::parse(merge.out)["samples"], 28);
    EXPECT_EQ(hace::runner::test::stored_rows(e["merged_db"].get<std::string>()),
              hace::runner::test::stored_rows(*reference_));
}

bool on_path(const std::string& program) {
    return run_shell("command -v " + program + " >/dev/null").code == 0;
}

// Against a real single-node Slurm (Debian slurm-wlm + munge): when none answers, the test starts
// one with scripts/slurm-localhost.sh (root only; it never touches a configuration it did not
// write), and skips with that script's reason where it cannot.
TEST_F(RunCli, SlurmJobArrayOnARealCluster) {
    for (const char* program : {"slurmd", "slurmctld", "munged", "sbatch", "sinfo"}) {
        if (!on_path(program)) {
            GTEST_SKIP() << program << " is not installed: no Slurm to submit to (the scripts are "
                         << "exercised with bash by SlurmScriptsRunGroupByGroupAndMerge)";
        }
    }
    if (run_shell("sinfo --noheader >/dev/null 2>&1").code != 0) {
        const auto script = hace::test::source_dir() / "scripts/slurm-localhost.sh";
        const Outcome started = run_shell("bash " + quote(script.string()) + " start 2>&1");
        if (started.code != 0) {
            GTEST_SKIP() << "no Slurm controller answers and none could be started here: "
                         << started.out << started.err;
        }
    }
    const fs::path out = *dir_ / "slurm-real";
    const Outcome r = run_hace({"slurm", sweep_->string(), "--out", out.string(),
                                "--cells-per-task", "4", "--cpus", "1", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const json e = r.json_out();
    const Outcome array = run_shell("sbatch --wait " + quote(e["array_script"].get<std::string>()));
    ASSERT_EQ(array.code, 0) << array.err;
    const Outcome merge = run_shell("sbatch --wait " + quote(e["merge_script"].get<std::string>()));
    ASSERT_EQ(merge.code, 0) << merge.err;
    EXPECT_EQ(hace::runner::test::stored_rows(e["merged_db"].get<std::string>()),
              hace::runner::test::stored_rows(*reference_));
}

}  // namespace
