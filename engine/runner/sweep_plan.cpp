#include "engine/runner/sweep_plan.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "engine/core/dtype.h"
#include "engine/core/error.h"
#include "engine/core/sha256.h"
#include "engine/runner/canonical_json.h"
#include "engine/runner/sweep_validate.h"

namespace hace::runner {
namespace {

using nlohmann::json;

json model_identity(const ModelInfo& m) {
    return {{"name", m.name},         {"max_positions", m.max_positions},
            {"layers", m.layers},     {"q_heads", m.q_heads},
            {"kv_heads", m.kv_heads}, {"head_dim", m.head_dim},
            {"hidden", m.hidden},     {"vocab", m.vocab},
            {"params", m.params}};
}

std::string file_sha256(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path.string(), "cannot read head-score file");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return sha256_hex(bytes.str());
}

class Planner {
public:
    Planner(const SweepSpec& spec, const ValidationContext& ctx, const ValidationResult& checked,
            const CostModel& cost)
        : spec_(spec), ctx_(ctx), checked_(checked), cost_(cost) {
        const auto dtype = dtype_from_run_name(spec.dtype);
        dtype_bytes_ = dtype ? std::int64_t(dtype_size(*dtype)) : 4;
    }

    SweepPlan run() {
        SweepPlan plan;
        plan.name = spec_.name;
        plan.device = spec_.device;
        plan.cost = cost_;
        plan.batch_size = spec_.batch_size_auto ? 1 : spec_.batch_size;
        for (std::size_t mi = 0; mi < spec_.models.size(); ++mi) {
            for (const std::int64_t n : spec_.context_lengths) {
                for (const auto& method : spec_.methods) add_method_cells(plan, mi, n, method);
            }
        }
        std::set<std::string> hashes;
        for (const auto& c : plan.cells) {
            if (!hashes.insert(c.hash).second) {
                throw std::logic_error("sweep plan: two cells share the key " + c.hash);
            }
        }
        return plan;
    }

private:
    void add_method_cells(SweepPlan& plan, std::size_t mi, std::int64_t n,
                          const MethodEntry& method) {
        const MethodInfo& info = *ctx_.method(method.id);
        if (!info.compresses) {
            for (const auto& task : spec_.tasks) {
                plan.cells.push_back(cell(mi, n, std::nullopt, std::nullopt, method, task));
            }
            return;
        }
        // Ratios first, then token budgets, each in the spec's order.
        for (const double r : spec_.retentions) {
            for (const auto& task : spec_.tasks) {
                plan.cells.push_back(cell(mi, n, r, std::nullopt, method, task));
            }
        }
        for (const std::int64_t c : spec_.budgets) {
            for (const auto& task : spec_.tasks) {
                plan.cells.push_back(cell(mi, n, std::nullopt, c, method, task));
            }
        }
    }

    const std::string& head_scores_hash(const std::filesystem::path& p) {
        auto it = file_hashes_.find(p.string());
        if (it == file_hashes_.end()) it = file_hashes_.emplace(p.string(), file_sha256(p)).first;
        return it->second;
    }

    RunCell cell(std::size_t mi, std::int64_t n, std::optional<double> retention,
                 std::optional<std::int64_t> capacity, const MethodEntry& method,
                 const TaskEntry& task) {
        const ModelEntry& model = spec_.models[mi];
        const MethodInfo& minfo = *ctx_.method(method.id);
        const TaskInfo& tinfo = *ctx_.task(task.id);
        RunCell c;
        c.model_index = mi;
        c.model_dir = model.path;
        c.model = *checked_.models[mi];
        c.context_length = n;
        c.retention = retention;
        c.capacity = capacity;
        c.query = spec_.query_of(task);
        c.method = method.id;
        c.method_name = method.name;
        c.mode = minfo.compresses ? spec_.mode_of(method) : "";
        c.method_params = effective_method_params(spec_, method, minfo);
        c.task = task;
        if (!tinfo.data_key.empty()) c.data_dir = spec_.data.at(tinfo.data_key);
        c.samples = spec_.samples_of(task);
        c.max_new_tokens = effective_max_new_tokens(spec_, task, tinfo);
        json head_scores = nullptr;
        if (minfo.needs_head_scores) {
            c.head_scores = model.head_scores;
            head_scores = head_scores_hash(*model.head_scores);
        }
        c.config = {{"format", kCellFormat},
                    {"model", model_identity(c.model)},
                    {"context_length", n},
                    {"retention", retention ? json(*retention) : json(nullptr)},
                    {"method", c.method},
                    {"mode", c.mode.empty() ? json(nullptr) : json(c.mode)},
                    {"params", c.method_params},
                    {"head_scores_sha256", head_scores},
                    {"task", {{"id", task.id}, {"options", task.options}}},
                    {"max_new_tokens", c.max_new_tokens},
                    {"decoding", spec_.decoding.identity()},
                    {"dtype", spec_.dtype}};
        if (capacity) c.config["capacity"] = *capacity;
        if (c.query != "aware") c.config["query"] = c.query;
        c.hash = config_hash(c.config);
        // The estimate reads a budget as its ratio of the context length.
        std::optional<double> kept_fraction = retention;
        if (capacity)
            kept_fraction = std::min(1.0, double(*capacity) / double(std::max<std::int64_t>(1, n)));
        c.shape = CellShape{c.model, n, kept_fraction, c.max_new_tokens, c.samples, dtype_bytes_};
        c.shape->batch = spec_.batch_size_auto ? 1 : spec_.batch_size;
        c.estimate = estimate_cell(*c.shape, cost_);
        return c;
    }

    const SweepSpec& spec_;
    const ValidationContext& ctx_;
    const ValidationResult& checked_;
    CostModel cost_;
    std::int64_t dtype_bytes_ = 4;
    std::map<std::string, std::string> file_hashes_;
};

}  // namespace

std::int64_t SweepPlan::total_samples() const {
    std::int64_t n = 0;
    for (const auto& c : cells) n += c.samples;
    return n;
}

double SweepPlan::total_seconds() const {
    double s = 0.0;
    for (const auto& c : cells) s += c.estimate.seconds;
    return s;
}

std::int64_t SweepPlan::max_peak_bytes() const {
    std::int64_t most = 0;
    for (const auto& c : cells) most = std::max(most, c.estimate.peak_bytes);
    return most;
}

SweepPlan make_plan(const SweepSpec& spec, const ValidationContext& ctx,
                    std::optional<CostModel> cost) {
    const ValidationResult checked = validate(spec, ctx);
    throw_if_invalid(spec, checked);
    return Planner(spec, ctx, checked, cost.value_or(default_cost_model(spec.device))).run();
}

}  // namespace hace::runner
