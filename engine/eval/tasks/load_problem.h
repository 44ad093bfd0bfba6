// A record that could not be loaded: reported, skipped, and loading goes on.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace hace::tasks {

struct LoadProblem {
    std::string file;
    std::size_t line = 0;  // 1-based line (JSONL) or 0 when the record has no line of its own
    std::string record;    // the record's key when it has one (JSON object dumps), else empty
    std::string problem;

    // "<file>:<line>: <problem>" or "<file>: <record>: <problem>"
    std::string message() const;
};

// Called once per skipped record, in file order, as soon as it is found.
using ProblemSink = std::function<void(const LoadProblem&)>;

}  // namespace hace::tasks
