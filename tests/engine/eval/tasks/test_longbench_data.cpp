// LongBench records: the official JSONL reader on the real multifieldqa_zh file, skipping of
// malformed lines, and the MiniLongBench (OpenCompass dump) importer on the shipped examples.
#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "engine/core/json_io.h"
#include "engine/eval/tasks/longbench_sample.h"
#include "engine/eval/tasks/minilongbench_import.h"
#include "engine/eval/tasks/utf8_text.h"
#include "tests/support/expect_input_error.h"
#include "tests/support/test_data.h"

namespace hace::tasks {
namespace {
namespace fs = std::filesystem;

fs::path longbench_dir() {
    return test::shared_data() / "longbench";
}

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

TEST(LongBenchJsonl, LoadsAllOfMultifieldqaZh) {
    const fs::path file = longbench_dir() / "multifieldqa_zh.jsonl";
    HACE_REQUIRE_PATH(file);
    std::size_t reported = 0;
    const LongBenchFile lb = load_longbench_jsonl(file, [&](const LoadProblem&) { ++reported; });
    ASSERT_EQ(lb.samples.size(), 200u);
    EXPECT_TRUE(lb.problems.empty());
    EXPECT_EQ(reported, 0u);
    EXPECT_EQ(lb.samples.front().id, "5b1b8e937b83c3ff9b75ac386fae9c4575c4b9f26a4fbdad");
    EXPECT_EQ(lb.samples.front().length, 9593);
    for (const Sample& s : lb.samples) {
        EXPECT_EQ(s.dataset, "multifieldqa_zh");
        EXPECT_EQ(s.language, "zh");
        EXPECT_FALSE(s.all_classes.has_value());
        ASSERT_FALSE(s.answers.empty());
        // For Chinese, "length" is the character count of input + context + answers: this
        // checks that every field arrived whole and that we count characters as Python does.
        std::size_t chars = utf8_length(s.input) + utf8_length(s.context);
        for (const auto& a : s.answers) chars += utf8_length(a);
        EXPECT_EQ(static_cast<std::int64_t>(chars), s.length) << s.id;
    }
    const auto ids = [&] {
        std::vector<std::string> v;
        for (const auto& s : lb.samples) v.push_back(s.id);
        std::sort(v.begin(), v.end());
        return v;
    }();
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "duplicate _id";
}

TEST(LongBenchJsonl, ReportsAndSkipsMalformedLines) {
    const fs::path dir = test::temp_dir("longbench_malformed");
    const fs::path file = dir / "bad.jsonl";
    const std::string good1 =
        R"({"input":"q1","context":"c1","answers":["a1"],"length":3,"dataset":"qasper",)"
        R"("language":"en","all_classes":null,"_id":"id1"})";
    const std::string good2 =
        R"({"input":"q2","context":"c2 c2","answers":["a","b"],"length":5,"dataset":"trec",)"
        R"("language":"en","all_classes":["x","y"],"_id":"id2"})";
    const std::vector<std::string> lines = {
        good1,                            // 1
        R"({"input": "q", "context": )",  // 2: bad JSON
        R"({"input":"q","context":"c","answers":["a"],"length":1,"dataset":"d",)"
        R"("language":"en","all_classes":null})",  // 3: no _id
        "",                                        // 4: blank, ignored
        R"({"input":"q","context":"c","answers":"a","length":1,"dataset":"d",)"
        R"("language":"en","all_classes":null,"_id":"x"})"
        "\r",      // 5: answers is a string (and a CRLF line end)
        "[1, 2]",  // 6: not an object
        R"({"input":"q","context":"c","answers":["a"],"length":-4,"dataset":"d",)"
        R"("language":"en","all_classes":null,"_id":"x"})",  // 7: negative length
        good2 + "\r",                                        // 8
    };
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    write_file(file, text);
    std::vector<LoadProblem> seen;
    const LongBenchFile lb =
        load_longbench_jsonl(file, [&](const LoadProblem& p) { seen.push_back(p); });
    ASSERT_EQ(lb.samples.size(), 2u);
    EXPECT_EQ(lb.samples[0].id, "id1");
    EXPECT_EQ(lb.samples[1].id, "id2");
    EXPECT_EQ(lb.samples[1].answers, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(*lb.samples[1].all_classes, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(lb.samples[1].length, 5);

    ASSERT_EQ(lb.problems.size(), 5u);
    ASSERT_EQ(seen.size(), 5u);
    const std::vector<std::size_t> bad_lines = {2, 3, 5, 6, 7};
    const std::vector<std::string> what = {"malformed JSON", "missing field \"_id\"",
                                           "field \"answers\": expected an array of strings, "
                                           "got string",
                                           "expected a JSON object, got array",
                                           "field \"length\": expected a non-negative integer"};
    for (std::size_t i = 0; i < bad_lines.size(); ++i) {
        EXPECT_EQ(lb.problems[i].line, bad_lines[i]);
        EXPECT_EQ(seen[i].line, bad_lines[i]);
        const std::string msg = lb.problems[i].message();
        EXPECT_EQ(msg.rfind(file.string() + ":" + std::to_string(bad_lines[i]) + ": ", 0), 0u) << msg;
        EXPECT_NE(msg.find(what[i]), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
    }
}

TEST(LongBenchJsonl, MissingFileIsAnInputError) {
    test::expect_input_error(
        [] { load_longbench_jsonl(test::temp_dir("longbench_missing") / "none.jsonl"); },
        {"none.jsonl", "cannot open"});
}

// The word count of a text alone, through the importer's length rule.
std::int64_t words(const std::string& text) {
    Sample s;
    s.context = text;
    return count_words(s);
}

TEST(MiniLongBench, ImportsEveryExampleExactly) {
    const fs::path dir = longbench_dir() / "minilongbench_examples";
    HACE_REQUIRE_PATH(dir);
    struct Expected {
        std::string dataset;
        std::size_t count;
        std::int64_t min_words;  // context sizes stated in shared/data/longbench/README.md
        std::int64_t max_words;
    };
    const std::vector<Expected> files = {{"narrativeqa", 6, 5391, 36401},
                                         {"qasper", 9, 1453, 3835},
                                         {"multifieldqa_en", 7, 804, 6888}};
    for (const Expected& e : files) {
        SCOPED_TRACE(e.dataset);
        const fs::path file = dir / ("MiniLongBench_" + e.dataset + ".json");
        const MiniLongBenchFile imported = import_minilongbench(file);
        ASSERT_EQ(imported.samples.size(), e.count);
        EXPECT_TRUE(imported.problems.empty());
        const nlohmann::json raw = read_json_file(file);
        const OpenCompassLayout* layout = nullptr;
        for (const auto& l : opencompass_layouts()) {
            if (l.dataset == e.dataset) layout = &l;
        }
        ASSERT_NE(layout, nullptr);
        std::int64_t lo = INT64_MAX;
        std::int64_t hi = 0;
        for (std::size_t i = 0; i < imported.samples.size(); ++i) {
            const Sample& s = imported.samples[i];
            const nlohmann::json& entry = raw.at(std::to_string(i));
            EXPECT_EQ(s.id, "MiniLongBench_" + e.dataset + "/" + std::to_string(i));
            EXPECT_EQ(s.dataset, e.dataset);
            EXPECT_EQ(s.language, "en");
            EXPECT_FALSE(s.all_classes.has_value());
            EXPECT_EQ(s.answers, entry.at("gold").get<std::vector<std::string>>());
            // The pieces put back into the layout give the dumped prompt byte for byte.
            EXPECT_EQ(layout->prefix + s.context + layout->middle + s.input + layout->suffix,
                      entry.at("origin_prompt").get<std::string>());
            EXPECT_EQ(s.input.find('\n'), std::string::npos) << "question: " << s.input;
            EXPECT_EQ(s.length, count_words(s));
            lo = std::min(lo, words(s.context));
            hi = std::max(hi, words(s.context));
        }
        EXPECT_EQ(lo, e.min_words);
        EXPECT_EQ(hi, e.max_words);
    }
    const MiniLongBenchFile q = import_minilongbench(dir / "MiniLongBench_qasper.json");
    EXPECT_EQ(q.samples[0].input,
              "What is the improvement in performance for Estonian in the NER task?");
    EXPECT_EQ(q.samples[0].answers, (std::vector<std::string>{"5 percent points.", "0.05 F1"}));
}

TEST(MiniLongBench, ReportsAndSkipsBadEntries) {
    const fs::path dir = test::temp_dir("minilongbench_bad");
    const fs::path file = dir / "MiniLongBench_multifieldqa_en.json";
    const std::string mf_prefix = "Read the following text and answer briefly.\\n\\n";
    const std::string mf_middle =
        "\\n\\nNow, answer the following question based on the above text, only give me the "
        "answer and do not output any other words.\\n\\nQuestion: ";
    const std::string good =
        "\"" + mf_prefix + "Some text.\\n\\nMore text." + mf_middle + "What text?\\nAnswer:\"";
    const std::string qasper_prompt =
        "\"Answer the question based on the given passages. Only give me the answer and do not "
        "output any other words.\\n\\nThe following are given passages.\\nP" +
        std::string(
            "\\n\\nAnswer the question based on the given passages. Only give me the "
            "answer and do not output any other words.\\n\\nQuestion: Q\\nAnswer:\"");
    write_file(file, "{\"0\": {\"origin_prompt\": " + good + ", \"gold\": [\"Some\"]},\n" +
                         "\"1\": {\"origin_prompt\": \"Hello\", \"gold\": [\"x\"]},\n" +
                         "\"2\": {\"origin_prompt\": " + good + "},\n" +
                         "\"3\": {\"origin_prompt\": " + qasper_prompt + ", \"gold\": [\"y\"]},\n" +
                         "\"4\": 7}");
    std::size_t reported = 0;
    const MiniLongBenchFile imported =
        import_minilongbench(file, [&](const LoadProblem&) { ++reported; });
    ASSERT_EQ(imported.samples.size(), 1u);
    EXPECT_EQ(imported.samples[0].context, "Some text.\n\nMore text.");
    EXPECT_EQ(imported.samples[0].input, "What text?");
    EXPECT_EQ(imported.samples[0].length, 7);  // 4 context + 2 input + 1 answer words
    ASSERT_EQ(imported.problems.size(), 4u);
    EXPECT_EQ(reported, 4u);
    EXPECT_NE(imported.problems[0].message().find("entry \"1\": origin_prompt matches no known"),
              std::string::npos)
        << imported.problems[0].message();
    EXPECT_NE(imported.problems[1].message().find("\"gold\""), std::string::npos);
    EXPECT_NE(imported.problems[2].message().find("qasper layout but the file name says "
                                                  "multifieldqa_en"),
              std::string::npos)
        << imported.problems[2].message();
    EXPECT_NE(imported.problems[3].message().find("expected an object"), std::string::npos);

    write_file(dir / "list.json", "[1, 2]");
    test::expect_input_error([&] { import_minilongbench(dir / "list.json"); },
                             {"list.json", "an object of entries"});
}

}  // namespace
}  // namespace hace::tasks
