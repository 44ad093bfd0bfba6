// `hace score` through the real binary: the scores it prints for the official scorer vectors,
// its JSON object, and one-line errors with exit code 2 for malformed input.
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.h"
#include "tests/support/test_data.h"

namespace {

struct Run {
    int code = -1;
    std::string out, err;
};

Run run_hace(const std::vector<std::string>& args) {
    const auto r = hace::test::run_program(HACE_CLI_PATH, args);
    return {r.code, r.out, r.err};
}

std::filesystem::path vectors_path() {
    return hace::test::shared_data() / "scorer-vectors/longbench_scores.jsonl";
}

std::vector<nlohmann::json> load_vectors() {
    std::ifstream in(vectors_path());
    std::vector<nlohmann::json> out;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
}

std::vector<double> printed_scores(const std::string& out) {
    std::vector<double> v;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) v.push_back(std::stod(line));
    return v;
}

std::filesystem::path write_file(const std::string& tag, const std::string& text) {
    const auto path = hace::test::temp_dir("score-cli-" + tag) / "samples.jsonl";
    std::ofstream(path) << text;
    return path;
}

TEST(ScoreCli, PrintsOneOfficialScorePerLine) {
    HACE_REQUIRE_PATH(vectors_path());
    const auto vectors = load_vectors();
    ASSERT_EQ(vectors.size(), 200u);
    for (const std::string field : {"qa_f1", "rouge_l"}) {
        const auto r = run_hace({"score", "--metric", field, "--jsonl", vectors_path().string()});
        ASSERT_EQ(r.code, 0) << r.err;
        const auto scores = printed_scores(r.out);
        ASSERT_EQ(scores.size(), vectors.size()) << field;
        for (std::size_t i = 0; i < vectors.size(); ++i) {
            EXPECT_NEAR(scores[i], vectors[i].at(field).get<double>(), 1e-9)
                << field << " line " << i + 1;
        }
    }
}

TEST(ScoreCli, JsonObjectHasScoresMeanAndCount) {
    HACE_REQUIRE_PATH(vectors_path());
    const auto vectors = load_vectors();
    const auto r =
        run_hace({"score", "--metric", "rouge1", "--jsonl", vectors_path().string(), "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("metric"), "rouge1");
    ASSERT_EQ(j.at("n").get<std::size_t>(), vectors.size());
    ASSERT_EQ(j.at("scores").size(), vectors.size());
    double total = 0.0;
    for (std::size_t i = 0; i < vectors.size(); ++i) {
        const double expected = vectors[i].at("rouge1_f_stem").get<double>();
        EXPECT_NEAR(j["scores"][i].get<double>(), expected, 1e-9) << "line " << i + 1;
        total += expected;
    }
    EXPECT_NEAR(j.at("mean").get<double>(), total / static_cast<double>(vectors.size()), 1e-9);
}

TEST(ScoreCli, KeywordRecallAndExactMatchOnHandWrittenLines) {
    const auto path =
        write_file("hand",
                   "{\"prediction\": \"Eat a sandwich in Dolores Park, on a sunny day\", "
                   "\"answers\": "
                   "[\"eat a sandwich and sit in Dolores Park on a sunny day.\"]}\n"
                   "\n"
                   "{\"prediction\": \"The Cat!\", \"answers\": [\"dog\", \"cat\"]}\n");
    const auto recall = run_hace({"score", "--metric", "keyword_recall", "--jsonl", path.string()});
    ASSERT_EQ(recall.code, 0) << recall.err;
    const auto recall_scores = printed_scores(recall.out);
    ASSERT_EQ(recall_scores.size(), 2u);  // the blank line is skipped
    EXPECT_DOUBLE_EQ(recall_scores[0], 7.0 / 11.0);
    EXPECT_DOUBLE_EQ(recall_scores[1], 0.0);  // needle "dog"
    const auto em = run_hace({"score", "--metric", "em", "--jsonl", path.string()});
    ASSERT_EQ(em.code, 0) << em.err;
    EXPECT_EQ(printed_scores(em.out), (std::vector<double>{0.0, 1.0}));
}

void expect_bad_input(const Run& r, const std::vector<std::string>& words) {
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    for (const auto& w : words) EXPECT_NE(r.err.find(w), std::string::npos) << r.err;
}

TEST(ScoreCli, MalformedLineNamesFileAndLine) {
    const std::string good = "{\"prediction\": \"a\", \"answers\": [\"a\"]}\n";
    const auto not_json = write_file("bad-json", good + "{\"prediction\": \"a\", \n");
    expect_bad_input(run_hace({"score", "--metric", "qa_f1", "--jsonl", not_json.string()}),
                     {not_json.string() + ":2", "not valid JSON"});
    const auto no_answers = write_file("no-answers", good + good + "{\"prediction\": \"a\"}\n");
    expect_bad_input(run_hace({"score", "--metric", "qa_f1", "--jsonl", no_answers.string()}),
                     {no_answers.string() + ":3", "\"answers\""});
    const auto bad_answer =
        write_file("bad-answer", "{\"prediction\": \"a\", \"answers\": [\"a\", 3]}\n");
    expect_bad_input(run_hace({"score", "--metric", "rouge_l", "--jsonl", bad_answer.string()}),
                     {bad_answer.string() + ":1", "list of strings"});
}

TEST(ScoreCli, BadFlagsExitWithCodeTwo) {
    const auto path = write_file("flags", "{\"prediction\": \"a\", \"answers\": [\"a\"]}\n");
    expect_bad_input(run_hace({"score", "--metric", "bleu", "--jsonl", path.string()}),
                     {"unknown metric", "bleu", "qa_f1"});
    expect_bad_input(run_hace({"score", "--metric", "qa_f1"}), {"--jsonl"});
    expect_bad_input(run_hace({"score", "--metric", "qa_f1", "--jsonl", "/nonexistent/x.jsonl"}),
                     {"/nonexistent/x.jsonl", "cannot open"});
}

}  // namespace
