#include "engine/eval/tasks/minilongbench_import.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "engine/core/error.h"

namespace hace::tasks {
namespace {
using nlohmann::ordered_json;

struct EntryError {
    std::string problem;
};

// Bytes of the next character if it is whitespace for Python's str.split(), else 0: ASCII
// \t \n \v \f \r, \x1c-\x1f and space, and the Unicode White_Space / bidi separator code points
// U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
std::size_t python_space_at(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) {
        return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
    };
    const unsigned c0 = b(0);
    if (c0 == ' ' || (c0 >= 0x09 && c0 <= 0x0D) || (c0 >= 0x1C && c0 <= 0x1F)) return 1;
    if (c0 == 0xC2 && (b(1) == 0x85 || b(1) == 0xA0)) return 2;
    if (c0 == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
    if (c0 == 0xE2 && b(1) == 0x80) {
        const unsigned c2 = b(2);
        if (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF) return 3;  // U+2000-200A, ...
    }
    if (c0 == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
    if (c0 == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
    return 0;
}

std::int64_t words_in(std::string_view text) {
    std::int64_t n = 0;
    bool in_word = false;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t space = python_space_at(text, i);
        if (space == 0 && !in_word) ++n;
        in_word = space == 0;
        i += space == 0 ? 1 : space;
    }
    return n;
}

// The dataset a file name promises ("MiniLongBench_qasper.json" -> "qasper"), or "".
std::string dataset_of_file(const std::filesystem::path& path) {
    const std::string stem = path.stem().string();
    for (const auto& layout : opencompass_layouts()) {
        if (stem.ends_with("_" + layout.dataset)) return layout.dataset;
    }
    return {};
}

Sample parse_entry(const ordered_json& entry, const std::string& expected_dataset) {
    if (!entry.is_object())
        throw EntryError{"expected an object, got " + std::string(entry.type_name())};
    const auto prompt_it = entry.find("origin_prompt");
    if (prompt_it == entry.end() || !prompt_it->is_string()) {
        throw EntryError{"missing string field \"origin_prompt\""};
    }
    const auto gold_it = entry.find("gold");
    if (gold_it == entry.end() || !gold_it->is_array()) {
        throw EntryError{"missing field \"gold\" (an array of strings)"};
    }
    const std::string prompt = prompt_it->get<std::string>();
    for (const OpenCompassLayout& layout : opencompass_layouts()) {
        if (!prompt.starts_with(layout.prefix) || !prompt.ends_with(layout.suffix)) continue;
        const std::string_view body(prompt.data() + layout.prefix.size(),
                                    prompt.size() - layout.prefix.size() - layout.suffix.size());
        // The question is short and follows the context, so its start is the last middle.
        const std::size_t mid = body.rfind(layout.middle);
        if (mid == std::string_view::npos) continue;
        if (!expected_dataset.empty() && layout.dataset != expected_dataset) {
            throw EntryError{"prompt has the " + layout.dataset +
                             " layout but the file name says " + expected_dataset};
        }
        Sample s;
        s.context = std::string(body.substr(0, mid));
        s.input = std::string(body.substr(mid + layout.middle.size()));
        for (const auto& g : *gold_it) {
            if (!g.is_string()) throw EntryError{"field \"gold\": expected strings only"};
            s.answers.push_back(g.get<std::string>());
        }
        s.dataset = layout.dataset;
        s.language = "en";
        s.length = count_words(s);
        return s;
    }
    throw EntryError{"origin_prompt matches no known OpenCompass LongBench layout"};
}

}  // namespace

const std::vector<OpenCompassLayout>& opencompass_layouts() {
    static const std::vector<OpenCompassLayout> layouts = {
        {"narrativeqa",
         "You are given a story, which can be either a novel or a movie script, and a question. "
         "Answer the question as concisely as you can, using a single phrase if possible. Do not "
         "provide any explanation.\n\nStory: ",
         "\n\nNow, answer the question based on the story as concisely as you can, using a "
         "single phrase if possible. Do not provide any explanation.\n\nQuestion: ",
         "\n\nAnswer:"},
        {"qasper",
         "Answer the question based on the given passages. Only give me the answer and do not "
         "output any other words.\n\nThe following are given passages.\n",
         "\n\nAnswer the question based on the given passages. Only give me the answer and do "
         "not output any other words.\n\nQuestion: ",
         "\nAnswer:"},
        {"multifieldqa_en", "Read the following text and answer briefly.\n\n",
         "\n\nNow, answer the following question based on the above text, only give me the "
         "answer and do not output any other words.\n\nQuestion: ",
         "\nAnswer:"},
    };
    return layouts;
}

std::int64_t count_words(const Sample& sample) {
    std::int64_t n = words_in(sample.input) + words_in(sample.context);
    for (const auto& a : sample.answers) n += words_in(a);
    return n;
}

MiniLongBenchFile import_minilongbench(const std::filesystem::path& path,
                                       const ProblemSink& on_problem) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path.string(), "cannot open file");
    std::stringstream buf;
    buf << in.rdbuf();
    ordered_json root;
    try {
        root = ordered_json::parse(buf.str());
    } catch (const ordered_json::exception& e) {  // out_of_range too: 1e999 overflows a double
        throw_input(path.string(), std::string("malformed JSON (") + e.what() + ")");
    }
    if (!root.is_object()) {
        throw_mismatch(path.string(), "(root)", "an object of entries", root.type_name());
    }
    const std::string expected = dataset_of_file(path);
    const std::string stem = path.stem().string();
    MiniLongBenchFile out;
    for (const auto& [key, entry] : root.items()) {
        try {
            Sample s = parse_entry(entry, expected);
            s.id = stem + "/" + key;
            out.samples.push_back(std::move(s));
        } catch (const EntryError& e) {
            LoadProblem p{path.string(), 0, "entry \"" + key + "\"", e.problem};
            if (on_problem) on_problem(p);
            out.problems.push_back(std::move(p));
        }
    }
    return out;
}

}  // namespace hace::tasks
