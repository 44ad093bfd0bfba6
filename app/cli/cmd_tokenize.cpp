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

int run_tokenize(const Args& args) {
    const auto tok = tokenizer::load_tokenizer(args.require("tokenizer"));
    const std::string source = args.one_of({"text", "file"});
    const std::string text =
        source == "text" ? args.require("text") : read_text_file(args.require("file"));
    const auto ids = tok->encode(text, /*add_bos=*/!args.has("no-special"));
    nlohmann::json pieces = nlohmann::json::array();
    for (auto id : ids) pieces.push_back(tok->piece(id));
    if (args.has("json")) {
        print_json({{"ids", ids},
                    {"tokens", pieces},
                    {"count", ids.size()},
                    {"decoded", tok->decode(ids, true)}});
    } else {
        for (std::size_t i = 0; i < ids.size(); ++i) {
            std::printf(i ? " %d" : "%d", static_cast<int>(ids[i]));
        }
        std::printf("\n");
    }
    return 0;
}

}  // namespace

Command tokenize_command() {
    return {"tokenize", "--tokenizer DIR (--text T | --file F) [--no-special] [--json]",
            "encode text with a tokenizer (a model folder or a tokenizer file)",
            {{"tokenizer", true, "model folder or tokenizer file"},
             {"text", true, "text to encode"},
             {"file", true, "file whose whole content is encoded"},
             {"no-special", false, "do not add BOS"},
             {"json", false, "print JSON (ids, tokens)"}},
            &run_tokenize};
}

}  // namespace hace::cli
