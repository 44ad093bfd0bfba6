// From per-sample scores to the numbers reported per dataset.
#pragma once

#include <span>

namespace hace::metrics {

// Python 3's round(x, ndigits) for 0 <= ndigits <= 15: the double nearest to x rounded to ndigits
// decimals, judged on x's exact binary value with exact ties going to the even digit
// (round(0.125, 2) == 0.12, round(0.375, 2) == 0.38, round(2.675, 2) == 2.67 because 2.675 is
// stored as 2.67499999...). Non-finite x comes back unchanged. Throws InputError for ndigits
// outside 0..15.
double python_round(double x, int ndigits);

// LongBench eval.py scorer(): total = sum of the sample scores in order (starting from 0.0),
// result = round(100 * total / n, 2) with Python's round, i.e. a percentage with 2 decimals.
// Throws InputError on no samples.
double longbench_dataset_score(std::span<const double> sample_scores);

// Fraction of samples whose score is >= threshold (default 1: fully correct, e.g. exact match or
// a needle found with all its words). In 0..1. Throws InputError on no samples.
double accuracy(std::span<const double> sample_scores, double threshold = 1.0);

}  // namespace hace::metrics
