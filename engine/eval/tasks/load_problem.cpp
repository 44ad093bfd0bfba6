#include "engine/eval/tasks/load_problem.h"

namespace hace::tasks {

std::string LoadProblem::message() const {
    std::string out = file;
    if (line > 0) {
        out.push_back(':');
        out.append(std::to_string(line));
    }
    if (!record.empty()) {
        out.append(": ");
        out.append(record);
    }
    out.append(": ");
    out.append(problem);
    return out;
}

}  // namespace hace::tasks
