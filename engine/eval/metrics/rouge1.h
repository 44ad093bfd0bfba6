// ROUGE-1 of the rouge_score package (Google's, PyPI rouge-score 0.1.2):
// RougeScorer(["rouge1"], use_stemmer=...).score(reference, prediction)["rouge1"].fmeasure, the
// needle-in-a-haystack score of the PyramidKV / HeadKV scripts (ALGORITHMS.md §11.2).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hace::metrics {

// rouge_score's tokenizer: Python str.lower(); every character outside [a-z0-9] separates tokens
// (so "café" gives "caf" and text without ASCII letters or digits gives no token); with stem,
// tokens longer than 3 characters go through porter_stem (NLTK 3.8).
std::vector<std::string> rouge_tokens(std::string_view text, bool stem);

// Unigram-count F: overlap = sum over reference tokens of min(count in reference, count in
// prediction); P = overlap / max(|prediction|, 1), R = overlap / max(|reference|, 1);
// F = 2PR/(P+R), 0 when P+R is 0 (so 0 whenever either side has no token).
double rouge1_f(std::string_view prediction, std::string_view reference, bool stem = true);

// The NIAH trial score of the KVCache-Factory / HeadKV scripts: 10 x rouge1_f with stemming
// between the response and the needle, on a 0..10 scale.
double niah_rouge1_score(std::string_view response, std::string_view needle);

}  // namespace hace::metrics
