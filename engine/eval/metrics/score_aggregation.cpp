#include "engine/eval/metrics/score_aggregation.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "engine/core/error.h"

namespace hace::metrics {

double python_round(double x, int ndigits) {
    if (ndigits < 0 || ndigits > 15) {
        throw InputError("round: ndigits must be in 0..15, got " + std::to_string(ndigits));
    }
    if (!std::isfinite(x)) return x;
    // std::to_chars in fixed notation is correctly rounded from the exact binary value with
    // exact ties to even, which is what CPython's round does (via _Py_dg_dtoa mode 3) before it
    // parses the digits back.
    std::array<char, 400> buf{};
    const auto printed =
        std::to_chars(buf.data(), buf.data() + buf.size(), x, std::chars_format::fixed, ndigits);
    if (printed.ec != std::errc()) throw InputError("round: value out of range");
    double rounded = 0.0;
    std::from_chars(buf.data(), printed.ptr, rounded);
    return rounded;
}

double longbench_dataset_score(std::span<const double> sample_scores) {
    if (sample_scores.empty()) throw InputError("dataset score: no samples");
    double total = 0.0;
    for (const double s : sample_scores) total += s;
    return python_round(100 * total / static_cast<double>(sample_scores.size()), 2);
}

double accuracy(std::span<const double> sample_scores, double threshold) {
    if (sample_scores.empty()) throw InputError("accuracy: no samples");
    std::size_t hits = 0;
    for (const double s : sample_scores) hits += s >= threshold ? 1 : 0;
    return static_cast<double>(hits) / static_cast<double>(sample_scores.size());
}

}  // namespace hace::metrics
