// Head Specialization Score (HSS): how unevenly one layer spreads a non-negative per-head
// quantity (kept KV entries per head, or head importance scores) over its H heads.
#pragma once

#include <span>
#include <vector>

namespace hace::metrics {

struct HeadSpecialization {
    // 1 - H(p) / log(H), with p = values / sum(values) and the Shannon entropy
    // H(p) = -sum p_i log p_i (0 log 0 = 0). 0 for a uniform layer, 1 when a single head holds
    // everything; 0 when H == 1 or all values are 0.
    double entropy_score = 0.0;
    // Gini coefficient sum_i sum_j |x_i - x_j| / (2 H^2 mean(x)), computed as
    // sum_k (2k - H - 1) x_(k) / (H sum(x)) over the values sorted ascending (k = 1..H).
    // 0 for a uniform layer, (H-1)/H when a single head holds everything; 0 when all are 0.
    double gini = 0.0;
};

// Throws InputError on an empty vector or a negative or non-finite value.
HeadSpecialization head_specialization(std::span<const double> per_head);

struct ModelSpecialization {
    std::vector<HeadSpecialization> layers;
    double mean_entropy_score = 0.0;  // unweighted mean over layers
    double mean_gini = 0.0;
};

// Per-layer scores and their means; per_layer[l] holds layer l's per-head values (layers may
// have different head counts). Throws InputError when there is no layer or a layer is invalid
// (the message names the layer).
ModelSpecialization model_specialization(const std::vector<std::vector<double>>& per_layer);

}  // namespace hace::metrics
