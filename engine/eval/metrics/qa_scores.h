// Answer scorers for one (prediction, reference) pair: LongBench qa_f1 (narrativeqa, qasper,
// multifieldqa_en; ALGORITHMS.md §10.7), a jieba-free reading of qa_f1_zh, and exact match.
// All take UTF-8 text. A sample's score is the maximum over its references (see scorer.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hace::metrics {

// LongBench f1_score on token lists: common = size of the multiset intersection; 0 when common is
// 0 (so two empty lists score 0); else P = common/|prediction|, R = common/|reference|,
// F1 = 2PR/(P+R), evaluated in LongBench's order.
double token_f1(const std::vector<std::string>& prediction,
                const std::vector<std::string>& reference);

// LongBench qa_f1_score: token_f1 of the tokens of normalize_answer (answer_normalization.h).
// A reference that normalises to nothing scores 0, even against itself ("the" vs "the").
double qa_f1(std::string_view prediction, std::string_view reference);

// LongBench qa_f1_zh_score with jieba replaced by zh_answer_tokens (answer_normalization.h):
// character-level F1 on Chinese, whole tokens for ASCII words and numbers. It equals LongBench
// whenever jieba would cut the text into single characters and such runs; for Chinese words of
// several characters it gives partial credit where jieba's word-level F1 gives none or a
// different fraction.
double qa_f1_zh(std::string_view prediction, std::string_view reference);

// SQuAD-style exact match: 1 when normalize_answer(prediction) == normalize_answer(reference),
// else 0. Unlike qa_f1, two answers that both normalise to nothing ("the", "the") match.
double exact_match(std::string_view prediction, std::string_view reference);

}  // namespace hace::metrics
