#include "engine/runner/sweep_validate.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/core/error.h"
#include "engine/core/json_io.h"

namespace hace::runner {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// JSON kinds that may replace each other in a parameter: any number for a number.
std::string param_kind(const json& v) {
    return v.is_number() ? "number" : json_type_name(v);
}

class Validator {
public:
    Validator(const SweepSpec& spec, const ValidationContext& ctx, ValidationResult& out)
        : spec_(spec), ctx_(ctx), out_(out) {}

    void run() {
        out_.problems = spec_.problems;
        check_methods();
        check_method_params();
        check_retentions();
        check_tasks();
        check_models();
    }

private:
    void add(std::string path, std::string message) {
        out_.problems.push_back({std::move(path), std::move(message)});
    }

    // Against the method's schema (ParamInfo): known keys, type and range; null is the default.
    // A context without a schema (hand-built in tests) checks keys and JSON kinds against the
    // defaults.
    void check_params(const json& params, const MethodInfo& info, const std::string& method,
                      const std::string& path) {
        const json& defaults = info.default_params;
        const std::vector<ParamInfo>* schema = ctx_.params_of(info.id);
        for (const auto& [key, value] : params.items()) {
            const ParamInfo* p = nullptr;
            if (schema) {
                for (const auto& q : *schema) {
                    if (q.key == key) p = &q;
                }
            }
            if (!p && (schema || !defaults.contains(key))) {
                std::string known;
                if (schema) {
                    for (const auto& q : *schema) known += (known.empty() ? "" : ", ") + q.key;
                } else {
                    for (const auto& [k, v] : defaults.items()) {
                        known += (known.empty() ? "" : ", ") + k;
                    }
                }
                add(path + "." + key, "unknown parameter of method " + in_quotes(method) +
                                          " (known: " + (known.empty() ? "none" : known) + ")");
            } else if (p) {
                if (std::string problem = check_param_value(key, p->rule, value);
                    !problem.empty()) {
                    add(path + "." + key, std::move(problem));
                } else if (value.is_string() && !p->choices.empty() && value != p->default_value &&
                           std::find(p->choices.begin(), p->choices.end(),
                                     value.get<std::string>()) == p->choices.end()) {
                    std::string known;
                    for (const auto& c : p->choices) known += (known.empty() ? "" : ", ") + c;
                    add(path + "." + key,
                        "unknown " + key + " " + value.dump() + " (known: " + known + ")");
                }
            } else if (param_kind(value) != param_kind(defaults[key])) {
                add(path + "." + key,
                    "expected a " + param_kind(defaults[key]) + ", got " + json_type_name(value));
            }
        }
    }

    void check_methods() {
        std::map<std::string, std::string> seen;  // effective config -> where
        for (const auto& m : spec_.methods) {
            const MethodInfo* info = ctx_.method(m.id);
            if (!info) {
                add(m.where,
                    "unknown method " + in_quotes(m.id) + " (known: " + ctx_.method_ids() + ")");
                continue;
            }
            check_params(m.params, *info, m.id, m.where + ".params");
            const json key = {{"id", m.id},
                              {"mode", spec_.mode_of(m)},
                              {"params", effective_method_params(spec_, m, *info)}};
            const auto [it, fresh] = seen.emplace(key.dump(), m.where);
            if (!fresh) {
                add(m.where, "duplicate of " + it->second + " (same method, mode and parameters)");
            }
        }
    }

    void check_method_params() {
        for (const auto& [id, params] : spec_.method_params) {
            const MethodInfo* info = ctx_.method(id);
            if (!info) {
                add("method_params." + id,
                    "unknown method " + in_quotes(id) + " (known: " + ctx_.method_ids() + ")");
                continue;
            }
            check_params(params, *info, id, "method_params." + id);
        }
    }

    void check_retentions() {
        if (!spec_.retentions.empty() || !spec_.budgets.empty() || !spec_.json.is_object()) return;
        if (spec_.json.contains("retentions") && !spec_.json["retentions"].is_array()) return;
        if (spec_.json.contains("budgets") && !spec_.json["budgets"].is_array()) return;
        for (const auto& m : spec_.methods) {
            const MethodInfo* info = ctx_.method(m.id);
            if (info && info->compresses) {
                add("retentions", "missing or empty (and no budgets), but " + m.where + " (" +
                                      m.id +
                                      ") compresses the cache and needs at least one retention "
                                      "or budget");
                return;
            }
        }
    }

    void check_tasks() {
        std::set<std::string> reported_data;
        for (const auto& t : spec_.tasks) {
            const TaskInfo* info = ctx_.task(t.id);
            if (!info) {
                add(t.where,
                    "unknown task " + in_quotes(t.id) + " (known: " + ctx_.task_ids() + ")");
                continue;
            }
            if (info->check_options) {
                for (const auto& msg : info->check_options(t.options))
                    add(t.where + ".options", msg);
            }
            if (info->data_key.empty()) continue;
            const auto dir = spec_.data.find(info->data_key);
            if (dir == spec_.data.end()) {
                add(t.where, "task " + in_quotes(t.id) + " reads data." + info->data_key +
                                 ", which the spec does not set");
                continue;
            }
            if (!ctx_.path_exists(dir->second)) {
                if (reported_data.insert(info->data_key).second) {
                    add("data." + info->data_key, "folder not found: " + dir->second.string());
                }
                continue;
            }
            if (!info->data_file.empty() && !ctx_.path_exists(dir->second / info->data_file)) {
                add(t.where, "task " + in_quotes(t.id) + ": data file not found: " +
                                 (dir->second / info->data_file).string());
            }
        }
    }

    // The largest number of generated tokens any task of the sweep asks for.
    std::int64_t max_new_tokens_over_tasks() const {
        std::int64_t most = 0;
        for (const auto& t : spec_.tasks) {
            if (const TaskInfo* info = ctx_.task(t.id)) {
                most = std::max(most, effective_max_new_tokens(spec_, t, *info));
            }
        }
        return most;
    }

    void check_model_positions(const ModelEntry& m, const ModelInfo& info) {
        const std::int64_t new_tokens = max_new_tokens_over_tasks();
        for (const std::int64_t n : spec_.context_lengths) {
            const std::string what =
                " (" + info.name + ", " + std::to_string(info.max_positions) + " positions)";
            if (n > info.max_positions) {
                add(m.where, "context length " + std::to_string(n) +
                                 " is longer than the model's positions" + what);
            } else if (n + new_tokens > info.max_positions) {
                add(m.where, "context length " + std::to_string(n) + " plus " +
                                 std::to_string(new_tokens) +
                                 " generated tokens is longer than the model's positions" + what);
            }
        }
    }

    void check_head_scores(const ModelEntry& m) {
        if (m.head_scores && !ctx_.path_exists(*m.head_scores)) {
            add(m.head_scores_key, "head-score file not found: " + m.head_scores->string());
        }
        if (m.head_scores) return;
        std::set<std::string> reported;
        for (const auto& method : spec_.methods) {
            const MethodInfo* info = ctx_.method(method.id);
            if (!info || !info->needs_head_scores || !reported.insert(method.id).second) continue;
            add(m.where, "method " + in_quotes(method.id) + " (" + method.where +
                             ") needs a head-score file for this model; set " + m.where +
                             ".head_scores or head_scores." + m.dir);
        }
    }

    void check_models() {
        if (!ctx_.describe_model) throw std::logic_error("ValidationContext.describe_model unset");
        std::map<std::string, std::string> names;  // model name -> where
        out_.models.assign(spec_.models.size(), std::nullopt);
        for (std::size_t i = 0; i < spec_.models.size(); ++i) {
            const ModelEntry& m = spec_.models[i];
            check_head_scores(m);
            if (!ctx_.path_exists(m.path)) {
                add(m.where, "model folder not found: " + m.path.string());
                continue;
            }
            auto described = ctx_.describe_model(m.path);
            if (const auto* reason = std::get_if<std::string>(&described)) {
                add(m.where, *reason);
                continue;
            }
            const ModelInfo& info = std::get<ModelInfo>(described);
            const auto [it, fresh] = names.emplace(info.name, m.where);
            if (!fresh) {
                add(m.where, "same model name " + in_quotes(info.name) + " as " + it->second +
                                 " (cells would share keys)");
                continue;
            }
            check_model_positions(m, info);
            out_.models[i] = info;
        }
    }

    const SweepSpec& spec_;
    const ValidationContext& ctx_;
    ValidationResult& out_;
};

}  // namespace

nlohmann::json effective_method_params(const SweepSpec& spec, const MethodEntry& entry,
                                       const MethodInfo& info) {
    json params = info.default_params.is_object() ? info.default_params : json::object();
    // null stands for the default, so it leaves the default in the key: a spec that spells the
    // default out and one that says null name the same cell.
    if (auto it = spec.method_params.find(entry.id); it != spec.method_params.end()) {
        for (const auto& [k, v] : it->second.items()) {
            if (!v.is_null()) params[k] = v;
        }
    }
    for (const auto& [k, v] : entry.params.items()) {
        if (!v.is_null()) params[k] = v;
    }
    return params;
}

std::int64_t effective_max_new_tokens(const SweepSpec& spec, const TaskEntry& entry,
                                      const TaskInfo& info) {
    if (entry.max_new_tokens) return *entry.max_new_tokens;
    if (spec.decoding.max_new_tokens) return *spec.decoding.max_new_tokens;
    return info.max_new_tokens;
}

ValidationResult validate(const SweepSpec& spec, const ValidationContext& ctx) {
    ValidationResult result;
    Validator(spec, ctx, result).run();
    return result;
}

void throw_if_invalid(const SweepSpec& spec, const ValidationResult& result) {
    if (result.ok()) return;
    const std::size_t n = result.problems.size();
    std::string msg = std::to_string(n) + (n == 1 ? " problem: " : " problems: ");
    for (std::size_t i = 0; i < n; ++i) msg += (i ? "; " : "") + result.problems[i].text();
    throw_input(spec.source, msg);
}

}  // namespace hace::runner
