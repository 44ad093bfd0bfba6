// The one table of KV-cache methods of the allocator lattice (ALGORITHMS.md section 13.2) and the
// configuration of a compressed run. No torch here: front ends include this.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/kv/allocator.h"
#include "engine/kv/selector.h"
#include "engine/model/model.h"

namespace hace::kv {

// Faithful mode: what the method's reference repository does (ALGORITHMS.md sections 1-5).
enum class FaithfulRule { None, SnapKv, PyramidKv, AdaKv, Cake, HeadKv };

// How prompt positions are ranked: by observation-window statistics through the allocator lattice
// (section 13), or by one of the section 6 baselines (token_policies.h).
enum class TokenPolicy { Window, Streaming, HeavyHitter, KeepAll };

class KvMethod;
struct CompressionConfig;
struct MethodRow;
// Builds a method's policy for one cache (kv_method.h); one per method file.
using MethodFactory = std::unique_ptr<KvMethod> (*)(const CompressionConfig&, const MethodRow&);

// One row per method: a new method is one file under engine/kv/methods/ and one row here (a
// scorer that is also a method: one row in scorers.cpp). See README "Extending".
struct MethodRow {
    std::string_view id;  // CLI id: "hace", "snapkv", ...
    bool compresses;      // false for "full"
    LayerRule layer_rule;
    HeadRule head_rule;
    std::string_view spec;  // ALGORITHMS.md section
    std::string_view summary;
    FaithfulRule faithful = FaithfulRule::None;  // None: no reference repository to reproduce
    std::string_view faithful_source = "";       // repository and selector it reproduces
    TokenPolicy token = TokenPolicy::Window;
    MethodFactory make = nullptr;
    std::string_view scorer = "";  // the default selector in equal mode ("" = SEL-CAKE)
};

// The reference's own selector (window, pooling) for faithful mode.
SelectorConfig faithful_selector(const MethodRow& row);
// The selector a method runs with unless --selector says otherwise: the reference's in faithful
// mode, the method's own scorer (or SEL-CAKE) in equal mode.
SelectorConfig default_selector(const MethodRow& row, std::string_view mode);
// True where the reference stores per query head after repeat_kv (SnapKV, PyramidKV, HeadKV).
bool faithful_query_heads(const MethodRow& row);

const std::vector<MethodRow>& method_rows();
// Throws InputError listing the known ids.
const MethodRow& method_by_id(std::string_view id);
bool needs_head_scores(const MethodRow& row);

struct CompressionConfig {
    std::string method = "full";
    // "equal": the binding equal-budget readings of section 16; "faithful": each reference
    // repository's own selector, granularity, skip rules and integer quirks.
    std::string mode = "equal";
    SelectorConfig selector = sel_cake();
    std::optional<double> retention;       // R in (0, 1]: C = max(8, round_half_even(R * n))
    std::optional<std::int64_t> capacity;  // C directly
    double pyramid_beta = 20.0;
    double headkv_beta = 1.01;
    double ada_alpha = 0.2;
    // CAKE preference exponents. Unset: chosen per prompt from C (section 5.5 table in faithful
    // mode, section 13.6 defaults in equal mode) for the model identified by tau_model_key.
    std::optional<double> tau1, tau2;
    std::string tau_model_key;  // "llama2-7b", "mistral-7b", ... ("" = unknown: tau (1, 1))
    double head_temperature = 1.0;
    // HeadKV/HACE: KV-head scores [L][Hkv], normalised over all heads (kv::kv_head_scores).
    std::vector<std::vector<double>> head_scores;
    // Faithful HeadKV: query-head scores [L][Hq] normalised over all L*Hq heads (no group sum).
    std::vector<std::vector<double>> head_scores_query;
    std::string head_scores_source;  // file they came from (echoed in params)
    bool ada_normalize = false;      // AdaKV's optional score normalisation (faithful mode)
    // The method's own per-step eviction while decoding: SEL-CAKE's (section 5.4 / 13.7), H2O's
    // original accumulate-and-evict, StreamingLLM's rolling cache. Off: one-shot at prefill.
    bool decode_eviction = true;
    std::int64_t sinks = 4;  // StreamingLLM attention sinks; expected-attention's kept sinks
    std::uint64_t seed = 0;  // the random scorer's seed (scores depend on seed, layer, head)
    std::optional<std::int64_t> recent;  // H2O recent tokens (unset: min(w, floor(C/2)))
    // KIVI storage of the kept entries (section 6.3): 0 = full precision, 2 or 4 bits. Method
    // "kivi" keeps every token and defaults to 2 bits; any evicting method composes with it.
    int kv_bits = 0;
    int kivi_group = 32;      // G; head_dim when head_dim < 32 (tiny models), see kivi_group_for
    int kivi_residual = 128;  // R, a multiple of G
    int effective_kv_bits() const;
    int kivi_group_for(std::int64_t head_dim) const;

    bool faithful() const { return mode == "faithful"; }
    // Throws InputError on an unknown method, missing/invalid budget, missing head scores.
    void validate(const model::ModelConfig& model) const;
    // C for a prompt of n tokens.
    std::int64_t capacity_for(std::int64_t n) const;
    // Every hyperparameter actually used, for dumps and result rows.
    nlohmann::json params() const;

private:
    nlohmann::json params_without_storage() const;
};

// The model a CAKE tau table row belongs to, recognised from its config: "llama2-7b",
// "llama2-13b", "mistral-7b" (v0.2, vocab 32000), "mistral-0.3-7b", "llama3.1-8b",
// "qwen2.5-7b"; "" otherwise.
std::string tau_model_key(const model::ModelConfig& cfg);
// The (tau1, tau2) a run uses for a prompt whose capacity is C.
std::pair<double, double> resolve_tau(const CompressionConfig& cfg, std::int64_t c);

// Python round(): half to even.
std::int64_t round_half_even(double x);

// A session whose cache compresses the prompt with `cfg` (the full cache for method "full").
std::unique_ptr<model::Session> new_compressed_session(const model::Model& model,
                                                       std::int64_t max_tokens,
                                                       const CompressionConfig& cfg);

}  // namespace hace::kv
