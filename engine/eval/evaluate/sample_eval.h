// One evaluation sample through the engine (DESIGN.md section 3): generate with a method's
// cache, score the prediction with every metric of the task, and record speed, memory, KV
// statistics, per-layer/per-head compression statistics and consistency with the full cache.
// The sweep runner and the CLI call this; no torch in this header.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval/metrics/scorer.h"
#include "engine/kv/methods.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::eval {

// A prompt ready for the model, with what it is scored against.
struct EvalSample {
    std::string task;  // "niah", "needle", "narrativeqa", ...
    std::string id;    // the dataset's id (or a grid cell name)
    std::vector<model::TokenId> prompt;
    std::vector<std::string> references;   // keyword_recall scores against references[0]
    std::vector<metrics::Metric> metrics;  // metrics[0] is the task's primary score
    std::int32_t max_new_tokens = 32;
    bool stop_at_newline = false;                    // NIAH (section 11.2) stops at a newline
    nlohmann::json meta = nlohmann::json::object();  // length, depth, needle span, chat format...
    // Query-agnostic protocol: prompt[0, query_start) is the context part, compressed before
    // the question is seen; prompt[query_start, n) (the question and the chat suffix) is then
    // appended through the compressed cache one token at a time, as generated tokens are, so
    // the kept set cannot depend on the question. Unset: the whole prompt is prefilled and
    // compressed at once (query-aware, the LongBench protocol of SnapKV/CAKE/HeadKV).
    std::optional<std::int64_t> query_start;
};

// What the full-cache run of the same sample produced; the compressed runs compare against it.
struct FullReference {
    std::vector<model::TokenId> output_ids;
    std::string text;
    std::vector<std::vector<float>> step_logits;  // [step][vocab]; empty: no KL
};

struct LayerSummary {
    std::int64_t layer = 0;
    std::int64_t budget = 0;           // selected entries (window excluded), sum over heads
    std::optional<double> preference;  // CAKE/HACE
    double entropy = 0.0, temporal_variance = 0.0;
    std::vector<std::int64_t> head_kept;  // kept entries per head (window included)
    std::vector<std::int64_t> head_budget;
    double specialization = 0.0;  // 1 - normalised entropy of head_kept (metrics)
    double gini = 0.0;            // Gini coefficient of head_kept
};

// The prompt positions a compressed cache kept after its prefill, per (layer, head) segment.
struct KeptSet {
    std::int64_t tokens = 0;  // prompt length (positions >= query_start were appended, not kept)
    std::int64_t layers = 0, heads = 0;  // heads: KV heads (query heads in faithful per-query-
                                         // head storage)
    std::vector<std::vector<std::int64_t>> segments;  // [layer * heads + head], ascending
};

struct SampleOutcome {
    std::string prediction;  // decoded new tokens, special tokens skipped
    std::vector<model::TokenId> output_ids;
    // Every number of the sample by name: the task metrics ("qa_f1", "keyword_recall",
    // "rouge1_x10", ...; "score" = the primary metric x 100), consistency with the full cache
    // ("token_agreement", "first_divergence", "rouge_l_vs_full", "kl_vs_full"), the cache
    // efficiency ratio ("cache_efficiency"), specialization means ("head_specialization",
    // "head_gini").
    std::map<std::string, double> metrics;
    std::int64_t prompt_tokens = 0;
    double prefill_ms = 0.0, decode_ms = 0.0, decode_ms_per_token = 0.0, tokens_per_s = 0.0;
    double compression_ms = 0.0;  // part of prefill_ms spent compressing
    std::int64_t peak_bytes = 0;  // process peak RSS during the sample (CPU)
    // 1: run alone. B > 1: by evaluate_samples_batched with B slots; decode_ms (and
    // decode_ms_per_token, tokens_per_s) are then this sample's share of the batched steps' wall
    // time, and peak_bytes the process peak since the batch began.
    std::int32_t batch_size = 1;
    // The prompt forward was not run for this sample but replayed from another run of the same
    // sample (SharedPrefill); prefill_ms is then the replay's time.
    bool prefill_replayed = false;
    model::KvStats kv_after_prefill, kv_end;
    std::optional<double> retention_nominal;  // R of the config (unset with --capacity/full)
    double retention_realised = 1.0;          // kept / full entries after prefill
    int kv_bits = 0;
    std::vector<LayerSummary> layers;  // empty for the full cache
    nlohmann::json params;             // every hyperparameter used (CompressionConfig)
    std::optional<KeptSet> kept;       // EvalCallbacks::record_kept, compressing methods
};

struct EvalCallbacks {
    std::function<void(std::int32_t done, std::int32_t total)> on_token;
    // After the prefill of a compressing method: the per-layer summaries (live heatmaps).
    std::function<void(const std::vector<LayerSummary>&)> on_layers;
    // Fill SampleOutcome::kept (the kept-token view; sweeps with "store_kept").
    bool record_kept = false;
};

// Runs one sample. `full` (optional) enables the consistency metrics; `capture` (optional)
// receives this run's outputs and step logits so it can serve as the full reference of the
// compressed runs of the same sample. Throws InputError on bad input (prompt too long, ...).
SampleOutcome evaluate_sample(const model::Model& model, const tokenizer::Tokenizer& tok,
                              const EvalSample& sample, const kv::CompressionConfig& cfg,
                              const FullReference* full = nullptr, FullReference* capture = nullptr,
                              const EvalCallbacks& cb = {});

// A run the engine has finished and not yet scored: everything score_sample needs and no engine
// state (the session and its cache are gone), so it can be scored on another thread. The
// outcome has every field but the prediction and the metrics; the run's capture (if it had
// one) is already complete. `sample` and `full` must outlive the scoring.
struct UnscoredSample {
    SampleOutcome outcome;
    std::vector<std::vector<float>> step_logits;  // kept only for kl_vs_full
    const EvalSample* sample = nullptr;
    std::optional<double> retention;  // the config's R (cache_efficiency)
    const FullReference* full = nullptr;
};

// The engine's part of evaluate_sample (generation, timing, memory, KV statistics, capture).
UnscoredSample run_sample(const model::Model& model, const tokenizer::Tokenizer& tok,
                          const EvalSample& sample, const kv::CompressionConfig& cfg,
                          const FullReference* full = nullptr, FullReference* capture = nullptr,
                          const EvalCallbacks& cb = {});
// The rest: the decoded prediction, the task metrics, consistency with the full cache, KL from
// the step logits, cache efficiency and head specialization. Thread-safe: reads only `run`, what
// it points to and the (const) tokenizer. evaluate_sample = score_sample(run_sample(...)).
SampleOutcome score_sample(const tokenizer::Tokenizer& tok, UnscoredSample run);

// One sample's prompt forward, handed from job to job of a batched evaluation: a job that
// prefills tokens the recording does not hold records its own forward here (and replaces it),
// a job whose prefill is the recorded one replays it (model::Session::prefill_replayed) instead
// of running the forward again. Greedy outputs, kept positions and metrics stay those of a run
// with its own forward (model/prompt_recording.h). The jobs of a query-agnostic sample prefill
// only its context part when they compress: the first of them records that part.
struct SharedPrefill {
    std::shared_ptr<const model::PromptRecording> recording;
};

// One sample of a batched evaluation: what evaluate_sample takes (pointers stay valid for the
// call).
struct SampleJob {
    const EvalSample* sample = nullptr;
    const kv::CompressionConfig* cfg = nullptr;
    const FullReference* full = nullptr;
    FullReference* capture = nullptr;
    EvalCallbacks callbacks;
    SharedPrefill* prefill = nullptr;  // null: the job runs its own forward
};
// A finished job (its index in `jobs`): its outcome, or the error it failed with (outcome null).
using BatchedSampleDone =
    std::function<void(std::size_t job, SampleOutcome* outcome, std::exception_ptr error)>;

// Runs the jobs with up to batch_size sequences per decode step (continuous batching,
// model/generate_batch.h): each job prefills alone (or replays its SharedPrefill), then decodes in
// batched steps together with the other live jobs; a finished job frees its slot for the next.
// Every outcome has the output ids and metrics evaluate_sample gives the job alone (a batched step
// computes each row as the unbatched step does); only the timing fields are shares
// (SampleOutcome::batch_size). Jobs finish in the order their sequences stop. A job failing its
// checks or prefill is reported and the others go on. A job whose `full` is another job's `capture`
// must come after it has finished: give such jobs to separate calls.
void evaluate_samples_batched(const model::Model& model, const tokenizer::Tokenizer& tok,
                              std::span<const SampleJob> jobs, std::int32_t batch_size,
                              const BatchedSampleDone& done);

// evaluate_samples_batched without the scoring: `done` gets each finished run unscored (the
// caller scores it, e.g. on a worker pool, while the engine decodes the others); it may move
// from *run.
using BatchedRunDone =
    std::function<void(std::size_t job, UnscoredSample* run, std::exception_ptr error)>;
void run_samples_batched(const model::Model& model, const tokenizer::Tokenizer& tok,
                         std::span<const SampleJob> jobs, std::int32_t batch_size,
                         const BatchedRunDone& done);

}  // namespace hace::eval
