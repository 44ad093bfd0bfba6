// Faithful-mode budget arithmetic (ALGORITHMS.md section 13.3 item 3): each reference
// repository's own integer budgets, quirks included, for reproduction runs. The equal-budget
// counterparts live in budget.h / allocator.h; nothing here is used by equal mode. Pure functions
// over plain numbers; no cache access, no torch.
//
// Python semantics matter here: `//` on floats, `round` (half to even) and `int()` (truncation)
// are reproduced bit for bit by python_floordiv, python_round and plain casts.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace hace::kv::faithful {

// CPython's float `a // b` (float_floor_div): computed from fmod, so 1.0 // 0.1 == 9.0 where
// floor(1.0 / 0.1) == 10. Every float `//` of sections 2 and 4.2 goes through this.
double python_floordiv(double a, double b);

// CPython's round(x) for floats and torch.round: nearest integer, ties to the even one (the
// HeadKV, AdaKV and KVF-ratio roundings of sections 3, 4.2 and 9.2).
double python_round(double x);

// ---- PyramidKV (section 2, KVF ffac1607 PyramidKVCluster) ---------------------------------------

struct PyramidPlan {
    // None: n < C, nothing is compressed; Uniform: C <= n < 2(C - w), SnapKV's C - w in every
    // layer; Pyramid: the arithmetic pyramid.
    enum Regime { None, Uniform, Pyramid } regime = None;
    // Tokens selected per layer, window excluded (L entries). Under None every layer keeps the
    // whole prompt and reports its selectable length max(n - w, 0) (section 16.13's convention).
    std::vector<std::int64_t> per_layer;
};

// Section 2.2-2.3: Bavg = C - w, min = Bavg // beta, max = 2 Bavg - min; if max >= n - w then
// max = n - w, min = 2 Bavg - max; step = (max - min) // (L - 1); B_l = max - l step. The floor
// in step makes sum B_l >= L Bavg (KVF's over-budget quirk). Throws std::invalid_argument when
// L < 2 (KVF divides by L - 1 for every prompt) or C <= w (KVF asserts C - w > 0).
PyramidPlan pyramid_budgets(std::int64_t layers, std::int64_t capacity_c, std::int64_t window_w,
                            std::int64_t prompt_n, double beta);

// ---- CAKE (section 5, antgroup/cakekv c4675ce2) -------------------------------------------------

// Section 5.2 `adjust_budgets`: raw real layer budgets (sum T) -> integers with cap P = n - w.
// 1. int() truncation; 2. clip to P and spread the clipped excess evenly over the layers still
// below P (share = excess / count, the remainder +1 to the first ones by index); the share is
// not re-checked against P, so a layer can end above the cap; if no layer is below the cap the
// excess is dropped; 3. force the sum to T: a shortfall goes evenly to the layers below P, a
// surplus comes evenly off the layers holding more than 1 (remainders to / from the first
// eligible ones); nothing is re-checked (a layer can exceed P or drop below 1), and with no
// eligible layer the sum stays off T. Throws std::invalid_argument on a non-finite raw budget.
std::vector<std::int64_t> cake_adjust_budgets(const std::vector<double>& raw_budgets,
                                              std::int64_t total_t, std::int64_t cap_p);

// Section 5.3 skip rule: no eviction when n <= C + w (C + w, not C).
bool cake_skips(std::int64_t prompt_n, std::int64_t capacity_c, std::int64_t window_w);

// Section 5.1: Pref_l = E_l^(1/tau1) * V_l^(1/tau2).
double cake_preference(double entropy, double variance, double tau1, double tau2);

// Section 5.5, CAKE's config/model2tau.json: (tau1, tau2) for its five model keys
// ("llama2-7b-chat-4k", "llama2-13b-chat-4k", "llama3.1-8b-128k", "mistral-0.3-7b-32k",
// "qwen2.5-7b-instruct") at C in {128, 1024}. Any other key or C -> nullopt; the caller then uses
// (1, 1) as pred_cake.py's exception path does.
std::optional<std::pair<double, double>> cake_tau(std::string_view model_key,
                                                  std::int64_t capacity_c);

// Section 13.6 [HACE choice]: "llama2-7b" takes CAKE's llama2-7b-chat-4k values at the nearer
// tuned C (switching at sqrt(128 * 1024) ~ 362: C <= 362 -> 128's, C >= 363 -> 1024's);
// "mistral-7b" (v0.2) takes CAKE's mistral-0.3-7b-32k values by the same rule; every other key
// (OPT, Qwen, unknown) gets (1, 1) until tuned. Keys are the model shape names of
// engine/model/shapes.cpp.
std::pair<double, double> hace_default_tau(std::string_view model_family_key,
                                           std::int64_t capacity_c);

// ---- HeadKV (section 4.2) -----------------------------------------------------------------------

// HKV official (ReasonSnapKVCluster): s[l][h] normalised over all L*H query heads (temperature
// already applied), B = C - w. p = B // beta as a Python float, m = B - p,
// b[l][h] = round(s[l][h] * (p * L * H) + m), round half to even in float64 as torch.round does.
// The sum is only ~L*H*B (rounding); b > P is left for the selector to saturate (section 4.2.5).
// Throws std::invalid_argument on a ragged or empty s or beta <= 0.
std::vector<std::vector<std::int64_t>> headkv_budgets(const std::vector<std::vector<double>>& s,
                                                      std::int64_t budget_b, double beta);

// KVF's deviation (section 4.2.6): run_longbench.py applies the same formula to C instead of
// C - w and the cluster appends the window on top, so each head stores b + w prompt tokens, w
// more than its nominal capacity. Returns b (window excluded), like headkv_budgets.
std::vector<std::vector<std::int64_t>> headkv_budgets_kvf(const std::vector<std::vector<double>>& s,
                                                          std::int64_t capacity_c, double beta);

// ---- AdaKV (section 3, FFY0/AdaKV efe4e2ee AdaptiveSnapKVCluster) -------------------------------

// One layer's head split. head_scores[h][j], j < P: pooled window-mean scores of the stored
// heads. If B > P the layer is not compressed and every head reports P. Otherwise: optional
// normalisation rho_h = (sum of its B largest) / (sum of all) (a head whose scores sum to 0
// stays 0); the global top H*B of all H*P scores (ties: higher score, then the smaller
// position, then the lower head) gives the counts c_h; b_h = round((1 - alpha) c_h + floor)
// with floor = int(B * alpha). Like torch (an int64 tensor times a Python float is float32),
// the rounding runs on float32 values, ties to even. The sum can differ from H*B by rounding; the
// reference does not fix it and neither does this. Throws std::invalid_argument on ragged
// scores, B < 0 or alpha outside [0, 1].
std::vector<std::int64_t> adakv_split(const std::vector<std::vector<float>>& head_scores,
                                      std::int64_t budget_b, double alpha, bool normalize);

// ---- Retention ratio -> capacity (section 9.2) --------------------------------------------------

// KVF --max_capacity_prompts_ratio: C = round(r * n), Python round (half to even); can be 0.
std::int64_t kvf_capacity_from_ratio(double ratio_r, std::int64_t prompt_n);

// kvpress: n_kept = int(n * (1 - c)), truncated in float64 (10 * (1 - 0.9) keeps 0 tokens).
std::int64_t kvpress_kept(double compression_ratio, std::int64_t prompt_n);

}  // namespace hace::kv::faithful
