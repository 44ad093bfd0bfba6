// LongBench's answer normalisation (LongBench/metrics.py normalize_answer, normalize_zh_answer)
// and the token lists its F1 scorers compare (ALGORITHMS.md §10.7).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hace::metrics {

// normalize_answer: Python str.lower() -> delete every character of string.punctuation (ASCII
// only: curly quotes, em dash, '¿' stay) -> each whole word "a", "an", "the" (regex
// \b(a|an|the)\b, Unicode word characters; it runs after punctuation removal, so "A-team" becomes
// "ateam") becomes a space -> split on Python whitespace and join with single spaces. UTF-8 in/out.
std::string normalize_answer(std::string_view text);
// The whitespace-split tokens of normalize_answer(text): what qa_f1 compares.
std::vector<std::string> answer_tokens(std::string_view text);

// normalize_zh_answer: lower-case, delete string.punctuation and LongBench's list of Chinese
// punctuation (which has "》" but not "《"), delete all whitespace.
std::string normalize_zh_answer(std::string_view text);

// The tokens qa_f1_zh compares. LongBench segments with jieba (dictionary + HMM), which is not
// reproduced here; instead, after Python lower-casing:
//   - a run of ASCII letters and digits, optionally followed by '.' and digits and then by '%',
//     is one token (jieba's rule for non-Chinese runs: [a-zA-Z0-9]+(?:\.\d+)?%?);
//   - whitespace separates tokens and is dropped;
//   - every other character (each Chinese character included) is a token of its own;
// then each token goes through normalize_zh_answer and empty results are dropped. So Chinese
// text is compared character by character, while numbers and Latin words stay whole.
std::vector<std::string> zh_answer_tokens(std::string_view text);

}  // namespace hace::metrics
