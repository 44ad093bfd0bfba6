// Inputs the fuzz targets (tests/fuzz) found to crash a reader, each kept as a regression test:
// the reader must refuse them with an InputError naming the file (exit 2 in the CLI), never let
// another exception through (the CLI's "internal error", exit 1).
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/command.h"
#include "engine/eval/tasks/longbench_sample.h"
#include "engine/eval/tasks/minilongbench_import.h"
#include "engine/model/model_config.h"
#include "engine/runner/result_store.h"
#include "engine/runner/sqlite_db.h"
#include "engine/runner/sweep_spec.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace {
namespace {

namespace fs = std::filesystem;
using test::expect_input_error;

fs::path write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// nlohmann::json reports a number beyond double's range as out_of_range (406), not parse_error:
// the readers that caught parse_error alone let it escape.
constexpr const char* kOverflow = "1e999";

TEST(FuzzRegression, ConfigJsonWithANumberBeyondDoubleIsMalformed) {
    const auto dir = test::temp_dir("fuzz_config");
    write(dir / "config.json", std::string(R"({"hidden_size": )") + kOverflow + "}");
    expect_input_error([&] { model::load_model_config(dir); },
                       {"config.json", "malformed JSON", "number overflow"});
}

TEST(FuzzRegression, TokenizerJsonWithANumberBeyondDoubleIsMalformed) {
    const auto dir = test::temp_dir("fuzz_tokenizer_json");
    write(dir / "tokenizer.json", std::string(R"({"model": {"dropout": )") + kOverflow + "}}");
    expect_input_error([&] { tokenizer::load_tokenizer(dir); },
                       {"tokenizer.json", "malformed JSON"});
}

// fuzz_vocab_merges: one huge id made the tokenizer allocate a 13.8 GB id table.
TEST(FuzzRegression, VocabularyWithASparseHugeIdIsRefused) {
    const auto dir = test::temp_dir("fuzz_vocab_sparse");
    write(dir / "vocab.json", R"({"a": 0, "b": 1, "ab": 431606327})");
    write(dir / "merges.txt", "#version: 0.2\na b\n");
    expect_input_error([&] { tokenizer::load_tokenizer(dir); },
                       {"vocab.json", "token id 431606327 is beyond 2097151"});
}

// fuzz_spm_model: sentencepiece's Load threw on these 47 bytes and the module's hace_spm_load
// leaked the half-built model (found by LeakSanitizer in the fuzz build, where the module is
// linked in). Whichever backend loads it, the file is refused as an InputError.
TEST(FuzzRegression, SentencePieceModelThatThrowsWhileLoadingIsRefused) {
    const auto dir = test::temp_dir("fuzz_spm_model");
    const unsigned char bytes[] = {0x0a, 0x0e, 0x0a, 0x05, 0x3c, 0x75, 0x6e, 0x6b, 0x3e, 0x15,
                                   0x00, 0x00, 0x00, 0x00, 0x18, 0x02, 0x0a, 0x0c, 0x0a, 0x03,
                                   0x3c, 0x73, 0x3e, 0x15, 0x00, 0x00, 0x00, 0x00, 0x58, 0x06,
                                   0x0a, 0x0f, 0x0a, 0x06, 0x00, 0x00, 0x00, 0x2d, 0x41, 0x3e,
                                   0x15, 0x00, 0x00, 0x41, 0x2d, 0x18, 0x18};
    write(dir / "tokenizer.model", std::string(reinterpret_cast<const char*>(bytes), sizeof bytes));
    expect_input_error([&] { tokenizer::load_tokenizer(dir); }, {"tokenizer.model"});
}

TEST(FuzzRegression, SweepSpecWithANumberBeyondDoubleIsMalformed) {
    const auto file = write(test::temp_dir("fuzz_sweep") / "sweep.json",
                            std::string(R"({"name": "s", "retentions": [)") + kOverflow + "]}");
    expect_input_error([&] { runner::load_sweep_spec(file); }, {"sweep.json", "malformed JSON"});
}

TEST(FuzzRegression, LongBenchLineWithANumberBeyondDoubleIsReportedAndSkipped) {
    const std::string good =
        R"({"input": "q", "context": "c", "answers": ["a"], "length": 3, "dataset": "d", )"
        R"("language": "en", "all_classes": null, "_id": "x"})";
    const auto file = write(test::temp_dir("fuzz_longbench") / "t.jsonl",
                            good + "\n" + R"({"length": )" + kOverflow + "}\n" + good + "\n");
    const auto loaded = tasks::load_longbench_jsonl(file);
    EXPECT_EQ(loaded.samples.size(), 2u);
    ASSERT_EQ(loaded.problems.size(), 1u);
    EXPECT_EQ(loaded.problems[0].line, 2u);
    EXPECT_NE(loaded.problems[0].problem.find("malformed JSON"), std::string::npos);
}

TEST(FuzzRegression, MiniLongBenchFileWithANumberBeyondDoubleIsMalformed) {
    const auto file = write(test::temp_dir("fuzz_minilongbench") / "MiniLongBench_qasper.json",
                            std::string(R"({"0": {"time": )") + kOverflow + "}}");
    expect_input_error([&] { tasks::import_minilongbench(file); },
                       {"MiniLongBench_qasper.json", "malformed JSON"});
}

TEST(FuzzRegression, ScoreJsonlLineWithANumberBeyondDoubleIsNotValidJson) {
    const auto file =
        write(test::temp_dir("fuzz_score") / "s.jsonl",
              std::string(R"({"prediction": "a", "answers": ["a"], "x": )") + kOverflow + "}\n");
    const cli::Command command = cli::score_command();
    expect_input_error(
        [&] {
            const cli::Args args(command.name, command.flags,
                                 {"--metric", "qa_f1", "--jsonl", file.string()});
            command.run(args);
        },
        {"s.jsonl:1", "not valid JSON"});
}

// fuzz_results_db: a header whose schema format number (bytes 44..47) SQLite does not know made
// SQLite answer "unsupported file format" (SQLITE_ERROR), which escaped as an internal error.
TEST(FuzzRegression, ResultsDatabaseWithAnUnknownSchemaFormatIsDamaged) {
    const auto db = test::temp_dir("fuzz_results_db") / "r.sqlite";
    { runner::ResultStore::open(db); }
    {
        std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(44);
        f.write("{{{{", 4);
    }
    expect_input_error([&] { runner::ResultStore::open(db); },
                       {"r.sqlite", "damaged or not a SQLite database", "unsupported file format"});
}

// fuzz_results_db: bytes damaged inside sqlite_master left a table without a column that a read
// needs; SQLite's "no such column" at prepare time escaped as an internal error.
TEST(FuzzRegression, ResultsDatabaseMissingAColumnIsDamaged) {
    const auto db = test::temp_dir("fuzz_results_db_column") / "r.sqlite";
    std::int64_t sweep = 0;
    {
        auto store = runner::ResultStore::open(db);
        sweep = store.register_sweep("s", nlohmann::json::object());
    }
    {
        runner::detail::Db raw(db, SQLITE_OPEN_READWRITE);
        raw.exec("ALTER TABLE sweep_cells RENAME COLUMN position TO place", "damaging the file");
    }
    expect_input_error(
        [&] {
            auto store = runner::ResultStore::open(db);
            (void)store.sweep_progress(sweep);
        },
        {"r.sqlite", "damaged results database", "no such column"});
}

// fuzz_results_db: a stored JSON column (here a cell's config) that no longer parses escaped as
// nlohmann's parse_error, an internal error.
TEST(FuzzRegression, ResultsDatabaseWithBrokenStoredJsonIsDamaged) {
    const auto db = test::temp_dir("fuzz_results_db_json") / "r.sqlite";
    {
        auto store = runner::ResultStore::open(db);
        const auto sweep = store.register_sweep("s", nlohmann::json::object());
        store.add_cells(sweep, {runner::CellRecord{nlohmann::json{{"method", "full"}}, 1}});
    }
    {
        runner::detail::Db raw(db, SQLITE_OPEN_READWRITE);
        raw.exec("UPDATE cells SET config_json = '{\"method-:\"s'", "damaging the file");
    }
    expect_input_error(
        [&] {
            auto store = runner::ResultStore::open(db);
            for (const auto& cell : store.sweep_progress(1)) (void)store.cell_config(cell.hash);
        },
        {"r.sqlite", "damaged results database", "cells.config_json"});
}

}  // namespace
}  // namespace hace
