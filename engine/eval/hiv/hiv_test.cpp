#include "engine/eval/hiv/hiv_test.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>

#include "engine/core/error.h"
#include "engine/eval/hiv/attention_probe_cache.h"
#include "engine/eval/hiv/hiv_credit.h"
#include "engine/kv/head_scores.h"
#include "engine/model/causal_lm.h"

namespace hace::eval {
namespace {

std::int64_t argmax(const std::vector<float>& logits) {
    return std::max_element(logits.begin(), logits.end()) - logits.begin();
}

std::vector<double> ranks(const std::vector<double>& x) {
    std::vector<std::size_t> idx(x.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
    std::vector<double> r(x.size());
    for (std::size_t i = 0; i < idx.size();) {
        std::size_t j = i;
        while (j + 1 < idx.size() && x[idx[j + 1]] == x[idx[i]]) ++j;
        const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (std::size_t t = i; t <= j; ++t) r[idx[t]] = avg;
        i = j + 1;
    }
    return r;
}

// Mean over the selected trials of every head, flattened layer-major.
std::vector<double> flat_means(const std::vector<std::vector<std::vector<double>>>& credit,
                               const std::vector<std::size_t>& trials) {
    std::vector<double> out;
    for (const auto& layer : credit) {
        for (const auto& head : layer) {
            double s = 0.0;
            for (std::size_t t : trials) s += head[t];
            out.push_back(s / static_cast<double>(trials.size()));
        }
    }
    return out;
}

}  // namespace

std::optional<double> spearman(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size() || a.size() < 2) return std::nullopt;
    const auto ra = ranks(a), rb = ranks(b);
    const double n = static_cast<double>(a.size());
    const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
    const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (std::size_t i = 0; i < ra.size(); ++i) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    if (saa <= 0.0 || sbb <= 0.0) return std::nullopt;
    return sab / std::sqrt(saa * sbb);
}

HivTrialResult run_hiv_trial(const model::Model& model, const tokenizer::Tokenizer& tok,
                             const HivTrial& trial, const HivAcceptance& accept) {
    const auto* lm = dynamic_cast<const model::CausalLm*>(&model);
    if (!lm) throw InputError("the HIV test needs a causal LM with an inspectable KV cache");
    const auto& cfg = model.config();
    const auto n = static_cast<std::int64_t>(trial.prompt.size());
    if (n < 2) throw InputError("HIV trial " + trial.id + ": the prompt needs at least 2 tokens");
    if (trial.span_begin < 0 || trial.span_end <= trial.span_begin || trial.span_end > n - 1) {
        throw InputError("HIV trial " + trial.id + ": the needle span [" +
                         std::to_string(trial.span_begin) + ", " + std::to_string(trial.span_end) +
                         ") must lie inside the prompt before its last token");
    }
    const std::int64_t room = n + trial.max_steps;
    if (room > cfg.max_positions) {
        throw InputError("HIV trial " + trial.id + ": " + std::to_string(room) +
                         " tokens exceed max_position_embeddings = " +
                         std::to_string(cfg.max_positions));
    }
    HivTrialResult r;
    r.credit.assign(static_cast<std::size_t>(cfg.n_layers), {});
    auto probe = [&](std::int64_t layer, const float* probs, std::int64_t hq, std::int64_t len) {
        add_r2_credit(probs, hq, len, trial.span_begin, trial.span_end,
                      r.credit[static_cast<std::size_t>(layer)]);
    };
    auto session = model::make_session(
        *lm, make_probe_cache(lm->cache_shape(room), lm->attention_spec(), probe));
    session->prefill(std::span<const model::TokenId>(trial.prompt.data(), trial.prompt.size() - 1));
    std::set<model::TokenId> stops(cfg.eos_ids.begin(), cfg.eos_ids.end());
    if (tok.special_ids().eos >= 0) stops.insert(tok.special_ids().eos);
    model::TokenId next = trial.prompt.back();
    for (std::int32_t step = 0; step < trial.max_steps; ++step) {
        const auto logits = session->decode_step(next);
        next = static_cast<model::TokenId>(argmax(logits));
        if (stops.count(next)) break;
        if (tok.decode({next}, true).find('\n') != std::string::npos) break;
        r.response_ids.push_back(next);
        if (trial.answer_tokens > 0 &&
            static_cast<std::int32_t>(r.response_ids.size()) >= trial.answer_tokens) {
            break;
        }
    }
    for (auto& layer : r.credit) layer.resize(static_cast<std::size_t>(cfg.n_q_heads), 0.0);
    r.response = tok.decode(r.response_ids, true);
    r.score = accept(r.response, trial.answer);
    r.accepted = r.score * 100.0 > 50.0;
    return r;
}

HivStatistics hiv_statistics(const std::vector<std::vector<std::vector<double>>>& credit,
                             const std::vector<std::int64_t>& lengths, std::int64_t trials) {
    HivStatistics st;
    st.trials = trials;
    st.accepted = static_cast<std::int64_t>(lengths.size());
    if (credit.empty() || lengths.empty()) return st;
    kv::HeadScoreFile f;
    f.layers = static_cast<std::int64_t>(credit.size());
    f.q_heads = static_cast<std::int64_t>(credit[0].size());
    f.trials = credit;
    for (const auto& layer : credit) {
        std::vector<double> m;
        for (const auto& head : layer) {
            m.push_back(std::accumulate(head.begin(), head.end(), 0.0) /
                        static_cast<double>(head.size()));
        }
        f.mean.push_back(std::move(m));
    }
    const auto hs = kv::head_score_stats(f);
    st.mean = hs.mean;
    st.variance = hs.variance;
    st.cv = hs.cv;
    for (const auto& mu : st.mean) {
        const double sum = std::accumulate(mu.begin(), mu.end(), 0.0);
        const double h = static_cast<double>(mu.size());
        double var = 0.0, ent = 0.0;
        if (sum > 0.0) {
            for (double m : mu) {
                const double p = m / sum;
                var += (p - 1.0 / h) * (p - 1.0 / h) / h;
                if (p > 0.0) ent -= p * std::log(p);
            }
        }
        st.dispersion.push_back(var);
        st.entropy.push_back(ent);
        st.entropy_normalised.push_back(h > 1.0 ? ent / std::log(h) : 0.0);
    }
    std::vector<std::size_t> even, odd, shorter, longer;
    for (std::size_t t = 0; t < lengths.size(); ++t) (t % 2 == 0 ? even : odd).push_back(t);
    std::set<std::int64_t> distinct(lengths.begin(), lengths.end());
    const std::vector<std::int64_t> sorted(distinct.begin(), distinct.end());
    const std::int64_t lower_median = sorted[(sorted.size() - 1) / 2];
    for (std::size_t t = 0; t < lengths.size(); ++t) {
        (lengths[t] <= lower_median ? shorter : longer).push_back(t);
    }
    if (!even.empty() && !odd.empty()) {
        st.split_half_spearman = spearman(flat_means(credit, even), flat_means(credit, odd));
    }
    if (!shorter.empty() && !longer.empty()) {
        st.short_long_spearman = spearman(flat_means(credit, shorter), flat_means(credit, longer));
    }
    return st;
}

HivRunResult run_hiv_test(const model::Model& model, const tokenizer::Tokenizer& tok,
                          const std::vector<HivTrial>& trials, const HivAcceptance& accept,
                          const HivRunOptions& opts) {
    const auto& cfg = model.config();
    HivRunResult run;
    run.credit.assign(static_cast<std::size_t>(cfg.n_layers),
                      std::vector<std::vector<double>>(static_cast<std::size_t>(cfg.n_q_heads)));
    std::vector<std::int64_t> lengths;
    HivProgress progress{0, static_cast<std::int64_t>(trials.size()), 0};
    for (const auto& t : trials) {
        auto r = run_hiv_trial(model, tok, t, accept);
        if (r.accepted) {
            for (std::size_t l = 0; l < r.credit.size(); ++l) {
                for (std::size_t h = 0; h < r.credit[l].size(); ++h) {
                    run.credit[l][h].push_back(r.credit[l][h]);
                }
            }
            lengths.push_back(t.context_length);
            ++progress.accepted;
        }
        run.trials.push_back(t);
        run.results.push_back(std::move(r));
        ++progress.done;
        if (opts.on_trial) opts.on_trial(progress);
    }
    run.stats = hiv_statistics(run.credit, lengths, static_cast<std::int64_t>(trials.size()));
    return run;
}

namespace {

nlohmann::json optional_json(const std::optional<double>& x) {
    return x ? nlohmann::json(*x) : nlohmann::json(nullptr);
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path.string() + ": cannot open for writing");
    out << text;
    if (!out.flush()) throw InputError(path.string() + ": write failed");
}

}  // namespace

void write_hiv_outputs(const std::filesystem::path& scores, const HivRunResult& run) {
    if (run.stats.accepted == 0) {
        throw InputError("HIV test: none of the " + std::to_string(run.stats.trials) +
                         " trials was accepted (100 * score > 50), so no head has a score; "
                         "check that the model can answer these needles");
    }
    kv::write_head_score_file(scores, run.credit);
    std::string rows;
    std::int64_t list_index = 0;
    for (std::size_t i = 0; i < run.trials.size(); ++i) {
        const auto& t = run.trials[i];
        const auto& r = run.results[i];
        nlohmann::json row = {{"trial", t.id},
                              {"record", t.record},
                              {"context_length", t.context_length},
                              {"depth", t.depth},
                              {"prompt_tokens", t.prompt.size()},
                              {"needle_span", {t.span_begin, t.span_end}},
                              {"accepted", r.accepted},
                              {"score", r.score},
                              {"response", r.response},
                              {"list_index", r.accepted ? nlohmann::json(list_index++)
                                                        : nlohmann::json(nullptr)}};
        rows += row.dump() + "\n";
    }
    write_text(scores.string() + ".trials.jsonl", rows);
    const auto& st = run.stats;
    const nlohmann::json stats = {
        {"trials", st.trials},
        {"accepted", st.accepted},
        {"definitions",
         {{"variance", "unbiased over accepted trials"},
          {"cv", "sqrt(variance) / mean, 0 when the mean is 0"},
          {"dispersion", "population variance over heads of each head's share of its layer's mean"},
          {"entropy", "-sum share * ln(share) within a layer; normalised: / ln(heads)"},
          {"split_half_spearman", "mean of even- vs odd-numbered accepted trials, all heads"},
          {"short_long_spearman", "trials at context <= lower median length vs the rest"}}},
        {"mean", st.mean},
        {"variance", st.variance},
        {"cv", st.cv},
        {"layer_dispersion", st.dispersion},
        {"layer_entropy", st.entropy},
        {"layer_entropy_normalised", st.entropy_normalised},
        {"split_half_spearman", optional_json(st.split_half_spearman)},
        {"short_long_spearman", optional_json(st.short_long_spearman)}};
    write_text(scores.string() + ".stats.json", stats.dump(1) + "\n");
}

}  // namespace hace::eval
