// The NIAH haystack: the .txt files of a folder, in sorted file-name order, concatenated
// (ALGORITHMS.md 11.1/11.2; KVF reads sorted(glob("*.txt"))), repeated as often as needed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer.h"

namespace hace::tasks {

// One haystack file as Python's open(f).read() gives it: UTF-8 (InputError naming the file and
// byte offset when not), with CRLF and lone CR turned into LF.
std::string read_haystack_file(const std::filesystem::path& file);

class Haystack {
public:
    // The files matching "*.txt" (as glob does: hidden files skipped), sorted by name, read as
    // Python's open(f).read() does: UTF-8 (InputError naming the file and byte offset when not),
    // CRLF and lone CR turned into LF. InputError when the folder has no such file or the text
    // is empty.
    static Haystack from_folder(const std::filesystem::path& dir);

    // A haystack from text already at hand (must be non-empty valid UTF-8).
    explicit Haystack(std::string text, std::vector<std::string> files = {});

    const std::string& text() const { return text_; }
    const std::vector<std::string>& files() const { return files_; }  // names, in order

    // The first n ids of encode_segment(lead + text + text + ...), encoding only a prefix: the
    // repeated text is cut at a space or line break (else at a character boundary) far enough
    // past the n-th token that at least 64 more ids follow, so the n ids are those of the
    // whole text for tokenizers whose tokens do not reach across 64 tokens (all here do).
    // The result is then shortened by up to 3 ids so that it never ends inside a UTF-8
    // character (byte-fallback pieces): decoding it gives no trailing U+FFFD.
    std::vector<tokenizer::TokenId> leading_ids(const tokenizer::Tokenizer& tok, std::size_t n,
                                                std::string_view lead = {}) const;

private:
    std::string text_;
    std::vector<std::string> files_;
};

}  // namespace hace::tasks
