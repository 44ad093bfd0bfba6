// One LongBench (v1) record and the official JSONL reader.
//
// Official record: {"input", "context", "answers": [..], "length", "dataset", "language",
// "all_classes": null | [..], "_id"}, one JSON object per line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/eval/tasks/load_problem.h"
#include "engine/eval/tasks/python_format.h"

namespace hace::tasks {

struct Sample {
    std::string id;  // "_id"
    std::string input;
    std::string context;
    std::vector<std::string> answers;
    // Words (English) or characters (Chinese) of input + context + answers, as shipped.
    std::int64_t length = 0;
    std::string dataset;
    std::string language;
    std::optional<std::vector<std::string>> all_classes;  // null for the QA tasks
};

// The names a LongBench template may use with str.format(**sample): the string fields and
// "length" (as Python prints an int). "answers" and "all_classes" are lists, whose Python repr
// no official template uses, so they are left out (a template naming them is refused).
FormatFields format_fields(const Sample& sample);

struct LongBenchFile {
    std::vector<Sample> samples;        // the good records, in file order
    std::vector<LoadProblem> problems;  // the skipped lines, in file order
};

// Reads an official LongBench JSONL file. A malformed line (bad JSON, not an object, a missing
// field or one of the wrong type) is reported through on_problem (when given) and in the result,
// then skipped. Blank lines are ignored. Throws InputError only when the file cannot be read.
LongBenchFile load_longbench_jsonl(const std::filesystem::path& path,
                                   const ProblemSink& on_problem = nullptr);

}  // namespace hace::tasks
