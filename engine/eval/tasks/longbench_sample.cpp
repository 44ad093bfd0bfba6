#include "engine/eval/tasks/longbench_sample.h"

#include <fstream>
#include <sstream>

#include "engine/core/error.h"
#include "engine/core/json_io.h"

namespace hace::tasks {
namespace {
using nlohmann::json;

// Thrown inside this file for one bad record; becomes a LoadProblem.
struct RecordError {
    std::string problem;
};

const json& field(const json& obj, const char* key) {
    const auto it = obj.find(key);
    if (it == obj.end()) throw RecordError{std::string("missing field \"") + key + "\""};
    return *it;
}

[[noreturn]] void wrong_type(const char* key, const char* expected, const json& v) {
    throw RecordError{std::string("field \"") + key + "\": expected " + expected + ", got " +
                      json_type_name(v)};
}

std::string string_field(const json& obj, const char* key) {
    const json& v = field(obj, key);
    if (!v.is_string()) wrong_type(key, "a string", v);
    return v.get<std::string>();
}

std::vector<std::string> string_list(const json& v, const char* key) {
    if (!v.is_array()) wrong_type(key, "an array of strings", v);
    std::vector<std::string> out;
    out.reserve(v.size());
    for (const json& item : v) {
        if (!item.is_string()) wrong_type(key, "an array of strings", item);
        out.push_back(item.get<std::string>());
    }
    return out;
}

Sample parse_record(std::string_view line) {
    json obj;
    try {
        obj = json::parse(line);
    } catch (const json::exception& e) {  // out_of_range too: 1e999 overflows a double
        throw RecordError{std::string("malformed JSON (") + e.what() + ")"};
    }
    if (!obj.is_object()) throw RecordError{"expected a JSON object, got " + json_type_name(obj)};
    Sample s;
    s.id = string_field(obj, "_id");
    s.input = string_field(obj, "input");
    s.context = string_field(obj, "context");
    s.answers = string_list(field(obj, "answers"), "answers");
    const json& length = field(obj, "length");
    if (!length.is_number_integer() || length.get<std::int64_t>() < 0) {
        wrong_type("length", "a non-negative integer", length);
    }
    s.length = length.get<std::int64_t>();
    s.dataset = string_field(obj, "dataset");
    s.language = string_field(obj, "language");
    const json& classes = field(obj, "all_classes");
    if (!classes.is_null()) s.all_classes = string_list(classes, "all_classes");
    return s;
}

}  // namespace

FormatFields format_fields(const Sample& sample) {
    return {{"_id", sample.id},          {"input", sample.input},
            {"context", sample.context}, {"length", std::to_string(sample.length)},
            {"dataset", sample.dataset}, {"language", sample.language}};
}

LongBenchFile load_longbench_jsonl(const std::filesystem::path& path,
                                   const ProblemSink& on_problem) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path.string(), "cannot open file");
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();

    LongBenchFile out;
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        try {
            out.samples.push_back(parse_record(line));
        } catch (const RecordError& e) {
            LoadProblem p{path.string(), line_no, std::string(), e.problem};
            if (on_problem) on_problem(p);
            out.problems.push_back(std::move(p));
        }
    }
    return out;
}

}  // namespace hace::tasks
