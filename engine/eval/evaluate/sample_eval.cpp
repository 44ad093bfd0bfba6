#include "engine/eval/evaluate/sample_eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <span>
#include <stdexcept>

#include "engine/core/elapsed.h"
#include "engine/core/error.h"
#include "engine/core/memory_meter.h"
#include "engine/eval/metrics/cache_efficiency.h"
#include "engine/eval/metrics/consistency.h"
#include "engine/eval/metrics/head_specialization.h"
#include "engine/eval/tasks/needle_task.h"
#include "engine/model/generate_batch.h"

namespace hace::eval {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<LayerSummary> summarise(const model::CompressionReport& rep) {
    std::vector<LayerSummary> out;
    for (const auto& L : rep.layers) {
        LayerSummary s;
        s.layer = L.layer;
        s.budget = L.budget;
        s.preference = L.preference;
        s.entropy = L.entropy;
        s.temporal_variance = L.temporal_variance;
        std::vector<double> kept;
        for (const auto& h : L.heads) {
            s.head_kept.push_back(static_cast<std::int64_t>(h.kept.size()));
            s.head_budget.push_back(h.budget);
            kept.push_back(static_cast<double>(h.kept.size()));
        }
        const auto spec = metrics::head_specialization(kept);
        s.specialization = spec.entropy_score;
        s.gini = spec.gini;
        out.push_back(std::move(s));
    }
    return out;
}

KeptSet kept_set(const model::CompressionReport& rep, std::int64_t tokens) {
    KeptSet k;
    k.tokens = tokens;
    k.layers = static_cast<std::int64_t>(rep.layers.size());
    k.heads = rep.layers.empty() ? 0 : static_cast<std::int64_t>(rep.layers[0].heads.size());
    for (const auto& L : rep.layers) {
        if (static_cast<std::int64_t>(L.heads.size()) != k.heads) {
            throw std::logic_error("compression report: layers differ in head count");
        }
        for (const auto& h : L.heads) k.segments.push_back(h.kept);
    }
    return k;
}

void score(const EvalSample& sample, SampleOutcome& o) {
    if (sample.metrics.empty()) throw InputError("sample " + sample.id + ": no metric to score");
    for (metrics::Metric m : sample.metrics) {
        std::vector<std::string> refs = sample.references;
        // NIAH keyword recall counts the needle's retrieval keywords (section 11.2).
        if (m == metrics::Metric::keyword_recall && sample.meta.contains("keywords")) {
            refs = {sample.meta["keywords"].get<std::string>()};
        }
        const double v = metrics::score_sample(m, o.prediction, refs);
        o.metrics[std::string(metrics::metric_name(m))] = v;
        if (m == metrics::Metric::rouge1) o.metrics["rouge1_x10"] = 10.0 * v;
    }
    double primary = o.metrics[std::string(metrics::metric_name(sample.metrics[0]))];
    if (sample.meta.contains("needle_value")) {
        // The needle model's own rule: the continuation starts with the value's digits.
        primary =
            tasks::needle_exact_match(o.prediction, sample.meta["needle_value"].get<std::string>())
                ? 1.0
                : 0.0;
        o.metrics["needle_exact"] = primary;
    }
    o.metrics["score"] = 100.0 * primary;  // the task score on a 0-100 scale
}

// One sample as a step machine: the constructor checks, prefills (the context part, then the
// query tail token by token) and chooses the first token; take() chooses each later one from
// the logits of a decode step of last(); finish() ends the engine's part and score_sample() scores.
// evaluate_sample drives it alone, evaluate_samples_batched through batched decode steps: the same
// rules token for token.
class SampleRun final : public model::BatchSequence {
public:
    SampleRun(const model::Model& model, const tokenizer::Tokenizer& tok, const EvalSample& sample,
              const kv::CompressionConfig& cfg, const FullReference* full, FullReference* capture,
              const EvalCallbacks& cb, bool reset_peak, SharedPrefill* shared = nullptr)
        : tok_(tok), sample_(sample), cfg_(cfg), full_(full), capture_(capture), cb_(cb) {
        const auto& mc = model.config();
        if (sample.prompt.empty()) throw InputError("sample " + sample.id + ": empty prompt");
        const std::int64_t n = static_cast<std::int64_t>(sample.prompt.size());
        const std::int64_t room = n + sample.max_new_tokens;
        if (room > mc.max_positions) {
            throw InputError("sample " + sample.id + ": " + std::to_string(n) + " prompt + " +
                             std::to_string(sample.max_new_tokens) + " new tokens exceed " +
                             "max_position_embeddings = " + std::to_string(mc.max_positions));
        }
        o_.prompt_tokens = n;
        o_.params = cfg.params();
        o_.retention_nominal = cfg.retention;
        if (reset_peak) reset_peak_rss();
        session_ = kv::new_compressed_session(model, room, cfg);

        keep_logits_ = capture != nullptr || (full && !full->step_logits.empty());
        // Query-agnostic: the context part alone goes through the (compressing) prefill; the
        // question follows token by token. The full cache compresses nothing, so it prefills
        // the whole prompt at once (the same attention, one forward).
        std::int64_t split = n;
        if (sample.query_start && cfg.method != "full") {
            split = *sample.query_start;
            if (split < 1 || split > n) {
                throw InputError("sample " + sample.id + ": query_start " + std::to_string(split) +
                                 " is outside the prompt of " + std::to_string(n) + " tokens");
            }
        }
        auto t0 = Clock::now();
        const std::span<const model::TokenId> part(sample.prompt.data(),
                                                   static_cast<std::size_t>(split));
        if (!shared) {
            logits_ = session_->prefill(part);
        } else if (shared->recording && std::ranges::equal(shared->recording->ids(), part)) {
            logits_ = session_->prefill_replayed(*shared->recording);
            o_.prefill_replayed = true;
        } else {
            std::shared_ptr<const model::PromptRecording> rec;
            logits_ = session_->prefill_recorded(part, &rec);
            shared->recording = std::move(rec);
        }
        const auto* rep = session_->compression_report();
        if (rep) {
            o_.compression_ms = rep->compression_ms;
            o_.kv_bits = rep->kv_bits;
            o_.layers = summarise(*rep);
            if (cb.record_kept) o_.kept = kept_set(*rep, n);
        }
        for (std::int64_t i = split; i < n; ++i) {
            session_->decode_step_into(sample.prompt[static_cast<std::size_t>(i)], logits_);
        }
        o_.prefill_ms = ms_since(t0);
        o_.kv_after_prefill = session_->kv_stats();
        if (rep && cb.on_layers) cb.on_layers(o_.layers);
        stops_ = mc.eos_ids;
        if (tok.special_ids().eos >= 0) stops_.push_back(tok.special_ids().eos);
        t0 = Clock::now();
        done_ = sample.max_new_tokens <= 0;
        if (!done_) take(logits_);
        first_ms_ = ms_since(t0);
    }

    bool wants_more() const override { return !done_; }
    model::TokenId last() const override { return o_.output_ids.back(); }
    model::Session& session() override { return *session_; }
    std::span<float> logits() { return logits_; }
    double first_ms() const { return first_ms_; }

    void take(std::span<const float> logits) override {
        if (keep_logits_) step_logits_.emplace_back(logits.begin(), logits.end());
        const auto next = static_cast<model::TokenId>(
            std::max_element(logits.begin(), logits.end()) - logits.begin());
        const std::int32_t i = step_++;
        done_ = true;
        if (std::find(stops_.begin(), stops_.end(), next) != stops_.end()) return;
        if (sample_.stop_at_newline && tok_.decode({next}, true).find('\n') != std::string::npos) {
            return;
        }
        o_.output_ids.push_back(next);
        if (cb_.on_token) cb_.on_token(i + 1, sample_.max_new_tokens);
        done_ = i + 1 == sample_.max_new_tokens;
    }

    // The engine's part of finishing (decode_ms: the decode loop's time or this sample's share
    // of it; steps: decode steps): timing, memory and KV statistics read from the live session,
    // and the capture, complete here so a reference is usable as soon as its run has ended.
    // What remains (score_sample) needs no engine state.
    UnscoredSample finish(double decode_ms, std::int64_t steps) {
        UnscoredSample u;
        SampleOutcome& o = u.outcome;
        o = std::move(o_);
        o.decode_ms = decode_ms;
        o.decode_ms_per_token = steps ? o.decode_ms / static_cast<double>(steps) : 0.0;
        const double total_s = (o.prefill_ms + o.decode_ms) / 1000.0;
        o.tokens_per_s = total_s > 0 ? static_cast<double>(o.output_ids.size()) / total_s : 0.0;
        o.peak_bytes = peak_rss_bytes();
        o.kv_end = session_->kv_stats();
        o.retention_realised = o.kv_after_prefill.full_entries > 0
                                   ? static_cast<double>(o.kv_after_prefill.kept_entries) /
                                         static_cast<double>(o.kv_after_prefill.full_entries)
                                   : 1.0;
        u.sample = &sample_;
        u.retention = cfg_.retention;
        u.full = full_;
        const bool kl = full_ && !full_->step_logits.empty();
        if (capture_) {
            capture_->output_ids = o.output_ids;
            capture_->text = tok_.decode(o.output_ids, true);
            if (kl) {
                capture_->step_logits = step_logits_;
            } else {
                capture_->step_logits = std::move(step_logits_);
            }
        }
        if (kl) u.step_logits = std::move(step_logits_);
        return u;
    }

private:
    const tokenizer::Tokenizer& tok_;
    const EvalSample& sample_;
    const kv::CompressionConfig& cfg_;
    const FullReference* full_;
    FullReference* capture_;
    EvalCallbacks cb_;
    std::unique_ptr<model::Session> session_;
    std::vector<float> logits_;
    std::vector<model::TokenId> stops_;
    bool keep_logits_ = false;
    std::vector<std::vector<float>> step_logits_;
    std::int32_t step_ = 0;
    bool done_ = false;
    double first_ms_ = 0.0;
    SampleOutcome o_;
};

}  // namespace

SampleOutcome score_sample(const tokenizer::Tokenizer& tok, UnscoredSample run) {
    SampleOutcome o = std::move(run.outcome);
    const EvalSample& sample = *run.sample;
    o.prediction = tok.decode(o.output_ids, true);
    score(sample, o);
    if (run.retention) {
        o.metrics["cache_efficiency"] =
            metrics::cache_efficiency_ratio(o.metrics["score"], *run.retention);
    }
    if (!o.layers.empty()) {
        std::vector<std::vector<double>> kept;
        for (const auto& L : o.layers) kept.emplace_back(L.head_kept.begin(), L.head_kept.end());
        const auto spec = metrics::model_specialization(kept);
        o.metrics["head_specialization"] = spec.mean_entropy_score;
        o.metrics["head_gini"] = spec.mean_gini;
    }
    if (const FullReference* full = run.full) {
        o.metrics["token_agreement"] =
            metrics::token_agreement_rate(full->output_ids, o.output_ids);
        o.metrics["first_divergence"] =
            static_cast<double>(metrics::first_divergence_step(full->output_ids, o.output_ids));
        o.metrics["rouge_l_vs_full"] = metrics::output_rouge_l(o.prediction, full->text);
        if (!full->step_logits.empty()) {
            if (auto kl = metrics::mean_kl_from_logits(full->step_logits, run.step_logits)) {
                o.metrics["kl_vs_full"] = *kl;
            }
        }
    }
    return o;
}

UnscoredSample run_sample(const model::Model& model, const tokenizer::Tokenizer& tok,
                          const EvalSample& sample, const kv::CompressionConfig& cfg,
                          const FullReference* full, FullReference* capture,
                          const EvalCallbacks& cb) {
    SampleRun run(model, tok, sample, cfg, full, capture, cb, true);
    std::int64_t steps = 0;
    const auto t0 = Clock::now();
    while (run.wants_more()) {
        run.session().decode_step_into(run.last(), run.logits());
        ++steps;
        run.take(run.logits());
    }
    return run.finish(run.first_ms() + ms_since(t0), steps);
}

SampleOutcome evaluate_sample(const model::Model& model, const tokenizer::Tokenizer& tok,
                              const EvalSample& sample, const kv::CompressionConfig& cfg,
                              const FullReference* full, FullReference* capture,
                              const EvalCallbacks& cb) {
    return score_sample(tok, run_sample(model, tok, sample, cfg, full, capture, cb));
}

void run_samples_batched(const model::Model& model, const tokenizer::Tokenizer& tok,
                         std::span<const SampleJob> jobs, std::int32_t batch_size,
                         const BatchedRunDone& done) {
    std::size_t given = 0;
    std::vector<std::size_t> job_of;  // the driver numbers the sequences it was given
    reset_peak_rss();
    model::run_batched(
        model, batch_size,
        [&]() -> std::unique_ptr<model::BatchSequence> {
            while (given < jobs.size()) {
                const SampleJob& j = jobs[given++];
                try {
                    auto run =
                        std::make_unique<SampleRun>(model, tok, *j.sample, *j.cfg, j.full,
                                                    j.capture, j.callbacks, false, j.prefill);
                    job_of.push_back(given - 1);
                    return run;
                } catch (const std::exception&) {
                    done(given - 1, nullptr, std::current_exception());
                }
            }
            return nullptr;
        },
        [&](std::size_t index, std::unique_ptr<model::BatchSequence> seq, double share,
            std::int64_t steps) {
            auto& run = static_cast<SampleRun&>(*seq);
            UnscoredSample u;
            std::exception_ptr error;
            try {
                u = run.finish(run.first_ms() + share, steps);
                u.outcome.batch_size = batch_size;
            } catch (const std::exception&) {
                error = std::current_exception();
            }
            seq.reset();  // the cache goes before the next sample's prefill
            done(job_of[index], error ? nullptr : &u, error);
        });
}

void evaluate_samples_batched(const model::Model& model, const tokenizer::Tokenizer& tok,
                              std::span<const SampleJob> jobs, std::int32_t batch_size,
                              const BatchedSampleDone& done) {
    run_samples_batched(model, tok, jobs, batch_size,
                        [&](std::size_t job, UnscoredSample* run, std::exception_ptr error) {
                            if (error) {
                                done(job, nullptr, error);
                                return;
                            }
                            SampleOutcome o;
                            try {
                                o = score_sample(tok, std::move(*run));
                            } catch (const std::exception&) {
                                error = std::current_exception();
                            }
                            done(job, error ? nullptr : &o, error);
                        });
}

}  // namespace hace::eval
