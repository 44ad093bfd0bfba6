// LongBench's rouge_score (LongBench/metrics.py): the "rouge-l" F of the `rouge` package 1.0.1
// (pltrdy/rouge, Rouge().get_scores(avg=True), exclusive=True); ALGORITHMS.md §10.7.
#pragma once

#include <string_view>

namespace hace::metrics {

// ROUGE-L F of prediction against reference, UTF-8 in:
//   - each text is split on '.' into sentences; empty pieces are dropped; each sentence is
//     whitespace-normalised (Python split/join) and its words are its single-space split, so a
//     sentence of only whitespace is one empty word ("Paris. " vs "Paris" gives 2/3);
//   - case-sensitive, no punctuation removal;
//   - m, n = numbers of DISTINCT words in reference and prediction;
//   - LCS_union = number of distinct words in the union, over every (reference sentence,
//     prediction sentence) pair, of one LCS read back from the DP table with the package's
//     tie-break (move up when table[i-1][j] > table[i][j-1], else left);
//   - R = LCS_union/m, P = LCS_union/n, F = 2 * ((P*R) / (P + R + 1e-8)), so a perfect match is
//     0.999999995;
//   - 0 when either text has no sentence (empty or only '.'): the package raises, LongBench
//     returns 0.0.
// Known difference: the package reads the LCS back recursively, so a sentence pair longer than
// about 1,000 words in total hits Python's recursion limit and LongBench scores 0; this function
// scores such pairs normally.
double rouge_l(std::string_view prediction, std::string_view reference);

}  // namespace hace::metrics
