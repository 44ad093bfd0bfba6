#include "engine/kernels/decode_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <omp.h>

#include "engine/kernels/spin_team.h"

namespace hace::kernels {
namespace {

// Below this many K and V bytes in a call, attention stays on the calling thread (as for the
// GEMV: kParallelBytes in decode_ops.cpp). A compressed cache's layer at 5 % retention holds
// ~150 KB, which ran serially under the former 256 KiB threshold.
constexpr std::int64_t kParallelAttentionBytes = 64 << 10;

std::int64_t element_bytes(WeightType t) {
    return t == WeightType::F32 ? 4 : 2;
}

// Query head i of segment s: scores over the segment's rows, softmax, probabilities x values.
void attend_query(const AttentionSegment& s, std::int64_t i) {
    const std::int64_t len = s.rows, d = s.head_dim;
    // Grows to the longest segment once and is reused, so decode steps do not allocate.
    thread_local std::vector<float> scores;
    if (static_cast<std::int64_t>(scores.size()) < len) {
        scores.resize(static_cast<std::size_t>(
            std::max({len, static_cast<std::int64_t>(2 * scores.size()), std::int64_t{4096}})));
    }
    GemvArgs qk;
    qk.x = s.q + i * d;
    qk.k = d;
    qk.w = s.k;
    qk.wtype = s.kv_type;
    qk.n = len;
    qk.y = scores.data();
    qk.parallel = false;
    gemv_rows(qk);
    softmax_scaled(scores.data(), len, s.scale);
    if (s.probs) std::copy_n(scores.data(), len, s.probs + i * s.probs_stride);
    GemvArgs pv;
    pv.x = scores.data();
    pv.n = len;
    pv.k = d;
    pv.w = s.v;
    pv.wtype = s.kv_type;
    pv.y = s.out + i * d;
    pv.parallel = false;
    gemv_t_rows(pv);
}

}  // namespace

void decode_attention_segments(std::span<const AttentionSegment> segments) {
    // The (segment, query head) pairs, numbered once per call; the list grows once and is reused.
    thread_local std::vector<std::pair<std::int32_t, std::int32_t>> work;
    work.clear();
    std::int64_t bytes = 0;
    for (std::size_t s = 0; s < segments.size(); ++s) {
        const AttentionSegment& seg = segments[s];
        bytes += 2 * seg.rows * seg.head_dim * element_bytes(seg.kv_type);
        for (std::int64_t i = 0; i < seg.group; ++i) {
            work.emplace_back(static_cast<std::int32_t>(s), static_cast<std::int32_t>(i));
        }
    }
    const auto n = static_cast<std::int64_t>(work.size());
    // One (segment, head) pair per chunk, handed out dynamically: segments are ragged.
    if (bytes >= kParallelAttentionBytes && !omp_in_parallel() && omp_get_max_threads() > 1) {
        const auto* w = work.data();
        team_parallel_for(omp_get_max_threads(), n, 1, [&](std::int64_t t0, std::int64_t t1) {
            for (std::int64_t t = t0; t < t1; ++t) {
                attend_query(segments[static_cast<std::size_t>(w[t].first)], w[t].second);
            }
        });
    } else {
        for (std::int64_t t = 0; t < n; ++t) {
            const auto& [s, i] = work[static_cast<std::size_t>(t)];
            attend_query(segments[static_cast<std::size_t>(s)], i);
        }
    }
}

void decode_attention_segments_reference(std::span<const AttentionSegment> segments) {
    auto at = [](const AttentionSegment& s, const void* base, std::int64_t j, std::int64_t c,
                 std::int64_t d) -> double {
        if (s.kv_type == WeightType::F32) return static_cast<const float*>(base)[j * d + c];
        return bf16_to_f32(static_cast<const std::uint16_t*>(base)[j * d + c]);
    };
    for (const AttentionSegment& s : segments) {
        const std::int64_t d = s.head_dim;
        for (std::int64_t i = 0; i < s.group; ++i) {
            std::vector<double> p(static_cast<std::size_t>(s.rows));
            double mx = -std::numeric_limits<double>::infinity();
            for (std::int64_t j = 0; j < s.rows; ++j) {
                double dot = 0.0;
                for (std::int64_t c = 0; c < d; ++c) dot += s.q[i * d + c] * at(s, s.k, j, c, d);
                p[static_cast<std::size_t>(j)] = dot * s.scale;
                mx = std::max(mx, p[static_cast<std::size_t>(j)]);
            }
            double sum = 0.0;
            for (double& e : p) sum += (e = std::exp(e - mx));
            for (double& e : p) e /= sum;
            if (s.probs) {
                for (std::int64_t j = 0; j < s.rows; ++j) {
                    s.probs[i * s.probs_stride + j] =
                        static_cast<float>(p[static_cast<std::size_t>(j)]);
                }
            }
            for (std::int64_t c = 0; c < d; ++c) {
                double acc = 0.0;
                for (std::int64_t j = 0; j < s.rows; ++j) {
                    acc += p[static_cast<std::size_t>(j)] * at(s, s.v, j, c, d);
                }
                s.out[i * d + c] = static_cast<float>(acc);
            }
        }
    }
}

}  // namespace hace::kernels
