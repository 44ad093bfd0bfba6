#include "engine/eval/metrics/cache_efficiency.h"

#include <cmath>
#include <string>

#include "engine/core/error.h"

namespace hace::metrics {

double cache_efficiency_ratio(double score, double retention) {
    if (!std::isfinite(score)) throw InputError("cache efficiency ratio: score is not finite");
    if (!std::isfinite(retention) || retention <= 0.0 || retention > 1.0) {
        throw InputError("cache efficiency ratio: retention must be in (0, 1], got " +
                         std::to_string(retention));
    }
    return score / (100.0 * retention);
}

}  // namespace hace::metrics
