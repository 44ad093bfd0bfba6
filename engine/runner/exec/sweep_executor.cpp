#include "engine/runner/exec/sweep_executor.h"

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "engine/core/dtype.h"
#include "engine/core/error.h"
#include "engine/core/work_pool.h"
#include "engine/eval/evaluate/sample_eval.h"
#include "engine/eval/hiv/hiv_task.h"
#include "engine/eval/stats/cell_statistics.h"
#include "engine/model/model.h"
#include "engine/runner/batch_size.h"
#include "engine/runner/db_lock.h"
#include "engine/runner/exec/engine_context.h"
#include "engine/runner/exec/method_config.h"
#include "engine/runner/exec/model_info.h"
#include "engine/runner/exec/ordered_writer.h"
#include "engine/runner/exec/pending_scores.h"
#include "engine/runner/exec/run_batch_size.h"
#include "engine/runner/exec/sample_builder.h"
#include "engine/runner/exec/sample_record.h"
#include "engine/runner/plan_report.h"
#include "engine/runner/run_manifest.h"
#include "engine/runner/sweep_validate.h"

namespace hace::runner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Thrown from inside a long step (the HIV trials) when the run is cancelled.
struct Cancelled {};

std::string format_retention(double r) {
    std::ostringstream s;
    s << r;
    return s.str();
}

struct CellState {
    std::size_t index = 0;
    const RunCell* cell = nullptr;
    std::set<std::int64_t> done;  // sample indices stored (before or during this run)
    bool failed = false;          // skipped as failed, or failed in this run
    bool active = false;          // has samples to run in this run
    bool finished = false;        // complete (marked done)
    std::int64_t limit = 0;       // samples it should have: min(planned, available)
    std::optional<kv::CompressionConfig> config;

    bool is_full() const { return cell->method == "full"; }
    bool needs(std::int64_t i) const { return active && i < limit && !done.count(i); }
    bool complete_by_count() const {
        for (std::int64_t i = 0; i < cell->samples; ++i) {
            if (!done.count(i)) return false;
        }
        return true;
    }
};

// Cells of one model sharing a task entry and a context length: one set of samples.
struct Group {
    std::size_t model_index = 0;
    std::vector<CellState*> cells;
    bool hiv = false;
};

class Executor {
public:
    Executor(const SweepSpec& spec, const fs::path& db, const RunOptions& options)
        : spec_(spec), db_(db), opt_(options), start_(Clock::now()) {}

    RunSummary run() {
        summary_.name = spec_.name;
        summary_.db = db_;
        const ValidationContext ctx = engine_validation_context();
        plan_ = plan_sweep(spec_, ctx, opt_.cell_group, batch_override());
        summary_.cells = static_cast<std::int64_t>(plan_.cells.size());
        summary_.samples_planned = plan_.total_samples();
        if (opt_.dry_run) {
            emit([&] {
                if (opt_.events.on_sweep_started) opt_.events.on_sweep_started(plan_);
            });
            return finish();
        }
        if (batch_size() < 1 || batch_size() > kMaxBatchSize) {
            throw InputError("batch size " + std::to_string(batch_size()) + " is outside 1.." +
                             std::to_string(kMaxBatchSize));
        }
        if (plan_.batch_size_auto) {
            log(LogLevel::Info, "batch size " + std::to_string(batch_size()) +
                                    " (auto: " + human_bytes(plan_.auto_available_bytes) +
                                    " available on " + plan_.device + ")");
            const double budget = double(plan_.auto_available_bytes) * (1.0 - kAutoBatchMargin);
            if (double(plan_.max_peak_bytes()) > budget) {
                log(LogLevel::Warning, "the largest cell's estimated peak, " +
                                           human_bytes(plan_.max_peak_bytes()) +
                                           ", exceeds the memory auto may use even at B = 1");
            }
        }
        if (batch_size() > 1) prefill_share_budget_ = prefill_share_budget();
        if (opt_.threads > 0) model::set_compute_threads(opt_.threads);
        // Before SQLite opens the file: a second run on this database is refused here, not
        // left waiting for the first one's write transaction (db_lock.h).
        lock_.emplace(DbWriterLock::acquire(db_));
        store_.emplace(ResultStore::open(db_, opt_.store));
        load_states();
        register_run();
        emit([&] {
            if (opt_.events.on_sweep_started) opt_.events.on_sweep_started(plan_);
        });
        make_groups();
        // Declared before the writer: the pool's jobs never touch it, and pool_ stays readable
        // by the writer's progress events until the writer has stopped.
        WorkPool pool(std::max<std::size_t>(1, opt_.workers),
                      std::max<std::size_t>(1, opt_.work_queue));
        pool_ = &pool;
        {
            OrderedWriter writer(opt_.write_queue);
            writer_ = &writer;
            try {
                run_groups();
                writer.drain();
            } catch (const Cancelled&) {
                summary_.cancelled = true;
                writer.drain();
            }
            writer_ = nullptr;
        }
        pool_ = nullptr;
        collect_failures();
        return finish();
    }

private:
    // ---- setup ------------------------------------------------------------------------------

    void load_states() {
        states_.resize(plan_.cells.size());
        std::int64_t stored_cells = 0;
        for (std::size_t i = 0; i < plan_.cells.size(); ++i) {
            CellState& s = states_[i];
            s.index = i;
            s.cell = &plan_.cells[i];
            for (auto k : store_->done_samples(s.cell->hash)) s.done.insert(k);
            CellStatus status = CellStatus::Pending;
            try {
                status = store_->cell_status(s.cell->hash);
            } catch (const std::invalid_argument&) {
                // A cell this database has not seen yet.
            }
            if (!s.done.empty() || status == CellStatus::Done || status == CellStatus::Failed) {
                ++stored_cells;
            }
            s.failed = status == CellStatus::Failed && !opt_.retry_failed;
        }
        if (stored_cells > 0 && !opt_.resume && !opt_.retry_failed) {
            throw_input(db_.string(), "already holds results of " + std::to_string(stored_cells) +
                                          " cells of this sweep; pass --resume to continue it "
                                          "(or use another --db)");
        }
    }

    void register_run() {
        const std::int64_t sweep = store_->register_sweep(spec_.name, spec_.json);
        std::vector<CellRecord> records;
        for (const auto& c : plan_.cells) records.push_back({c.config, c.samples});
        store_->add_cells(sweep, records);
        if (opt_.retry_failed) {
            const auto n = store_->reset_failed();
            if (n > 0) log(LogLevel::Info, "reset " + std::to_string(n) + " failed cells");
        }
        summary_.sweep_id = sweep;
        summary_.run_id = store_->start_run(sweep, manifest());
        std::lock_guard lock(progress_mutex_);
        for (const auto& s : states_) {
            progress_.total += s.cell->samples;
            const auto stored = static_cast<std::int64_t>(s.done.size());
            progress_.skipped += std::min(stored, s.cell->samples);
            if (s.failed) progress_.failed += std::max<std::int64_t>(0, s.cell->samples - stored);
        }
    }

    json manifest() const {
        json m = base_manifest();
        m["backend"] = model::backend_description();
        m["compute_threads"] = model::compute_threads();
        m["device"] = spec_.device;
        m["dtype"] = spec_.dtype;
        m["decoding"] = spec_.decoding.identity();
        m["seed"] = spec_.decoding.seed;
        // How exports and tables compute intervals and tests (their bootstrap seed included).
        m["statistics"] = stats::statistics_description();
        m["mode"] = spec_.mode;
        m["query"] = spec_.query;
        m["store_kept"] = spec_.store_kept;
        if (batch_size() > 1) {
            m["batched"] = batch_size();
            // One prompt forward per sample, replayed by the sample's other runs
            // (run_samples_batched) while the batch's recordings fit this budget.
            m["shared_prefill"] = prefill_share_budget_ > 0;
            m["shared_prefill_budget_bytes"] = prefill_share_budget_;
        }
        if (plan_.batch_size_auto) {
            // "batched" is absent when auto chose 1; the resolved B is always here.
            m["batch_size_auto"] = true;
            m["batch_size"] = batch_size();
            m["batch_available_bytes"] = plan_.auto_available_bytes;
            m["batch_memory_margin"] = kAutoBatchMargin;
        }
        m["budgets"] = spec_.budgets;
        m["spec_source"] = spec_.source;
        m["database"] = db_.string();
        m["resume"] = opt_.resume;
        m["retry_failed"] = opt_.retry_failed;
        m["cell_group"] = opt_.cell_group ? json(opt_.cell_group->text()) : json(nullptr);
        json models = json::object();
        json hyper = json::object();
        json tasks = json::object();
        for (const auto& c : plan_.cells) {
            models[c.model.name] = c.model_dir.string();
            if (!c.method.empty()) hyper[c.method_name] = c.method_params;
            tasks[c.task.where] = {{"id", c.task.id},
                                   {"options", c.task.options},
                                   {"max_new_tokens", c.max_new_tokens},
                                   {"query", c.query}};
        }
        m["models"] = models;
        m["hyperparameters"] = hyper;
        m["tasks"] = tasks;
        return m;
    }

    void make_groups() {
        std::map<std::tuple<std::size_t, std::string, std::int64_t>, std::size_t> by_key;
        for (auto& s : states_) {
            const RunCell& c = *s.cell;
            const bool hiv = is_hiv_cell(c);
            const auto key = std::make_tuple(c.model_index, c.task.where,
                                             hiv ? std::int64_t(-1) : c.context_length);
            auto it = by_key.find(key);
            if (it == by_key.end()) {
                it = by_key.emplace(key, groups_.size()).first;
                groups_.push_back({c.model_index, {}, hiv});
            }
            groups_[it->second].cells.push_back(&s);
        }
        // Models in plan order, each model's groups in plan order: one load per model.
        std::stable_sort(groups_.begin(), groups_.end(), [](const Group& a, const Group& b) {
            return a.model_index < b.model_index;
        });
    }

    // ---- the run ----------------------------------------------------------------------------

    bool group_has_work(const Group& g) const {
        for (const CellState* s : g.cells) {
            if (!s->failed && !s->complete_by_count()) return true;
        }
        return false;
    }

    // The samples of a group, or why they could not be built; none when nothing is to run.
    struct Built {
        bool wanted = false;
        std::vector<eval::EvalSample> samples;
        std::string error;
    };

    void run_groups() {
        SampleBuilder builder(
            [this](const std::string& problem) { log(LogLevel::Warning, problem); });
        // The samples of the next group are built on the worker pool while the model runs the
        // current one; one build at a time, so the builder's tokenizers are never used by two
        // threads at once.
        std::future<Built> next;
        struct WaitForBuild {  // a build in flight uses `builder`: it ends before the builder
            std::future<Built>& f;
            ~WaitForBuild() {
                if (f.valid()) f.wait();
            }
        } wait_for_build{next};
        auto launch = [&](std::size_t gi) -> std::future<Built> {
            const Group& g = groups_[gi];
            if (g.hiv || !group_has_work(g)) return {};
            const RunCell* cell = g.cells.front()->cell;
            return pool_->submit([&builder, cell] {
                Built b;
                b.wanted = true;
                try {
                    b.samples = builder.build(*cell);
                } catch (const std::exception& e) {
                    b.error = e.what();
                }
                return b;
            });
        };
        if (!groups_.empty()) next = launch(0);
        for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
            Built built;
            if (next.valid()) {
                stage("building samples");
                built = next.get();
            }
            if (gi + 1 < groups_.size()) next = launch(gi + 1);
            Group& g = groups_[gi];
            if (g.hiv) {
                run_hiv_group(g);
            } else {
                run_group(g, built);
            }
            writer_->rethrow();
        }
    }

    // Resolved once, when the run is planned (run_batch_size.h).
    std::int32_t batch_size() const { return plan_.batch_size; }
    std::optional<BatchRequest> batch_override() const {
        if (opt_.batch_size_auto) return BatchRequest{1, true};
        if (opt_.batch_size) return BatchRequest{*opt_.batch_size, false};
        return std::nullopt;
    }

    void check_boundary() {
        writer_->rethrow();
        while (opt_.pause && opt_.pause->load() && !(opt_.cancel && opt_.cancel->load())) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (opt_.cancel && opt_.cancel->load()) throw Cancelled{};
    }

    // Marks cells complete without work, counts what is skipped, starts the others.
    void start_cells(Group& g, std::int64_t available) {
        for (CellState* s : g.cells) {
            if (s->failed) continue;
            s->limit = std::min(s->cell->samples, available);
            if (s->limit < s->cell->samples) {
                std::lock_guard lock(progress_mutex_);
                progress_.total -= s->cell->samples - s->limit;
            }
            bool missing = false;
            for (std::int64_t i = 0; i < s->limit; ++i) missing = missing || !s->done.count(i);
            if (!missing) {
                finish_cell(*s);
                continue;
            }
            try {
                s->config = config_for(*s->cell);
            } catch (const std::exception& e) {
                fail_cell(*s, e.what());
                continue;
            }
            s->active = true;
            const std::string hash = s->cell->hash;
            const CellRef ref = ref_of(*s);
            writer_->push([this, hash, ref] {
                store_->mark_cell_running(hash);
                emit([&] {
                    if (opt_.events.on_cell_started) opt_.events.on_cell_started(ref);
                });
            });
        }
    }

    kv::CompressionConfig config_for(const RunCell& c) {
        const model::ModelConfig& mc = model_->config();
        MethodSetup setup;
        setup.method = c.method;
        setup.mode = c.mode;
        setup.params = c.method_params;
        setup.retention = c.retention;
        setup.capacity = c.capacity;
        setup.head_scores = c.head_scores;
        return compression_config_for(setup, mc, head_scores_);
    }

    void run_group(Group& g, Built& built) {
        if (!built.wanted) {  // nothing to run: every cell complete or failed
            for (CellState* s : g.cells) {
                if (!s->failed) finish_cell(*s);
            }
            return;
        }
        if (!built.error.empty()) {
            for (CellState* s : g.cells) {
                if (!s->failed) fail_cell(*s, "building the samples: " + built.error);
            }
            return;
        }
        check_boundary();
        if (!load_model_for(g)) return;
        start_cells(g, static_cast<std::int64_t>(built.samples.size()));
        stage("running");
        if (batch_size() > 1) {
            run_samples_batched(g, built.samples);
        } else {
            for (std::size_t i = 0; i < built.samples.size(); ++i) {
                run_sample(g, static_cast<std::int64_t>(i), built.samples[i]);
            }
        }
        for (CellState* s : g.cells) {
            if (s->active && !s->failed) finish_cell(*s);
        }
    }

    void run_sample(Group& g, std::int64_t i, const eval::EvalSample& sample) {
        bool compressed_need = false;
        for (const CellState* s : g.cells) compressed_need |= !s->is_full() && s->needs(i);
        eval::FullReference reference;
        bool have_reference = false;
        for (CellState* s : g.cells) {
            if (!s->is_full() || !s->needs(i)) continue;
            check_boundary();
            eval::FullReference capture;
            if (run_cell_sample(*s, i, sample, nullptr, &capture) && !have_reference) {
                reference = std::move(capture);
                have_reference = true;
            }
        }
        if (compressed_need && !have_reference) {
            // Stored already (resume) or not a cell of this sweep: the reference is recomputed,
            // not stored.
            check_boundary();
            have_reference = run_reference(sample, reference);
        }
        // The compressing cells: each run is scored on the worker pool while the engine runs
        // the next cell; the outcomes are settled in cell order before the next sample (and
        // before a cancel leaves: what was finished is stored).
        PendingScores pending(*pool_, *tok_,
                              [&](std::size_t c, eval::SampleOutcome* o, std::exception_ptr error) {
                                  CellState& s = *g.cells[c];
                                  if (error) {
                                      fail_sample(s, i, sample, error);
                                  } else {
                                      store_outcome(s, i, sample, *o);
                                  }
                              });
        try {
            for (std::size_t c = 0; c < g.cells.size(); ++c) {
                CellState* s = g.cells[c];
                if (s->is_full() || !s->needs(i)) continue;
                check_boundary();
                try {
                    if (opt_.before_sample) opt_.before_sample(*s->cell, i);
                    pending.add(c, eval::run_sample(*model_, *tok_, sample, *s->config,
                                                    have_reference ? &reference : nullptr, nullptr,
                                                    callbacks_for(*s, i)));
                } catch (...) {
                    pending.add_failed(c, std::current_exception());
                }
                report_queue();
                pending.settle_ready();
            }
        } catch (const Cancelled&) {
            pending.settle_all();
            throw;
        }
        pending.settle_all();
        report_queue();
    }

    bool run_reference(const eval::EvalSample& sample, eval::FullReference& reference) {
        try {
            kv::CompressionConfig full;  // method "full"
            (void)eval::evaluate_sample(*model_, *tok_, sample, full, nullptr, &reference);
            return true;
        } catch (const std::exception& e) {
            log(LogLevel::Warning, "sample " + sample.id +
                                       ": the full-cache reference failed, no consistency "
                                       "metrics for it: " +
                                       e.what());
            return false;
        }
    }

    // Runs and queues one (cell, sample); false when the cell failed.
    bool run_cell_sample(CellState& s, std::int64_t i, const eval::EvalSample& sample,
                         const eval::FullReference* full, eval::FullReference* capture) {
        eval::SampleOutcome outcome;
        try {
            if (opt_.before_sample) opt_.before_sample(*s.cell, i);
            outcome = eval::evaluate_sample(*model_, *tok_, sample, *s.config, full, capture,
                                            callbacks_for(s, i));
        } catch (...) {
            fail_sample(s, i, sample, std::current_exception());
            return false;
        }
        store_outcome(s, i, sample, outcome);
        return true;
    }

    eval::EvalCallbacks callbacks_for(const CellState& s, std::int64_t i) {
        const CellRef ref = ref_of(s);
        eval::EvalCallbacks cb;
        if (opt_.events.on_layers) {
            cb.on_layers = [this, ref, i](const std::vector<eval::LayerSummary>& layers) {
                emit([&] { opt_.events.on_layers(ref, i, layers); });
            };
        }
        cb.record_kept = spec_.store_kept;
        return cb;
    }

    void fail_sample(CellState& s, std::int64_t i, const eval::EvalSample& sample,
                     std::exception_ptr error) {
        try {
            std::rethrow_exception(error);
        } catch (const std::bad_alloc&) {
            fail_cell(s, "out of memory (std::bad_alloc) at sample " + std::to_string(i));
        } catch (const std::exception& e) {
            fail_cell(s, "sample " + std::to_string(i) + " (" + sample.id + "): " + e.what());
        }
    }

    void store_outcome(CellState& s, std::int64_t i, const eval::EvalSample& sample,
                       const eval::SampleOutcome& outcome) {
        s.done.insert(i);
        auto record = std::make_shared<SampleResult>(sample_record(*s.cell, i, sample, outcome));
        record->run_id = summary_.run_id;
        if (outcome.kept) record->kept = kept_record(sample, *outcome.kept, *tok_);
        queue_write(ref_of(s), std::move(record));
    }

    // ---- batched (batch_size > 1) ------------------------------------------------------------
    // Samples go in chunks of B. Per chunk: the full cells' runs (each captures; a sample's
    // first successful capture in cell order is its reference, as run_sample chooses), then the
    // references no full cell of this run provides, then every compressing cell's runs against
    // them, each phase through evaluate_samples_batched. Pause and cancel take effect between
    // phases; a cell that fails keeps no later outcome of the chunk.

    struct BatchedJob {
        CellState* cell = nullptr;  // null: an unstored full reference
        std::int64_t index = 0;
    };

    // Each finished run is scored on the worker pool while the engine decodes the others; the
    // outcomes are settled in the order the runs finished, all of them before this returns (the
    // next phase needs this phase's references and knows which cells failed).
    void run_jobs_batched(std::vector<BatchedJob>& who, std::vector<eval::SampleJob>& jobs,
                          const std::vector<eval::EvalSample>& samples,
                          const std::function<void(std::size_t, bool)>& after) {
        if (jobs.empty()) return;
        PendingScores pending(
            *pool_, *tok_, [&](std::size_t j, eval::SampleOutcome* o, std::exception_ptr error) {
                const BatchedJob& w = who[j];
                const eval::EvalSample& sample = samples[static_cast<std::size_t>(w.index)];
                if (!w.cell) {
                    if (error) {
                        try {
                            std::rethrow_exception(error);
                        } catch (const std::exception& e) {
                            log(LogLevel::Warning,
                                "sample " + sample.id +
                                    ": the full-cache reference failed, no consistency "
                                    "metrics for it: " +
                                    e.what());
                        }
                    }
                } else if (error) {
                    if (!w.cell->failed) fail_sample(*w.cell, w.index, sample, error);
                } else if (!w.cell->failed) {
                    store_outcome(*w.cell, w.index, sample, *o);
                }
                after(j, !error && (!w.cell || !w.cell->failed));
            });
        eval::run_samples_batched(
            *model_, *tok_, jobs, batch_size(),
            [&](std::size_t j, eval::UnscoredSample* run, std::exception_ptr error) {
                if (error) {
                    pending.add_failed(j, error);
                } else {
                    pending.add(j, std::move(*run));
                }
                report_queue();
                pending.settle_ready();
            });
        pending.settle_all();
        report_queue();
    }

    // Memory for prefill sharing: what the memory budget of "auto" (batch_size.h: available
    // memory less kAutoBatchMargin) leaves beside the plan's largest estimated peak at this B.
    // A fixed B reads the available memory here; 0 (no sharing) when it cannot be read.
    std::int64_t prefill_share_budget() {
        std::int64_t available = plan_.auto_available_bytes;
        if (!plan_.batch_size_auto) {
            try {
                available = available_memory_bytes(plan_.device);
            } catch (const std::exception& e) {
                log(LogLevel::Info, std::string("no prefill sharing: ") + e.what());
                return 0;
            }
        }
        const double left =
            double(available) * (1.0 - kAutoBatchMargin) - double(plan_.max_peak_bytes());
        return left > 0 ? static_cast<std::int64_t>(left) : 0;
    }

    // Whether the n samples from i0 share their prompt forwards: their recordings
    // (cost_model.h) fit the budget. Otherwise every run of the chunk prefills alone.
    bool share_prefill(const std::vector<eval::EvalSample>& samples, std::size_t i0,
                       std::size_t n) {
        const ModelInfo info = model_info_of(model_->config(), "");
        const auto s = static_cast<std::int64_t>(dtype_size(model_->run_dtype()));
        std::int64_t bytes = 0;
        for (std::size_t k = 0; k < n; ++k) {
            bytes += prompt_recording_bytes(
                info, static_cast<std::int64_t>(samples[i0 + k].prompt.size()), s);
        }
        if (bytes <= prefill_share_budget_) return true;
        if (!share_refused_logged_) {
            share_refused_logged_ = true;
            log(LogLevel::Info, "prefill not shared: the recordings of a batch (" +
                                    human_bytes(bytes) + ") exceed the " +
                                    human_bytes(prefill_share_budget_) + " left for them");
        }
        return false;
    }

    // Adds (cell, i) to the batch unless before_sample refuses it (which fails the cell).
    bool add_job(std::vector<BatchedJob>& who, std::vector<eval::SampleJob>& jobs, CellState* s,
                 std::int64_t i, const eval::EvalSample& sample, const kv::CompressionConfig& cfg,
                 const eval::FullReference* full, eval::FullReference* capture,
                 eval::SharedPrefill* prefill) {
        if (s) {
            try {
                if (opt_.before_sample) opt_.before_sample(*s->cell, i);
            } catch (...) {
                fail_sample(*s, i, sample, std::current_exception());
                return false;
            }
        }
        who.push_back({s, i});
        jobs.push_back({&sample, &cfg, full, capture,
                        s ? callbacks_for(*s, i) : eval::EvalCallbacks{}, prefill});
        return true;
    }

    void run_samples_batched(Group& g, const std::vector<eval::EvalSample>& samples) {
        const auto b = static_cast<std::size_t>(batch_size());
        const kv::CompressionConfig full_cfg;  // method "full"
        for (std::size_t i0 = 0; i0 < samples.size(); i0 += b) {
            const std::size_t n = std::min(b, samples.size() - i0);
            std::vector<eval::FullReference> refs(n);
            std::vector<bool> have(n, false);
            std::vector<bool> compressed_need(n, false);
            // Prefill sharing: no cache changes the prompt forward (every cache attends the
            // prompt over its own K/V, and no cache or task prefills a prompt in several chunks
            // with compression between them), so the sample's first run records it and its other
            // runs replay it (eval::SharedPrefill). B = 1 never shares: its rows are the
            // standalone timings speed tables use.
            std::vector<eval::SharedPrefill> shared(n);
            const bool share = share_prefill(samples, i0, n);
            const auto prefill_of = [&](std::size_t k) { return share ? &shared[k] : nullptr; };
            for (std::size_t k = 0; k < n; ++k) {
                for (const CellState* s : g.cells) {
                    compressed_need[k] =
                        compressed_need[k] || (!s->is_full() && s->needs(std::int64_t(i0 + k)));
                }
            }
            // Phase 1: the full cells, each capturing.
            check_boundary();
            std::vector<BatchedJob> who;
            std::vector<eval::SampleJob> jobs;
            std::vector<eval::FullReference> captures;
            captures.reserve(n * g.cells.size());  // stable addresses for the jobs
            for (std::size_t k = 0; k < n; ++k) {
                const auto i = static_cast<std::int64_t>(i0 + k);
                for (CellState* s : g.cells) {
                    if (!s->is_full() || !s->needs(i)) continue;
                    captures.emplace_back();
                    if (!add_job(who, jobs, s, i, samples[i0 + k], *s->config, nullptr,
                                 &captures.back(), prefill_of(k))) {
                        captures.pop_back();
                    }
                }
            }
            std::vector<bool> ok(jobs.size(), false);
            run_jobs_batched(who, jobs, samples, [&](std::size_t j, bool good) { ok[j] = good; });
            for (std::size_t j = 0; j < jobs.size(); ++j) {
                const std::size_t k = static_cast<std::size_t>(who[j].index) - i0;
                if (ok[j] && !have[k]) {
                    refs[k] = std::move(captures[j]);
                    have[k] = true;
                }
            }
            // Phase 2: references nobody stores (resumed, or no full cell in this sweep).
            check_boundary();
            who.clear();
            jobs.clear();
            for (std::size_t k = 0; k < n; ++k) {
                if (compressed_need[k] && !have[k]) {
                    add_job(who, jobs, nullptr, std::int64_t(i0 + k), samples[i0 + k], full_cfg,
                            nullptr, &refs[k], prefill_of(k));
                }
            }
            run_jobs_batched(who, jobs, samples, [&](std::size_t j, bool good) {
                if (good) have[static_cast<std::size_t>(who[j].index) - i0] = true;
            });
            // Phase 3: the compressing cells against the references.
            check_boundary();
            who.clear();
            jobs.clear();
            for (std::size_t k = 0; k < n; ++k) {
                const auto i = static_cast<std::int64_t>(i0 + k);
                for (CellState* s : g.cells) {
                    if (s->is_full() || !s->needs(i)) continue;
                    add_job(who, jobs, s, i, samples[i0 + k], *s->config,
                            have[k] ? &refs[k] : nullptr, nullptr, prefill_of(k));
                }
            }
            run_jobs_batched(who, jobs, samples, [](std::size_t, bool) {});
        }
    }

    void queue_write(const CellRef& ref, std::shared_ptr<SampleResult> record) {
        writer_->push([this, ref, record] {
            if (store_->write_sample(*record) == WriteOutcome::Duplicate) {
                log(LogLevel::Warning, "sample " + std::to_string(record->sample_index) + " of " +
                                           cell_label(*ref.cell) +
                                           " was already stored; kept the stored row");
                return;
            }
            ProgressEvent p;
            {
                std::lock_guard lock(progress_mutex_);
                ++progress_.done;
                p = progress_snapshot();
            }
            emit([&] {
                if (opt_.events.on_sample_finished) {
                    opt_.events.on_sample_finished({ref, record->sample_index, record->sample_id,
                                                    record->prediction, record->metrics});
                }
                if (opt_.events.on_progress) opt_.events.on_progress(p);
            });
        });
    }

    void run_hiv_group(Group& g) {
        for (CellState* s : g.cells) {
            if (s->failed) continue;
            s->limit = 1;
            if (s->done.count(0)) {
                finish_cell(*s);
                continue;
            }
            check_boundary();
            if (!load_model_for(g)) return;
            s->active = true;
            const CellRef ref = ref_of(*s);
            const std::string hash = s->cell->hash;
            writer_->push([this, hash, ref] {
                store_->mark_cell_running(hash);
                emit([&] {
                    if (opt_.events.on_cell_started) opt_.events.on_cell_started(ref);
                });
            });
            stage("HIV test");
            eval::HivRunOptions run;
            run.on_trial = [this](const eval::HivProgress& p) {
                if (opt_.cancel && opt_.cancel->load()) throw Cancelled{};
                stage("HIV trial " + std::to_string(p.done) + "/" + std::to_string(p.total) + " (" +
                      std::to_string(p.accepted) + " accepted)");
            };
            try {
                if (opt_.before_sample) opt_.before_sample(*s->cell, 0);
                const auto opts = hiv_task_options(s->cell->task, spec_.data);
                const auto result = eval::run_hiv_task(*model_, *tok_, opts, run);
                const fs::path scores = hiv_score_path(db_, s->cell->model.name);
                fs::create_directories(scores.parent_path());
                eval::write_hiv_outputs(scores, result);
                s->done.insert(0);
                auto record = std::make_shared<SampleResult>(hiv_record(*s->cell, result, scores));
                record->run_id = summary_.run_id;
                queue_write(ref, std::move(record));
                log(LogLevel::Info,
                    "HIV scores of " + s->cell->model.name + ": " + scores.string());
            } catch (const Cancelled&) {
                throw;
            } catch (const std::exception& e) {
                fail_cell(*s, e.what());
                continue;
            }
            finish_cell(*s);
        }
    }

    // ---- cell state -------------------------------------------------------------------------

    void finish_cell(CellState& s) {
        if (s.finished) return;
        s.finished = true;
        ++summary_.cells_done;
        const std::string hash = s.cell->hash;
        const CellRef ref = ref_of(s);
        writer_->push([this, hash, ref] {
            if (store_->cell_status(hash) != CellStatus::Done) store_->mark_cell_done(hash);
            emit([&] {
                if (opt_.events.on_cell_finished) opt_.events.on_cell_finished(ref);
            });
        });
    }

    void fail_cell(CellState& s, const std::string& reason) {
        s.failed = true;
        s.active = false;
        const std::int64_t planned = s.limit > 0 ? s.limit : s.cell->samples;
        std::int64_t left = 0;
        for (std::int64_t i = 0; i < planned; ++i) left += s.done.count(i) ? 0 : 1;
        {
            std::lock_guard lock(progress_mutex_);
            progress_.failed += left;
        }
        const std::string hash = s.cell->hash;
        const CellRef ref = ref_of(s);
        log(LogLevel::Warning, "cell failed: " + cell_label(*s.cell) + ": " + reason);
        writer_->push([this, hash, ref, reason] {
            store_->mark_cell_failed(hash, reason);
            emit([&] {
                if (opt_.events.on_cell_failed) opt_.events.on_cell_failed(ref, reason);
            });
        });
    }

    void collect_failures() {
        std::map<std::string, std::string> reasons;
        for (const auto& f : store_->failed_cells()) reasons[f.hash] = f.reason;
        for (const auto& s : states_) {
            const auto it = reasons.find(s.cell->hash);
            if (it != reasons.end()) {
                summary_.failures.push_back({s.cell->hash, cell_label(*s.cell), it->second});
            }
        }
        std::lock_guard lock(progress_mutex_);
        summary_.samples_done = progress_.done;
        summary_.samples_skipped = progress_.skipped;
        summary_.samples_planned = progress_.total;
    }

    CellRef ref_of(const CellState& s) const { return {s.index, s.cell}; }

    // ---- model ------------------------------------------------------------------------------

    // A model that does not load fails the group's cells; the sweep goes on with the others.
    bool load_model_for(Group& g) {
        try {
            ensure_model(g.cells.front()->cell->model_dir);
            return true;
        } catch (const std::exception& e) {
            for (CellState* s : g.cells) {
                if (!s->failed && !s->finished)
                    fail_cell(*s, std::string("loading the model: ") + e.what());
            }
            return false;
        }
    }

    void ensure_model(const fs::path& dir) {
        if (model_ && model_dir_ == dir) return;
        model_.reset();
        tok_.reset();
        stage("loading model " + model_name_of(dir));
        model::LoadOptions load;
        load.device = spec_.device;
        load.dtype = dtype_from_run_name(spec_.dtype);
        model_ = model::load_model(dir, load);
        tok_ = tokenizer::load_tokenizer(dir);
        model_dir_ = dir;
        log(LogLevel::Info, "loaded " + dir.string() + " (" + model::backend_description() + ")");
    }

    // ---- events -----------------------------------------------------------------------------

    template <class F>
    void emit(F&& f) {
        std::lock_guard lock(events_mutex_);
        f();
    }

    void log(LogLevel level, const std::string& line) {
        emit([&] {
            if (opt_.events.on_log) opt_.events.on_log(level, line);
        });
    }

    ProgressEvent progress_snapshot() const {  // progress_mutex_ held
        ProgressEvent p = progress_;
        p.worker_queue = pool_ ? static_cast<std::int64_t>(pool_->depth()) : 0;
        p.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
        const std::int64_t left = p.total - p.done - p.skipped - p.failed;
        p.eta_s = p.done > 0 ? p.elapsed_s / static_cast<double>(p.done) *
                                   static_cast<double>(std::max<std::int64_t>(0, left))
                             : -1.0;
        return p;
    }

    void stage(const std::string& what) {
        ProgressEvent p;
        {
            std::lock_guard lock(progress_mutex_);
            progress_.stage = what;
            p = progress_snapshot();
        }
        emit([&] {
            if (opt_.events.on_progress) opt_.events.on_progress(p);
        });
    }

    // A progress event when the worker pool's queue changed since the last one reported here
    // (model thread), so the monitor follows the queue between stored rows too.
    void report_queue() {
        const std::size_t depth = pool_->depth();
        if (depth == reported_queue_) return;
        reported_queue_ = depth;
        ProgressEvent p;
        {
            std::lock_guard lock(progress_mutex_);
            p = progress_snapshot();
        }
        emit([&] {
            if (opt_.events.on_progress) opt_.events.on_progress(p);
        });
    }

    RunSummary finish() {
        summary_.seconds = std::chrono::duration<double>(Clock::now() - start_).count();
        return summary_;
    }

    const SweepSpec& spec_;
    fs::path db_;
    const RunOptions& opt_;
    Clock::time_point start_;
    SweepPlan plan_;
    std::optional<DbWriterLock> lock_;  // declared before the store: released after it closes
    std::optional<ResultStore> store_;
    std::vector<CellState> states_;
    std::vector<Group> groups_;
    OrderedWriter* writer_ = nullptr;
    WorkPool* pool_ = nullptr;        // scoring and sample building (set while the run runs)
    std::size_t reported_queue_ = 0;  // the pool's depth in the last report_queue() event
    HeadScoreCache head_scores_;
    std::unique_ptr<model::Model> model_;
    std::int64_t prefill_share_budget_ = 0;  // bytes; 0: no prefill sharing (always at B = 1)
    bool share_refused_logged_ = false;
    std::unique_ptr<tokenizer::Tokenizer> tok_;
    fs::path model_dir_;
    RunSummary summary_;
    std::mutex events_mutex_;
    std::mutex progress_mutex_;
    ProgressEvent progress_;
};

}  // namespace

json RunSummary::to_json() const {
    json failed = json::array();
    for (const auto& f : failures) {
        failed.push_back({{"cell", f.hash}, {"label", f.label}, {"reason", f.reason}});
    }
    return {{"name", name},
            {"db", db.string()},
            {"cells", cells},
            {"cells_done", cells_done},
            {"samples_planned", samples_planned},
            {"samples_done", samples_done},
            {"samples_skipped", samples_skipped},
            {"failures", failed},
            {"cancelled", cancelled},
            {"sweep", sweep_id ? json(*sweep_id) : json(nullptr)},
            {"run", run_id ? json(*run_id) : json(nullptr)},
            {"seconds", seconds}};
}

RunSummary run_sweep(const SweepSpec& spec, const fs::path& db, const RunOptions& options) {
    return Executor(spec, db, options).run();
}

RunSummary run_sweep(const fs::path& spec_file, const fs::path& db, const RunOptions& options) {
    const SweepSpec spec = load_sweep_spec(spec_file);
    return run_sweep(spec, db, options);
}

fs::path hiv_score_path(const fs::path& db, const std::string& model) {
    return db.parent_path() / (db.stem().string() + ".hiv") / (model + ".json");
}

std::string cell_label(const RunCell& c) {
    std::string s = c.model.name + " / " + c.task.id;
    if (is_hiv_cell(c)) return s;
    s += " / " + c.method_name;
    if (c.retention) s += " R=" + format_retention(*c.retention);
    if (c.capacity) s += " C=" + std::to_string(*c.capacity);
    if (c.query != "aware") s += " (query-" + c.query + ")";
    s += " / ctx " + std::to_string(c.context_length);
    return s;
}

}  // namespace hace::runner
