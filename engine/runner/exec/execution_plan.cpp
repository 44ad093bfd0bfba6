#include "engine/runner/exec/execution_plan.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/eval/evaluate/task_samples.h"
#include "engine/runner/canonical_json.h"
#include "engine/runner/exec/method_config.h"

namespace hace::runner {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool path_exists(const fs::path& p) {
    std::error_code ec;
    return fs::exists(p, ec);
}

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

const eval::TaskInfo* eval_task(const std::string& id) {
    for (const auto& t : eval::task_table()) {
        if (t.id == id) return &t;
    }
    return nullptr;
}

class DataChecks {
public:
    DataChecks(const SweepSpec& spec, std::vector<Problem>& out) : spec_(spec), out_(out) {}

    void task(const TaskEntry& t) {
        const eval::TaskInfo* info = eval_task(t.id);
        if (!info) return;  // validate() reports unknown tasks
        const fs::path* data = folder(info->data_key);
        if (!data) return;  // validate() reports a missing or absent folder
        try {
            task_files(t, *info, *data);
        } catch (const InputError&) {
            // An option of the wrong type, which validate() reports with the option's rule.
        }
    }

private:
    void task_files(const TaskEntry& t, const eval::TaskInfo& info, const fs::path& data) {
        switch (info.kind) {
            case eval::TaskKind::LongBench:
                longbench(t, data);
                break;
            case eval::TaskKind::NeedleTask:
                require(t, needle_task_file(data));
                break;
            case eval::TaskKind::Hiv:
                hiv(t, data);
                break;
            case eval::TaskKind::Niah:
                break;
        }
    }

    const fs::path* folder(const std::string& key) const {
        const auto it = spec_.data.find(key);
        return it != spec_.data.end() && path_exists(it->second) ? &it->second : nullptr;
    }

    void require(const TaskEntry& t, const fs::path& file) {
        if (!path_exists(file))
            add(t.where, "task \"" + t.id + "\": data file not found: " + file.string());
    }

    void longbench(const TaskEntry& t, const fs::path& dir) {
        if (t.options.contains("file")) {
            require(t, dir / json_string(t.options["file"], t.where + ".options.file"));
            return;
        }
        const fs::path jsonl = dir / (t.id + ".jsonl");
        const fs::path mini = dir / "minilongbench_examples" / ("MiniLongBench_" + t.id + ".json");
        if (!path_exists(jsonl) && !path_exists(mini)) {
            add(t.where, "task \"" + t.id + "\": data file not found: " + jsonl.string() +
                             " (nor " + mini.string() + ")");
        }
    }

    void hiv(const TaskEntry& t, const fs::path& needles) {
        const std::string protocol =
            json_string_or(t.options, "protocol", "r2", t.where + ".options");
        if (protocol == "needle-model") {
            require(t, needle_task_file(needles));
            return;
        }
        require(t, fs::is_directory(needles) ? needles / "needles.jsonl" : needles);
        if (!spec_.data.count("haystack")) {
            add(t.where,
                "task \"hiv\" (protocol r2) reads its haystack from data.haystack, "
                "which the spec does not set");
        }
    }

    void add(const std::string& path, const std::string& message) {
        for (const auto& p : out_) {
            if (p.path == path && p.message == message) return;
        }
        out_.push_back({path, message});
    }

    const SweepSpec& spec_;
    std::vector<Problem>& out_;
};

// Every (model, method entry) config is built once against the model's config.json, at the
// sweep's first retention: parameter values, head-score shapes and mode combinations fail here
// instead of in the middle of a run.
void check_method_configs(const SweepSpec& spec, const ValidationContext& ctx,
                          const ValidationResult& checked, std::vector<Problem>& out) {
    HeadScoreCache scores;
    for (std::size_t mi = 0; mi < spec.models.size(); ++mi) {
        if (mi >= checked.models.size() || !checked.models[mi]) continue;
        const ModelEntry& entry = spec.models[mi];
        model::ModelConfig cfg;
        try {
            cfg = model::load_model_config(entry.path);
        } catch (const InputError& e) {
            out.push_back({entry.where, e.what()});
            continue;
        }
        for (const auto& m : spec.methods) {
            const MethodInfo* info = ctx.method(m.id);
            if (!info) continue;
            if (info->needs_head_scores &&
                (!entry.head_scores || !path_exists(*entry.head_scores))) {
                continue;  // validate() reports the missing file
            }
            MethodSetup setup;
            setup.method = m.id;
            setup.mode = spec.mode_of(m);
            setup.params = effective_method_params(spec, m, *info);
            if (info->compresses && !spec.retentions.empty()) setup.retention = spec.retentions[0];
            if (info->compresses && !setup.retention && !spec.budgets.empty())
                setup.capacity = spec.budgets[0];
            if (info->needs_head_scores) setup.head_scores = entry.head_scores;
            if (info->compresses && !setup.retention && !setup.capacity) continue;  // reported
            // Parameters the validator refused are reported once, with their path.
            const bool refused = std::any_of(
                checked.problems.begin(), checked.problems.end(), [&](const Problem& p) {
                    return p.path.rfind(m.where + ".params", 0) == 0 ||
                           p.path.rfind("method_params." + m.id, 0) == 0;
                });
            if (refused) continue;
            try {
                (void)compression_config_for(setup, cfg, scores);
            } catch (const InputError& e) {
                out.push_back(
                    {m.where, "with model " + checked.models[mi]->name + ": " + e.what()});
            }
        }
    }
}

// One HIV cell per model: the first HIV cell of each model keeps its place, re-keyed without the
// method, retention and context axes; the model's other HIV cells are dropped.
void fold_hiv_cells(SweepPlan& plan) {
    std::vector<RunCell> kept;
    std::set<std::size_t> models_done;
    for (RunCell& c : plan.cells) {
        if (!is_hiv_cell(c)) {
            kept.push_back(std::move(c));
            continue;
        }
        if (!models_done.insert(c.model_index).second) continue;
        for (const char* key :
             {"context_length", "retention", "method", "mode", "head_scores_sha256"})
            c.config[key] = nullptr;
        c.config["params"] = json::object();
        c.config.erase("capacity");
        c.config.erase("query");
        c.hash = config_hash(c.config);
        c.retention.reset();
        c.capacity.reset();
        c.query = "aware";
        c.method = "";
        c.method_name = "hiv";
        c.mode = "";
        c.method_params = json::object();
        c.head_scores.reset();
        c.shape.reset();  // its estimate is per trial, below: not re-estimated at a batch size
        c.samples = 1;
        // Rough: a trial costs about one sample of the cell's context; 50 trials when unset.
        const auto trials =
            json_integer_or(c.task.options, "max_trials", 0, c.task.where + ".options");
        c.estimate.seconds =
            c.estimate.seconds_per_sample * (trials > 0 ? static_cast<double>(trials) : 50.0);
        c.estimate.seconds_per_sample = c.estimate.seconds;
        kept.push_back(std::move(c));
    }
    plan.cells = std::move(kept);
}

}  // namespace

CellGroup parse_cell_group(const std::string& text) {
    const auto slash = text.find('/');
    std::optional<std::int64_t> i, n;
    if (slash != std::string::npos) {
        i = parse_int(std::string_view(text).substr(0, slash));
        n = parse_int(std::string_view(text).substr(slash + 1));
    }
    if (!i || !n || *n < 1 || *i < 0 || *i >= *n) {
        throw InputError("--cell-group: expected I/N with 0 <= I < N (e.g. 0/4), got \"" + text +
                         "\"");
    }
    return {*i, *n};
}

std::int64_t group_count(std::int64_t cells, std::int64_t cells_per_group) {
    if (cells_per_group < 1) throw InputError("--cells-per-task must be >= 1");
    return std::max<std::int64_t>(1, (cells + cells_per_group - 1) / cells_per_group);
}

bool is_hiv_cell(const RunCell& cell) {
    const eval::TaskInfo* t = eval_task(cell.task.id);
    return t && t->kind == eval::TaskKind::Hiv;
}

fs::path needle_task_file(const fs::path& data) {
    return fs::is_directory(data) ? data / "needle_task.json" : data;
}

eval::HivTaskOptions hiv_task_options(const TaskEntry& task,
                                      const std::map<std::string, fs::path>& data) {
    const json& o = task.options;
    const std::string where = task.where + ".options";
    eval::HivTaskOptions opts;
    opts.protocol = json_string_or(o, "protocol", "r2", where);
    const auto needles = data.find("hiv_needles");
    if (needles == data.end())
        throw InputError("task hiv reads data.hiv_needles, which is not set");
    if (opts.protocol == "needle-model") {
        opts.needles = needle_task_file(needles->second);
    } else {
        opts.needles =
            fs::is_directory(needles->second) ? needles->second / "needles.jsonl" : needles->second;
        const auto haystack = data.find("haystack");
        if (haystack == data.end()) {
            throw InputError("task hiv (protocol r2) reads data.haystack, which is not set");
        }
        opts.haystack = haystack->second;
    }
    opts.max_length = json_integer_or(o, "max_length", 0, where);
    opts.lengths = static_cast<std::int32_t>(json_integer_or(o, "lengths", opts.lengths, where));
    opts.max_trials = json_integer_or(o, "max_trials", 0, where);
    if (o.contains("depths")) opts.depths = json_numbers(o["depths"], where + ".depths");
    return opts;
}

std::vector<Problem> engine_checks(const SweepSpec& spec, const ValidationContext& ctx,
                                   const ValidationResult& checked) {
    std::vector<Problem> out;
    if (!spec.decoding.greedy) {
        out.push_back(
            {"decoding.greedy", "sampling is not supported by the evaluator; use greedy decoding"});
    }
    DataChecks data(spec, out);
    for (const auto& t : spec.tasks) data.task(t);
    check_method_configs(spec, ctx, checked, out);
    return out;
}

SweepPlan plan_sweep(const SweepSpec& spec, const ValidationContext& ctx,
                     std::optional<CellGroup> group, const std::optional<BatchRequest>& batch) {
    ValidationResult checked = validate(spec, ctx);
    for (auto& p : engine_checks(spec, ctx, checked)) checked.problems.push_back(std::move(p));
    throw_if_invalid(spec, checked);
    SweepPlan plan = make_plan(spec, ctx);
    fold_hiv_cells(plan);
    if (group) {
        const auto c = static_cast<std::int64_t>(plan.cells.size());
        const auto begin = group->index * c / group->count;
        const auto end = (group->index + 1) * c / group->count;
        plan.cells = std::vector<RunCell>(plan.cells.begin() + begin, plan.cells.begin() + end);
    }
    apply_batch_request(plan, batch_request(spec, batch));
    return plan;
}

}  // namespace hace::runner
