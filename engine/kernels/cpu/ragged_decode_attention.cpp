#include "engine/kernels/ragged_decode_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace hace::kernels {

void ragged_decode_attention_cpu(const RaggedDecodeArgs& a) {
    const std::int64_t d = a.head_dim;
    std::int64_t max_len = 0;
    for (std::int64_t g = 0; g < a.n_kv_heads; ++g) max_len = std::max(max_len, a.lengths[g]);
    std::vector<float> logits(static_cast<std::size_t>(max_len));
    std::vector<double> acc(static_cast<std::size_t>(d));
    for (std::int64_t g = 0; g < a.n_kv_heads; ++g) {
        const std::int64_t len = a.lengths[g];
        const float* kg = a.k + a.offsets[g] * d;
        const float* vg = a.v + a.offsets[g] * d;
        for (std::int64_t i = 0; i < a.group; ++i) {
            const std::int64_t h = g * a.group + i;
            const float* qh = a.q + h * d;
            float mx = -std::numeric_limits<float>::infinity();
            for (std::int64_t j = 0; j < len; ++j) {
                const float* kj = kg + j * d;
                float dot = 0.0f;
                for (std::int64_t c = 0; c < d; ++c) dot += qh[c] * kj[c];
                logits[static_cast<std::size_t>(j)] = dot * a.scale;
                mx = std::max(mx, logits[static_cast<std::size_t>(j)]);
            }
            double sum = 0.0;
            for (std::int64_t j = 0; j < len; ++j) {
                const float e = std::exp(logits[static_cast<std::size_t>(j)] - mx);
                logits[static_cast<std::size_t>(j)] = e;
                sum += e;
            }
            const float inv = static_cast<float>(1.0 / sum);
            std::fill(acc.begin(), acc.end(), 0.0);
            for (std::int64_t j = 0; j < len; ++j) {
                const float p = logits[static_cast<std::size_t>(j)] * inv;
                if (a.probs) a.probs[h * a.probs_stride + j] = p;
                const float* vj = vg + j * d;
                for (std::int64_t c = 0; c < d; ++c) acc[static_cast<std::size_t>(c)] += p * vj[c];
            }
            float* oh = a.out + h * d;
            for (std::int64_t c = 0; c < d; ++c) oh[c] = static_cast<float>(acc[static_cast<std::size_t>(c)]);
        }
    }
}

}  // namespace hace::kernels
