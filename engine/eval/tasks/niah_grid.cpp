#include "engine/eval/tasks/niah_grid.h"

#include <algorithm>
#include <cfenv>
#include <cmath>

#include "engine/core/error.h"

namespace hace::tasks {
namespace {

// numpy rounds half to even; nearbyint does too under the default rounding mode.
std::int64_t round_half_even(double x) {
    const int saved = std::fegetround();
    std::fesetround(FE_TONEAREST);
    const double r = std::nearbyint(x);
    std::fesetround(saved);
    return static_cast<std::int64_t>(r);
}

}  // namespace

std::vector<std::int64_t> linspace_rounded(double start, double stop, int num) {
    if (num < 0) throw InputError("linspace: num must be non-negative, got " + std::to_string(num));
    std::vector<std::int64_t> out;
    if (num == 0) return out;
    if (num == 1) return {round_half_even(start)};
    const double step = (stop - start) / static_cast<double>(num - 1);
    for (int i = 0; i < num - 1; ++i) {
        out.push_back(round_half_even(static_cast<double>(i) * step + start));
    }
    out.push_back(round_half_even(stop));
    return out;
}

std::vector<std::int64_t> arange_inclusive(std::int64_t start, std::int64_t stop,
                                           std::int64_t step) {
    if (step <= 0) throw InputError("arange: step must be positive, got " + std::to_string(step));
    std::vector<std::int64_t> out;
    for (std::int64_t v = start; v <= stop; v += step) out.push_back(v);
    return out;
}

std::vector<std::int64_t> pyramidkv_depths() {
    return linspace_rounded(0, 100, 10);
}

std::vector<std::int64_t> original_niah_lengths() {
    return linspace_rounded(1000, 16000, 35);
}

std::vector<std::int64_t> original_niah_depths() {
    return linspace_rounded(0, 100, 35);
}

std::vector<std::int64_t> hace_niah_lengths(std::int64_t max_positions, std::int64_t buffer) {
    const std::int64_t limit = max_positions - buffer;
    if (limit <= 0) {
        throw InputError("NIAH lengths: max_positions " + std::to_string(max_positions) +
                         " leaves no room after the " + std::to_string(buffer) + "-token buffer");
    }
    std::vector<std::int64_t> out;
    for (std::int64_t k : {4, 8, 16, 32, 64, 128}) {
        const std::int64_t len = std::min(k * 1024, limit);
        if (out.empty() || out.back() != len) out.push_back(len);
    }
    return out;
}

}  // namespace hace::tasks
