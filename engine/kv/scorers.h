// The one table of token scorers (token_scorer.h): a new scorer is one file under
// engine/kv/scorers/ and one row in scorers.cpp (plus its labels, see README "Extending"). A row
// marked `as_method` is also a method of its own: uniform layers and heads with this scorer, so
// `--method knorm` and `--method hace --selector knorm` both exist. No torch here.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "engine/kv/selector.h"

namespace hace::kv {

class TokenScorer;
struct CompressionConfig;
using ScorerFactory = std::unique_ptr<TokenScorer> (*)(const CompressionConfig&);

struct ScorerRow {
    std::string_view id;       // --selector id and, with as_method, --method id
    std::string_view label;    // the report's "selector": "SEL-CAKE", "KNORM", ...
    std::string_view spec;     // ALGORITHMS.md section or paper
    std::string_view summary;  // one line for --help and the docs
    bool as_method;            // also a method (uniform allocation with this scorer)
    SelectorConfig defaults;   // window (protected recent tokens / observation), pool, gamma
    ScorerFactory make;
    // The configuration fields the scorer reads beyond its selector ("scorer_seed", "sinks",
    // "decode_eviction"): echoed in the params and accepted as flags and sweep params.
    std::vector<std::string_view> params = {};
    // Where the implementation reads its paper in a way of its own (echoed in the params).
    std::string_view reading = "";
};

const std::vector<ScorerRow>& scorer_rows();
// nullptr when unknown.
const ScorerRow* find_scorer(std::string_view id);

}  // namespace hace::kv
