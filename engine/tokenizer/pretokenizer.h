// Pre-tokenizers of the byte-level BPE tokenizers: the split regexes of GPT-2 and of cl100k/Qwen,
// written out as scanners over code points. std::regex has no \p{L}/\p{N}, and pulling in a
// Unicode regex engine for two fixed patterns is not worth it.
//
// The scanners reproduce what a backtracking regex engine (Python regex, Oniguruma, fancy-regex)
// finds with find-all: at each position the first alternative that matches wins, each with its
// own greedy/backtracking behaviour, and consecutive matches cover the whole text. Letters are
// general category L*, numbers N*, whitespace the White_Space property (unicode_tables.h). Bytes
// that are not valid UTF-8 count as "other" (neither letter, number nor whitespace).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace hace::tokenizer {

enum class SplitPattern : std::uint8_t {
    // GPT-2, OPT, RoBERTa, byte-level tokenizer.json without a Split:
    //   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    gpt2,
    // Qwen (v1 tiktoken, Qwen2, Qwen2.5, Qwen3): cl100k with one digit per piece:
    //   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|
    //   ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
    qwen2,
    // cl100k_base / Llama 3: as qwen2 but digits in groups of up to three (\p{N}{1,3}).
    cl100k,
};

// The pattern spelled exactly as tokenizer.json / tiktoken write it, or nullopt when the regex
// is none of the supported ones.
std::optional<SplitPattern> split_pattern_from_regex(std::string_view regex);
std::string_view split_pattern_regex(SplitPattern pattern);
std::string_view split_pattern_name(SplitPattern pattern);

// Appends the pieces of text to out (views into text, in order, covering all of it).
void pre_tokenize(std::string_view text, SplitPattern pattern, std::vector<std::string_view>& out);

inline std::vector<std::string_view> pre_tokenize(std::string_view text, SplitPattern pattern) {
    std::vector<std::string_view> out;
    pre_tokenize(text, pattern, out);
    return out;
}

}  // namespace hace::tokenizer
