// The needle keyword-recall score of the PyramidKV / KVCache-Factory heat-map scripts
// (ALGORITHMS.md §11.2, the primary NIAH score of §11.3).
#pragma once

#include <string_view>

namespace hace::metrics {

// Fraction of the DISTINCT words of needle.lower().split() that are in the set of words of
// response.lower().split() (Python lower-casing and whitespace splitting; punctuation stays
// attached, so "day." must appear as "day."). In 0..1. An empty or all-whitespace needle scores
// 0 (the scripts would divide by zero).
double keyword_recall(std::string_view response, std::string_view needle);

}  // namespace hace::metrics
