// Character tables behind python_text.h, generated from Python 3.11 (Unicode 14.0.0) by
// gen_python_unicode_tables.py. Sorted, disjoint ranges.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hace::metrics::detail {

struct CodeRange {
    char32_t first;
    char32_t last;
};

// Code points first, first + stride, ..., last all lower-case to cp + delta.
struct LowerRun {
    char32_t first;
    char32_t last;
    std::int32_t stride;
    std::int32_t delta;
};

extern const LowerRun kLowerRuns[];
extern const std::size_t kLowerRunsSize;
extern const CodeRange kAlnumRanges[];  // str.isalnum(): the word characters of re's \b, less '_'
extern const std::size_t kAlnumRangesSize;
extern const CodeRange kSpaceRanges[];  // str.isspace(): what str.split() splits on
extern const std::size_t kSpaceRangesSize;
// How a character takes part in str.lower()'s Final_Sigma test: cased (and not case-ignorable),
// or case-ignorable (skipped over, whether cased or not).
extern const CodeRange kCasedRanges[];
extern const std::size_t kCasedRangesSize;
extern const CodeRange kCaseIgnorableRanges[];
extern const std::size_t kCaseIgnorableRangesSize;

}  // namespace hace::metrics::detail
