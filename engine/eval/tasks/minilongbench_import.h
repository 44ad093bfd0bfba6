// Importer for MiniLongBench example files (shared/data/longbench/minilongbench_examples/*.json):
// OpenCompass prediction dumps {"0": {"origin_prompt", "prediction", "gold", "time"}, ...}.
//
// What is recovered, and how faithfully:
//  - context, input: exact, by removing OpenCompass's fixed prompt prefix, splitting at the last
//    occurrence of its fixed middle string and removing its fixed suffix (the three templates
//    below; every shipped prompt matches one). Whether OpenCompass's own loader altered the
//    official context before filling the template cannot be checked from the dump.
//  - answers: exact ("gold" is the LongBench answers list).
//  - dataset: the template that matched; language: "en" (all three are English tasks);
//    all_classes: null (as for every LongBench QA task).
// What cannot be recovered:
//  - _id: replaced by "<file stem>/<entry key>" (the official random hex id is not in the dump);
//  - length: recomputed as the number of str.split() words of input + context + answers, which
//    is how LongBench describes the English field; not checked against official English
//    records (none are available here).
//  - "prediction" is another model's output and is ignored.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/eval/tasks/load_problem.h"
#include "engine/eval/tasks/longbench_sample.h"

namespace hace::tasks {

// One OpenCompass LongBench prompt layout: prefix + context + middle + input + suffix.
struct OpenCompassLayout {
    std::string dataset;
    std::string prefix;
    std::string middle;
    std::string suffix;
};

// narrativeqa (the official prompt with the "asconcisely" typo fixed), qasper (OpenCompass's
// own, not the official LongBench qasper prompt), multifieldqa_en (the official prompt).
const std::vector<OpenCompassLayout>& opencompass_layouts();

struct MiniLongBenchFile {
    std::vector<Sample> samples;  // in entry-key order ("0", "1", ...)
    std::vector<LoadProblem> problems;
};

// An entry that is not an object, lacks a string "origin_prompt" or a string-list "gold", or
// whose prompt matches no layout (or another dataset than the one the file name ends with, as in
// "MiniLongBench_qasper.json") is reported and skipped. Throws InputError when the file cannot
// be read or is not a JSON object.
MiniLongBenchFile import_minilongbench(const std::filesystem::path& path,
                                       const ProblemSink& on_problem = nullptr);

// Words of input + context + answers, split on whitespace exactly as Python's str.split() does
// (Unicode whitespace included: the README's context sizes need U+00A0 and friends).
std::int64_t count_words(const Sample& sample);

}  // namespace hace::tasks
