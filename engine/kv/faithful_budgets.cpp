#include "engine/kv/faithful_budgets.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace hace::kv::faithful {

double python_floordiv(double a, double b) {
    // CPython float_divmod: the quotient is rebuilt from fmod, which is exact, instead of
    // rounding a / b first; that is why 1.0 // 0.1 is 9.0.
    double mod = std::fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0.0 && ((b < 0.0) != (mod < 0.0))) div -= 1.0;
    if (div == 0.0) return std::copysign(0.0, a / b);
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
    return floordiv;
}

double python_round(double x) {
    // Written out instead of std::nearbyint so the result does not depend on the FP environment.
    double r = std::floor(x);
    const double frac = x - r;
    if (frac > 0.5 || (frac == 0.5 && std::fmod(r, 2.0) != 0.0)) r += 1.0;
    return r;
}

namespace {

// Python `//` on ints (floors toward minus infinity, also for negatives).
std::int64_t int_floordiv(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

}  // namespace

// ---- PyramidKV ----------------------------------------------------------------------------------

PyramidPlan pyramid_budgets(std::int64_t layers, std::int64_t capacity_c, std::int64_t window_w,
                            std::int64_t prompt_n, double beta) {
    if (layers < 2) {
        throw std::invalid_argument("pyramid_budgets: KVF divides by L - 1, needs L >= 2");
    }
    if (capacity_c - window_w <= 0) {
        throw std::invalid_argument("pyramid_budgets: KVF asserts C - w > 0");
    }
    if (!(beta > 0.0)) throw std::invalid_argument("pyramid_budgets: beta must be > 0");
    const auto count = static_cast<std::size_t>(layers);
    const std::int64_t bavg = capacity_c - window_w;
    PyramidPlan plan;
    // KVF's regime tests run in this order: n < C first, then n < 2(C - w).
    if (prompt_n < capacity_c) {
        plan.regime = PyramidPlan::None;
        plan.per_layer.assign(count, std::max<std::int64_t>(prompt_n - window_w, 0));
        return plan;
    }
    if (prompt_n < 2 * bavg) {
        plan.regime = PyramidPlan::Uniform;
        plan.per_layer.assign(count, bavg);
        return plan;
    }
    plan.regime = PyramidPlan::Pyramid;
    auto min_num = static_cast<std::int64_t>(python_floordiv(static_cast<double>(bavg), beta));
    auto max_num = 2 * bavg - min_num;
    if (max_num >= prompt_n - window_w) {
        max_num = prompt_n - window_w;
        min_num = 2 * bavg - max_num;
    }
    const std::int64_t step = int_floordiv(max_num - min_num, layers - 1);
    plan.per_layer.resize(count);
    for (std::int64_t l = 0; l < layers; ++l) {
        plan.per_layer[static_cast<std::size_t>(l)] = max_num - l * step;
    }
    return plan;
}

// ---- CAKE ---------------------------------------------------------------------------------------

std::vector<std::int64_t> cake_adjust_budgets(const std::vector<double>& raw_budgets,
                                              std::int64_t total_t, std::int64_t cap_p) {
    std::vector<std::int64_t> b;
    b.reserve(raw_budgets.size());
    for (double r : raw_budgets) {
        if (!std::isfinite(r)) {
            throw std::invalid_argument("cake_adjust_budgets: non-finite raw budget");
        }
        b.push_back(static_cast<std::int64_t>(r));  // int(): truncation toward zero
    }

    // Adds `amount` (may be negative) evenly to the flagged layers, the remainder of one unit
    // each to the first flagged layers by index. Eligibility is decided once, before the pass.
    auto spread = [&b](std::int64_t amount, const std::vector<bool>& eligible) {
        std::int64_t count = 0;
        for (bool e : eligible) count += e ? 1 : 0;
        if (count == 0 || amount == 0) return;
        const std::int64_t sign = amount < 0 ? -1 : 1;
        const std::int64_t magnitude = amount * sign;
        const std::int64_t share = magnitude / count;
        std::int64_t remainder = magnitude % count;
        for (std::size_t i = 0; i < b.size(); ++i) {
            if (!eligible[i]) continue;
            std::int64_t delta = share;
            if (remainder > 0) {
                ++delta;
                --remainder;
            }
            b[i] += sign * delta;
        }
    };

    std::int64_t excess = 0;
    for (auto& v : b) {
        if (v > cap_p) {
            excess += v - cap_p;
            v = cap_p;
        }
    }
    std::vector<bool> below_cap(b.size());
    for (std::size_t i = 0; i < b.size(); ++i) below_cap[i] = b[i] < cap_p;
    spread(excess, below_cap);

    std::int64_t sum = 0;
    for (auto v : b) sum += v;
    const std::int64_t diff = total_t - sum;
    std::vector<bool> eligible(b.size());
    for (std::size_t i = 0; i < b.size(); ++i) eligible[i] = diff > 0 ? b[i] < cap_p : b[i] > 1;
    spread(diff, eligible);
    return b;
}

bool cake_skips(std::int64_t prompt_n, std::int64_t capacity_c, std::int64_t window_w) {
    return prompt_n <= capacity_c + window_w;
}

double cake_preference(double entropy, double variance, double tau1, double tau2) {
    return std::pow(entropy, 1.0 / tau1) * std::pow(variance, 1.0 / tau2);
}

namespace {

struct TauRow {
    std::string_view key;
    double tau1_128, tau2_128;
    double tau1_1024, tau2_1024;
};

// CAKE config/model2tau.json (section 5.5 table).
constexpr std::array<TauRow, 5> kCakeTau = {{
    {"llama2-7b-chat-4k", 0.9, 2.3, 1.9, 1.8},
    {"llama2-13b-chat-4k", 1.8, 2.0, 0.5, 0.4},
    {"llama3.1-8b-128k", 1.6, 0.6, 1.6, 0.4},
    {"mistral-0.3-7b-32k", 1.0, 0.8, 0.8, 0.5},
    {"qwen2.5-7b-instruct", 0.4, 0.6, 1.5, 0.6},
}};

const TauRow* find_tau_row(std::string_view key) {
    for (const auto& row : kCakeTau) {
        if (row.key == key) return &row;
    }
    return nullptr;
}

}  // namespace

std::optional<std::pair<double, double>> cake_tau(std::string_view model_key,
                                                  std::int64_t capacity_c) {
    const TauRow* row = find_tau_row(model_key);
    if (row == nullptr) return std::nullopt;
    if (capacity_c == 128) return std::pair{row->tau1_128, row->tau2_128};
    if (capacity_c == 1024) return std::pair{row->tau1_1024, row->tau2_1024};
    return std::nullopt;
}

std::pair<double, double> hace_default_tau(std::string_view model_family_key,
                                           std::int64_t capacity_c) {
    std::string_view cake_key;
    if (model_family_key == "llama2-7b") {
        cake_key = "llama2-7b-chat-4k";
    } else if (model_family_key == "mistral-7b") {
        cake_key = "mistral-0.3-7b-32k";
    } else {
        return {1.0, 1.0};
    }
    // Geometric midpoint of the two tuned sizes, compared exactly in integers: C^2 < 128 * 1024.
    const std::int64_t tuned = capacity_c * capacity_c < 128 * 1024 ? 128 : 1024;
    return *cake_tau(cake_key, tuned);
}

// ---- HeadKV -------------------------------------------------------------------------------------

namespace {

std::vector<std::vector<std::int64_t>> headkv_formula(const std::vector<std::vector<double>>& s,
                                                      std::int64_t base, double beta) {
    if (s.empty() || s[0].empty()) throw std::invalid_argument("headkv: empty score matrix");
    if (!(beta > 0.0)) throw std::invalid_argument("headkv: beta must be > 0");
    const std::size_t heads = s[0].size();
    for (const auto& row : s) {
        if (row.size() != heads) throw std::invalid_argument("headkv: ragged score matrix");
    }
    // Same operation order as the reference: (p * L) * H first, then s * pool + m, in float64.
    const double p = python_floordiv(static_cast<double>(base), beta);
    const double m = static_cast<double>(base) - p;
    const double pool = p * static_cast<double>(s.size()) * static_cast<double>(heads);
    std::vector<std::vector<std::int64_t>> out(s.size(), std::vector<std::int64_t>(heads));
    for (std::size_t l = 0; l < s.size(); ++l) {
        for (std::size_t h = 0; h < heads; ++h) {
            out[l][h] = static_cast<std::int64_t>(python_round(s[l][h] * pool + m));
        }
    }
    return out;
}

}  // namespace

std::vector<std::vector<std::int64_t>> headkv_budgets(const std::vector<std::vector<double>>& s,
                                                      std::int64_t budget_b, double beta) {
    return headkv_formula(s, budget_b, beta);
}

std::vector<std::vector<std::int64_t>> headkv_budgets_kvf(const std::vector<std::vector<double>>& s,
                                                          std::int64_t capacity_c, double beta) {
    return headkv_formula(s, capacity_c, beta);
}

// ---- AdaKV --------------------------------------------------------------------------------------

std::vector<std::int64_t> adakv_split(const std::vector<std::vector<float>>& head_scores,
                                      std::int64_t budget_b, double alpha, bool normalize) {
    const std::size_t heads = head_scores.size();
    if (heads == 0) return {};
    const std::size_t positions = head_scores[0].size();
    for (const auto& row : head_scores) {
        if (row.size() != positions) throw std::invalid_argument("adakv_split: ragged scores");
    }
    if (budget_b < 0) throw std::invalid_argument("adakv_split: B must be >= 0");
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
        throw std::invalid_argument("adakv_split: alpha must be in [0, 1]");
    }
    const auto selectable = static_cast<std::int64_t>(positions);
    if (budget_b > selectable) return std::vector<std::int64_t>(heads, selectable);

    const auto b = static_cast<std::size_t>(budget_b);
    struct Entry {
        double score;
        std::size_t position;
        std::size_t head;
    };
    std::vector<Entry> all;
    all.reserve(heads * positions);
    for (std::size_t h = 0; h < heads; ++h) {
        double rho = 1.0;
        if (normalize) {
            std::vector<float> sorted = head_scores[h];
            std::sort(sorted.begin(), sorted.end(), std::greater<>());
            double top = 0.0;
            double total = 0.0;
            for (std::size_t j = 0; j < sorted.size(); ++j) {
                if (j < b) top += sorted[j];
                total += sorted[j];
            }
            rho = total != 0.0 ? top / total : 1.0;
        }
        for (std::size_t j = 0; j < positions; ++j) {
            all.push_back({static_cast<double>(head_scores[h][j]) * rho, j, h});
        }
    }
    const std::size_t take = heads * b;
    const auto better = [](const Entry& x, const Entry& y) {
        if (x.score != y.score) return x.score > y.score;
        if (x.position != y.position) return x.position < y.position;
        return x.head < y.head;
    };
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(take), all.end(),
                     better);
    std::vector<std::int64_t> counts(heads, 0);
    for (std::size_t k = 0; k < take; ++k) ++counts[all[k].head];

    // int(B * alpha) in float64, then torch's float32 round(c * (1 - alpha) + floor).
    const auto floor_capacity = static_cast<std::int64_t>(static_cast<double>(budget_b) * alpha);
    const auto keep = static_cast<float>(1.0 - alpha);
    std::vector<std::int64_t> out(heads);
    for (std::size_t h = 0; h < heads; ++h) {
        const float v = static_cast<float>(counts[h]) * keep + static_cast<float>(floor_capacity);
        out[h] = static_cast<std::int64_t>(python_round(static_cast<double>(v)));
    }
    return out;
}

// ---- Retention ratio -> capacity ----------------------------------------------------------------

std::int64_t kvf_capacity_from_ratio(double ratio_r, std::int64_t prompt_n) {
    return static_cast<std::int64_t>(python_round(static_cast<double>(prompt_n) * ratio_r));
}

std::int64_t kvpress_kept(double compression_ratio, std::int64_t prompt_n) {
    return static_cast<std::int64_t>(static_cast<double>(prompt_n) * (1.0 - compression_ratio));
}

}  // namespace hace::kv::faithful
