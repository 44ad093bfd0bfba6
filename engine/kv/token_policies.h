// The token policies that do not rank positions by observation-window statistics (ALGORITHMS.md
// section 6): StreamingLLM (attention sinks + recent tokens) and H2O (heavy hitters by
// attention accumulated over all queries + recent tokens). Each lives in its own
// policy_<name>.cpp; the compressed cache calls them at prefill and, in their decode-time
// variants, at every generated token.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

namespace hace::kv {

// ---- StreamingLLM (policy_streamingllm.cpp) ------------------------------------------------

// How C splits into sinks and recent tokens: sinks = min(sinks, C), recent = C - sinks.
struct StreamingSplit {
    std::int64_t sinks = 0;
    std::int64_t recent = 0;
};
StreamingSplit streaming_split(std::int64_t capacity, std::int64_t sinks);

// Kept prompt positions (ascending): [0, sinks) and the last `recent` of n (all n when they
// cover the prompt).
std::vector<std::int64_t> streaming_keep(std::int64_t n, const StreamingSplit& split);

// Rolling variant: the row (index into an ascending segment of `length` entries) to drop once
// the segment holds more than sinks + recent entries: the oldest entry after the sinks.
// -1 when nothing is to be dropped.
std::int64_t streaming_victim(std::int64_t length, const StreamingSplit& split);

// ---- H2O (policy_h2o.cpp) ------------------------------------------------------------------

// Accumulated attention each key receives from all prompt queries (causal; a sliding window
// when > 0), per KV head: the mean over the G query heads of the group of the column sums of
// the softmax-normalised attention. Never materialises n x n: query rows are processed in
// chunks, each with two passes over its keys (pass 1: row maximum and normaliser; pass 2: the
// normalised probabilities accumulated per key), so memory is O(chunk * n) per head.
// q [Hq, n, d], k [Hkv, n, d]. Returns [Hkv][n].
std::vector<std::vector<float>> h2o_column_sums(const at::Tensor& q, const at::Tensor& k,
                                                double scale, std::int64_t sliding_window);

// The same sums from a dense n x n softmax (tests only: small inputs).
std::vector<std::vector<float>> h2o_column_sums_dense(const at::Tensor& q, const at::Tensor& k,
                                                      double scale, std::int64_t sliding_window);

// Kept prompt positions (ascending): the last `recent` positions plus the `heavy` positions
// before them with the largest accumulated score (ties: the smaller position).
std::vector<std::int64_t> h2o_keep(const std::vector<float>& column_sums, std::int64_t heavy,
                                   std::int64_t recent);

// Decode-time eviction of the original H2O: `acc` holds each stored entry's accumulated
// attention (row order of the segment). Returns the row to drop when the segment holds more
// than heavy + recent entries: the lowest score among all but the newest `recent` entries
// (ties: the later position goes, as in CAKE's evictor); -1 otherwise.
std::int64_t h2o_victim(const std::vector<float>& acc, std::int64_t heavy, std::int64_t recent);

}  // namespace hace::kv
