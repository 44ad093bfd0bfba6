#include "engine/tokenizer/tokenizer.h"

#include <system_error>

#include "engine/core/error.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"

namespace hace::tokenizer {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_bpe_not_supported(const fs::path& path) {
    throw_input(path.string(),
                "byte-level BPE tokenizers (tokenizer.json / vocab.json+merges.txt) are not "
                "supported yet");
}

bool is_bpe_file(const fs::path& file) {
    const auto name = file.filename();
    return name == "tokenizer.json" || name == "vocab.json" || name == "merges.txt";
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const fs::path& dir_or_file) {
    std::error_code ec;
    const auto status = fs::status(dir_or_file, ec);
    if (!fs::exists(status)) throw_input(dir_or_file.string(), "no such file or directory");

    if (fs::is_directory(status)) {
        // tokenizer.model wins when a folder also carries a converted tokenizer.json (Mistral).
        const fs::path spm = dir_or_file / "tokenizer.model";
        if (fs::exists(spm, ec)) return std::make_unique<SentencePieceTokenizer>(spm);
        for (const char* name : {"tokenizer.json", "vocab.json", "merges.txt"}) {
            if (fs::exists(dir_or_file / name, ec)) throw_bpe_not_supported(dir_or_file);
        }
        throw_input(dir_or_file.string(),
                    "no tokenizer found (expected tokenizer.model, tokenizer.json or "
                    "vocab.json+merges.txt)");
    }

    if (dir_or_file.extension() == ".model") {
        return std::make_unique<SentencePieceTokenizer>(dir_or_file);
    }
    if (is_bpe_file(dir_or_file)) throw_bpe_not_supported(dir_or_file);
    throw_input(dir_or_file.string(),
                "unrecognised tokenizer file (expected a sentencepiece .model file or a model "
                "folder)");
}

}  // namespace hace::tokenizer
