// hace tokenize: encode text with a model folder's tokenizer.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/cli/command.h"
#include "app/cli/json_out.h"
#include "engine/core/error.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::cli {
namespace {

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open file");
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

enum class Output { Ids, Json, JsonLine };

// One encoding: plain ids on one line, an indented JSON object, or that object on one line.
void print_encoding(const tokenizer::Tokenizer& tok, const std::string& text, bool bos,
                    Output out) {
    const auto ids = tok.encode(text, bos);
    if (out != Output::Ids) {
        nlohmann::json pieces = nlohmann::json::array();
        for (auto id : ids) pieces.push_back(tok.piece(id));
        const nlohmann::json j = {{"ids", ids},
                                  {"tokens", pieces},
                                  {"count", ids.size()},
                                  {"decoded", tok.decode(ids, true)}};
        if (out == Output::Json) {
            print_json(j);
        } else {
            const std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            std::fwrite(s.data(), 1, s.size(), stdout);
            std::fputc('\n', stdout);
        }
        return;
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        std::printf(i ? " %d" : "%d", static_cast<int>(ids[i]));
    }
    std::printf("\n");
}

// --jsonl: every non-blank line is a JSON string or an object with a string "text"; each
// gets its own output line, in order, so that a dataset is tokenized by one process.
std::string jsonl_text(const std::string& line, const std::string& where) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(where + ": not valid JSON (" + e.what() + ")");
    }
    if (j.is_string()) return j.get<std::string>();
    if (j.is_object()) {
        const auto it = j.find("text");
        if (it == j.end()) throw InputError(where + ": the object has no \"text\" field");
        if (!it->is_string()) throw InputError(where + ": \"text\" is not a string");
        return it->get<std::string>();
    }
    throw InputError(where + ": expected a JSON string or an object with a \"text\" string");
}

int run_tokenize(const Args& args) {
    const auto tok = tokenizer::load_tokenizer(args.require("tokenizer"));
    const bool bos = !args.has("no-special");
    const bool json = args.has("json");
    const std::string source = args.one_of({"text", "file", "jsonl"});
    if (source != "jsonl") {
        const std::string text =
            source == "text" ? args.require("text") : read_text_file(args.require("file"));
        print_encoding(*tok, text, bos, json ? Output::Json : Output::Ids);
        return 0;
    }
    const std::string path = args.require("jsonl");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open file");
    std::string line;
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        print_encoding(*tok, jsonl_text(line, path + ":" + std::to_string(number)), bos,
                       json ? Output::JsonLine : Output::Ids);
    }
    return 0;
}

}  // namespace

Command tokenize_command() {
    return {"tokenize",
            "--tokenizer DIR (--text T | --file F | --jsonl F) [--no-special] [--json]",
            "encode text with a tokenizer (a model folder or a tokenizer file)",
            {{"tokenizer", true, "model folder or tokenizer file"},
             {"text", true, "text to encode"},
             {"file", true, "file whose whole content is encoded"},
             {"jsonl", true,
              "one text per line (a JSON string or {\"text\": ...}); one output line each"},
             {"no-special", false, "do not add BOS"},
             {"json", false, "print JSON (ids, tokens)"}},
            &run_tokenize};
}

}  // namespace hace::cli
