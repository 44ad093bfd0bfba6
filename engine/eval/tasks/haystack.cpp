#include "engine/eval/tasks/haystack.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "engine/core/error.h"
#include "engine/eval/tasks/segment_encoding.h"
#include "engine/eval/tasks/utf8_text.h"

namespace hace::tasks {
namespace fs = std::filesystem;
using tokenizer::TokenId;

namespace {

constexpr std::size_t kSlackTokens = 64;

// Python's universal newlines: "\r\n" and "\r" become "\n".
std::string universal_newlines(const std::string& raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '\r') {
            out.push_back(raw[i]);
            continue;
        }
        out.push_back('\n');
        if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
    }
    return out;
}

}  // namespace

std::string read_haystack_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw_input(file.string(), "cannot open file");
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string raw = buf.str();
    if (const std::size_t bad = utf8_first_invalid(raw); bad != raw.size()) {
        throw_input(file.string(), "not valid UTF-8 at byte " + std::to_string(bad));
    }
    return universal_newlines(raw);
}

namespace {

// Where to cut text (a prefix of the repeated haystack) near want: right before the last space
// or line break in [want/2, want], else at the character boundary at or before want.
std::size_t cut_point(std::string_view text, std::size_t want) {
    if (want >= text.size()) return text.size();
    const std::size_t space = text.substr(0, want + 1).find_last_of(" \n");
    if (space != std::string_view::npos && space >= want / 2 && space > 0) return space;
    return utf8_boundary_at_or_before(text, want);
}

// Whether the decoded tail of ids ends inside a character: a byte-fallback run cut short
// decodes to U+FFFD.
bool ends_inside_character(const tokenizer::Tokenizer& tok, const std::vector<TokenId>& ids) {
    const std::size_t from = ids.size() > 4 ? ids.size() - 4 : 0;
    const std::string tail = tok.decode(
        std::vector<TokenId>(ids.begin() + static_cast<std::ptrdiff_t>(from), ids.end()), true);
    return tail.size() >= kReplacementChar.size() &&
           tail.compare(tail.size() - kReplacementChar.size(), kReplacementChar.size(),
                        kReplacementChar) == 0;
}

}  // namespace

Haystack Haystack::from_folder(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw_input(dir.string(), "not a folder");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.front() == '.' || entry.path().extension() != ".txt") continue;
        if (entry.is_regular_file(ec)) files.push_back(entry.path());
    }
    if (ec) throw_input(dir.string(), "cannot list folder: " + ec.message());
    if (files.empty()) throw_input(dir.string(), "no .txt files in the haystack folder");
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
        return a.filename().string() < b.filename().string();
    });
    std::string text;
    std::vector<std::string> names;
    for (const auto& f : files) {
        text += read_haystack_file(f);
        names.push_back(f.filename().string());
    }
    if (text.empty()) throw_input(dir.string(), "the haystack .txt files are all empty");
    return Haystack(std::move(text), std::move(names));
}

Haystack::Haystack(std::string text, std::vector<std::string> files)
    : text_(std::move(text)), files_(std::move(files)) {
    if (text_.empty()) throw InputError("haystack: the text is empty");
    if (const std::size_t bad = utf8_first_invalid(text_); bad != text_.size()) {
        throw InputError("haystack: not valid UTF-8 at byte " + std::to_string(bad));
    }
}

std::vector<TokenId> Haystack::leading_ids(const tokenizer::Tokenizer& tok, std::size_t n,
                                           std::string_view lead) const {
    if (n == 0) return {};
    std::size_t want = lead.size() + 4 * (n + kSlackTokens) + 256;  // bytes; grows below
    for (;;) {
        std::string prefix(lead);
        while (prefix.size() < want + 1) {
            prefix.append(text_, 0, std::min(text_.size(), want + 1 - prefix.size()));
        }
        const std::size_t cut = cut_point(prefix, want);
        std::vector<TokenId> ids = encode_segment(tok, std::string_view(prefix).substr(0, cut));
        if (ids.size() >= n + kSlackTokens) {
            ids.resize(n);
            for (int i = 0; i < 3 && !ids.empty() && ends_inside_character(tok, ids); ++i) {
                ids.pop_back();
            }
            return ids;
        }
        want *= 2;
    }
}

}  // namespace hace::tasks
