// hace score --metric M --jsonl FILE [--json]: scores each line's `prediction` against its
// `answers` (a list of strings; for keyword_recall answers[0] is the needle) with one of the
// hace_metrics scorers; one score per line, or one JSON object.
#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/cli/command.h"
#include "app/cli/print_json.h"
#include "engine/core/error.h"
#include "engine/eval/metrics/scorer.h"

namespace hace::cli {
namespace {

struct Sample {
    std::string prediction;
    std::vector<std::string> answers;
};

metrics::Metric parse_metric(const std::string& name) {
    if (auto m = metrics::metric_from_name(name)) return *m;
    std::string known;
    for (const auto m : metrics::all_metrics()) {
        known += (known.empty() ? "" : ", ") + std::string(metrics::metric_name(m));
    }
    throw InputError("hace score: unknown metric \"" + name + "\" (expected one of " + known + ")");
}

Sample parse_line(const std::string& where, const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {  // out_of_range too: 1e999 overflows a double
        throw InputError(where + ": not valid JSON");
    }
    if (!j.is_object()) throw InputError(where + ": expected a JSON object");
    const auto prediction = j.find("prediction");
    if (prediction == j.end()) throw InputError(where + ": missing key \"prediction\"");
    if (!prediction->is_string()) throw InputError(where + ": \"prediction\" must be a string");
    const auto answers = j.find("answers");
    if (answers == j.end()) throw InputError(where + ": missing key \"answers\"");
    if (!answers->is_array() || answers->empty()) {
        throw InputError(where + ": \"answers\" must be a non-empty list of strings");
    }
    Sample s{prediction->get<std::string>(), {}};
    for (const auto& a : *answers) {
        if (!a.is_string())
            throw InputError(where + ": \"answers\" must be a non-empty list of strings");
        s.answers.push_back(a.get<std::string>());
    }
    return s;
}

std::vector<Sample> read_samples(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open file");
    std::vector<Sample> samples;
    std::string text;
    for (std::size_t line = 1; std::getline(in, text); ++line) {
        if (!text.empty() && text.back() == '\r') text.pop_back();
        if (text.find_first_not_of(" \t") == std::string::npos) continue;
        samples.push_back(parse_line(path + ":" + std::to_string(line), text));
    }
    if (samples.empty()) throw InputError(path + ": no samples");
    return samples;
}

// Shortest text that reads back as the same double.
std::string format_score(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, r.ptr);
}

int run_score(const Args& args) {
    if (!args.positional().empty()) {
        throw InputError("hace score: unexpected argument \"" + args.positional()[0] + "\"");
    }
    const metrics::Metric metric = parse_metric(args.require("metric"));
    const auto samples = read_samples(args.require("jsonl"));
    std::vector<double> scores;
    double total = 0.0;
    for (const auto& s : samples) {
        scores.push_back(metrics::score_sample(metric, s.prediction, s.answers));
        total += scores.back();
    }
    if (args.has("json")) {
        print_json({{"metric", metrics::metric_name(metric)},
                    {"scores", scores},
                    {"mean", total / static_cast<double>(scores.size())},
                    {"n", scores.size()}});
    } else {
        for (const double v : scores) std::printf("%s\n", format_score(v).c_str());
    }
    return 0;
}

}  // namespace

Command score_command() {
    return {"score",
            "--metric qa_f1|qa_f1_zh|rouge_l|rouge1|em|keyword_recall --jsonl FILE [--json]",
            "score predictions against reference answers (one JSON object per line)",
            {{"metric", true, "qa_f1, qa_f1_zh, rouge_l, rouge1, em or keyword_recall"},
             {"jsonl", true, "lines with \"prediction\" and \"answers\" (list of strings)"},
             {"json", false, "print {metric, scores, mean, n} as JSON"}},
            &run_score};
}

}  // namespace hace::cli
