#include "engine/runner/sweep_spec.h"

#include <set>
#include <utility>

#include "engine/core/dtype.h"
#include "engine/core/error.h"
#include "engine/core/json_io.h"

namespace hace::runner {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string index_path(const std::string& base, std::size_t i) {
    return base + "[" + std::to_string(i) + "]";
}

std::string join(const std::set<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

bool valid_device(const std::string& d) {
    if (d == "cpu" || d == "cuda") return true;
    if (d.rfind("cuda:", 0) != 0 || d.size() == 5) return false;
    return d.find_first_not_of("0123456789", 5) == std::string::npos;
}

// Reads the spec's fields, recording a Problem for everything it cannot accept.
class SpecParser {
public:
    SpecParser(SweepSpec& spec, fs::path base) : spec_(spec), base_(std::move(base)) {}

    void parse(const json& j) {
        if (!j.is_object())
            return add("(spec)", "expected a JSON object, got " + json_type_name(j));
        check_keys(
            j, "",
            {"name", "description", "models", "context_lengths", "retentions", "methods", "tasks",
             "samples_per_task", "data", "decoding", "device", "dtype", "mode", "method_params",
             "head_scores", "budgets", "query", "store_kept", "batch_size"});
        if (auto v = opt_string(j, "name", "name")) spec_.name = *v;
        if (auto v = opt_string(j, "description", "description")) spec_.description = *v;
        // Before the tasks: their duplicate check compares effective protocols.
        if (j.contains("query")) {
            if (auto q = query_value(j["query"], "query")) spec_.query = *q;
        }
        parse_models(j);
        parse_context_lengths(j);
        parse_retentions(j);
        parse_budgets(j);
        parse_methods(j);
        parse_tasks(j);
        if (j.contains("samples_per_task")) {
            if (auto v = as_int(j["samples_per_task"], "samples_per_task", 1)) {
                spec_.samples_per_task = *v;
            }
        }
        parse_data(j);
        parse_decoding(j);
        parse_device_dtype_mode(j);
        if (j.contains("store_kept")) {
            if (j["store_kept"].is_boolean())
                spec_.store_kept = j["store_kept"].get<bool>();
            else
                add("store_kept", "expected true or false, got " + json_type_name(j["store_kept"]));
        }
        if (j.contains("batch_size") && j["batch_size"].is_string()) {
            if (j["batch_size"] == "auto") {
                spec_.batch_size_auto = true;
            } else {
                add("batch_size", "expected an integer in 1.." + std::to_string(kMaxBatchSize) +
                                      " or \"auto\", got \"" + j["batch_size"].get<std::string>() +
                                      "\"");
            }
        } else if (j.contains("batch_size")) {
            if (auto v = as_int(j["batch_size"], "batch_size", 1)) {
                if (*v > kMaxBatchSize) {
                    add("batch_size", "must be <= " + std::to_string(kMaxBatchSize) + ", got " +
                                          std::to_string(*v));
                } else {
                    spec_.batch_size = static_cast<std::int32_t>(*v);
                }
            }
        }
        parse_method_params(j);
        parse_head_scores(j);
    }

private:
    void add(std::string path, std::string message) {
        spec_.problems.push_back({std::move(path), std::move(message)});
    }

    static std::string key_path(const std::string& prefix, const std::string& key) {
        return prefix.empty() ? key : prefix + "." + key;
    }

    void check_keys(const json& obj, const std::string& prefix,
                    const std::set<std::string>& known) {
        for (const auto& [key, value] : obj.items()) {
            if (!known.count(key))
                add(key_path(prefix, key), "unknown key (known: " + join(known) + ")");
        }
    }

    std::optional<std::string> as_string(const json& v, const std::string& path) {
        if (v.is_string()) return v.get<std::string>();
        add(path, "expected a string, got " + json_type_name(v));
        return std::nullopt;
    }

    std::optional<std::int64_t> as_int(const json& v, const std::string& path, std::int64_t min) {
        if (!v.is_number_integer()) {
            add(path, "expected an integer, got " + json_type_name(v));
            return std::nullopt;
        }
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(INT64_MAX)) {
            add(path, "integer too large");
            return std::nullopt;
        }
        const auto x = v.get<std::int64_t>();
        if (x < min) {
            add(path, "must be >= " + std::to_string(min) + ", got " + std::to_string(x));
            return std::nullopt;
        }
        return x;
    }

    std::optional<double> as_number(const json& v, const std::string& path) {
        if (v.is_number()) return v.get<double>();
        add(path, "expected a number, got " + json_type_name(v));
        return std::nullopt;
    }

    std::optional<std::string> opt_string(const json& obj, const std::string& key,
                                          const std::string& path) {
        if (!obj.contains(key)) return std::nullopt;
        return as_string(obj[key], path);
    }

    // The array under key, or nullptr after recording why not (absent, wrong type, empty).
    const json* array_field(const json& j, const std::string& key, bool required) {
        if (!j.contains(key)) {
            if (required) add(key, "missing (required)");
            return nullptr;
        }
        const json& v = j[key];
        if (!v.is_array()) {
            add(key, "expected an array, got " + json_type_name(v));
            return nullptr;
        }
        if (v.empty() && required) add(key, "empty (at least one entry is needed)");
        return &v;
    }

    fs::path resolve(const std::string& p) const {
        fs::path path(p);
        if (path.is_relative()) path = base_ / path;
        path = path.lexically_normal();
        // "dir/" and "dir/." name the same folder as "dir".
        if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
        return path;
    }

    void parse_models(const json& j) {
        const json* arr = array_field(j, "models", true);
        if (!arr) return;
        std::map<std::string, std::size_t> seen;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string path = index_path("models", i);
            const json& v = (*arr)[i];
            ModelEntry m;
            m.where = path;
            if (v.is_object()) {
                check_keys(v, path, {"dir", "head_scores"});
                if (!v.contains("dir")) {
                    add(path + ".dir", "missing (required)");
                    continue;
                }
                auto dir = as_string(v["dir"], path + ".dir");
                if (!dir) continue;
                m.dir = *dir;
                if (auto hs = opt_string(v, "head_scores", path + ".head_scores")) {
                    m.head_scores = resolve(*hs);
                    m.head_scores_key = path + ".head_scores";
                }
            } else if (auto dir = as_string(v, path)) {
                m.dir = *dir;
            } else {
                continue;
            }
            if (m.dir.empty()) {
                add(path, "empty folder name");
                continue;
            }
            m.path = resolve(m.dir);
            const auto [it, fresh] = seen.emplace(m.path.string(), i);
            if (!fresh) {
                add(path, "duplicate of " + index_path("models", it->second) + " (" + m.dir + ")");
                continue;
            }
            spec_.models.push_back(std::move(m));
        }
    }

    void parse_context_lengths(const json& j) {
        const json* arr = array_field(j, "context_lengths", true);
        if (!arr) return;
        std::map<std::int64_t, std::size_t> seen;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string path = index_path("context_lengths", i);
            const auto n = as_int((*arr)[i], path, 1);
            if (!n) continue;
            const auto [it, fresh] = seen.emplace(*n, i);
            if (!fresh) {
                add(path, "duplicate of " + index_path("context_lengths", it->second) + " (" +
                              std::to_string(*n) + ")");
                continue;
            }
            spec_.context_lengths.push_back(*n);
        }
    }

    void parse_retentions(const json& j) {
        const json* arr = array_field(j, "retentions", false);
        if (!arr) return;
        std::map<double, std::size_t> seen;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string path = index_path("retentions", i);
            const auto r = as_number((*arr)[i], path);
            if (!r) continue;
            if (!(*r > 0.0 && *r <= 1.0)) {
                add(path, "retention " + (*arr)[i].dump() + " is outside (0, 1]");
                continue;
            }
            const auto [it, fresh] = seen.emplace(*r, i);
            if (!fresh) {
                add(path, "duplicate of " + index_path("retentions", it->second) + " (" +
                              (*arr)[i].dump() + ")");
                continue;
            }
            spec_.retentions.push_back(*r);
        }
    }

    void parse_budgets(const json& j) {
        const json* arr = array_field(j, "budgets", false);
        if (!arr) return;
        std::map<std::int64_t, std::size_t> seen;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string path = index_path("budgets", i);
            const auto c = as_int((*arr)[i], path, 1);
            if (!c) continue;
            const auto [it, fresh] = seen.emplace(*c, i);
            if (!fresh) {
                add(path, "duplicate of " + index_path("budgets", it->second) + " (" +
                              std::to_string(*c) + ")");
                continue;
            }
            spec_.budgets.push_back(*c);
        }
    }

    std::optional<std::string> query_value(const json& v, const std::string& path) {
        auto s = as_string(v, path);
        if (s && *s != "aware" && *s != "agnostic") {
            add(path, "unknown query protocol " + in_quotes(*s) + " (known: aware, agnostic)");
            return std::nullopt;
        }
        return s;
    }

    std::optional<std::string> mode_value(const json& v, const std::string& path) {
        auto s = as_string(v, path);
        if (s && *s != "equal" && *s != "faithful") {
            add(path, "unknown mode " + in_quotes(*s) + " (known: equal, faithful)");
            return std::nullopt;
        }
        return s;
    }

    std::optional<MethodEntry> method_entry(const json& v, const std::string& path) {
        MethodEntry m;
        m.where = path;
        if (v.is_string()) {
            m.id = v.get<std::string>();
        } else if (v.is_object()) {
            check_keys(v, path, {"id", "name", "mode", "params"});
            if (!v.contains("id")) {
                add(path + ".id", "missing (required)");
                return std::nullopt;
            }
            auto id = as_string(v["id"], path + ".id");
            if (!id) return std::nullopt;
            m.id = *id;
            if (auto name = opt_string(v, "name", path + ".name")) m.name = *name;
            if (v.contains("mode")) {
                m.mode = mode_value(v["mode"], path + ".mode");
                if (!m.mode) return std::nullopt;
            }
            if (v.contains("params")) {
                if (!v["params"].is_object()) {
                    add(path + ".params", "expected an object, got " + json_type_name(v["params"]));
                    return std::nullopt;
                }
                m.params = v["params"];
            }
        } else {
            add(path, "expected a method id or an object, got " + json_type_name(v));
            return std::nullopt;
        }
        if (m.name.empty()) m.name = m.id;
        return m;
    }

    void parse_methods(const json& j) {
        const json* arr = array_field(j, "methods", true);
        if (!arr) return;
        std::map<std::string, std::size_t> names;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string path = index_path("methods", i);
            auto m = method_entry((*arr)[i], path);
            if (!m) continue;
            const auto [it, fresh] = names.emplace(m->name, i);
            if (!fresh) {
                add(path, "duplicate of " + index_path("methods", it->second) + " (" +
                              in_quotes(m->name) + "; give entries of one method distinct names)");
                continue;
            }
            spec_.methods.push_back(std::move(*m));
        }
    }

    std::optional<TaskEntry> task_entry(const json& v, const std::string& path) {
        TaskEntry t;
        t.where = path;
        if (v.is_string()) {
            t.id = v.get<std::string>();
            return t;
        }
        if (!v.is_object()) {
            add(path, "expected a task id or an object, got " + json_type_name(v));
            return std::nullopt;
        }
        check_keys(v, path, {"id", "options", "samples", "max_new_tokens", "query"});
        if (!v.contains("id")) {
            add(path + ".id", "missing (required)");
            return std::nullopt;
        }
        auto id = as_string(v["id"], path + ".id");
        if (!id) return std::nullopt;
        t.id = *id;
        bool ok = true;
        if (v.contains("options")) {
            if (v["options"].is_object()) {
                t.options = v["options"];
            } else {
                add(path + ".options", "expected an object, got " + json_type_name(v["options"]));
                ok = false;
            }
        }
        if (v.contains("samples")) {
            t.samples = as_int(v["samples"], path + ".samples", 1);
            ok = ok && t.samples.has_value();
        }
        if (v.contains("max_new_tokens")) {
            t.max_new_tokens = as_int(v["max_new_tokens"], path + ".max_new_tokens", 1);
            ok = ok && t.max_new_tokens.has_value();
        }
        if (v.contains("query")) {
            t.query = query_value(v["query"], path + ".query");
            ok = ok && t.query.has_value();
        }
        if (!ok) return std::nullopt;
        return t;
    }

    void parse_tasks(const json& j) {
        const json* arr = array_field(j, "tasks", true);
        if (!arr) return;
        std::map<std::string, std::size_t> seen;  // id + options
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string path = index_path("tasks", i);
            auto t = task_entry((*arr)[i], path);
            if (!t) continue;
            const auto [it, fresh] =
                seen.emplace(t->id + " " + t->options.dump() + " " + spec_.query_of(*t), i);
            if (!fresh) {
                add(path, "duplicate of " + index_path("tasks", it->second) + " (" +
                              in_quotes(t->id) + " with the same options and query protocol)");
                continue;
            }
            spec_.tasks.push_back(std::move(*t));
        }
    }

    void parse_data(const json& j) {
        if (!j.contains("data")) return;
        const json& d = j["data"];
        if (!d.is_object()) return add("data", "expected an object, got " + json_type_name(d));
        for (const auto& [key, value] : d.items()) {
            if (auto dir = as_string(value, "data." + key)) spec_.data[key] = resolve(*dir);
        }
    }

    void parse_decoding(const json& j) {
        if (!j.contains("decoding")) return;
        const json& d = j["decoding"];
        if (!d.is_object()) return add("decoding", "expected an object, got " + json_type_name(d));
        check_keys(d, "decoding",
                   {"greedy", "seed", "max_new_tokens", "temperature", "top_p", "top_k"});
        Decoding& out = spec_.decoding;
        if (d.contains("greedy")) {
            if (d["greedy"].is_boolean()) {
                out.greedy = d["greedy"].get<bool>();
            } else {
                add("decoding.greedy",
                    "expected true or false, got " + json_type_name(d["greedy"]));
            }
        }
        if (d.contains("seed")) {
            if (auto v = as_int(d["seed"], "decoding.seed", 0)) out.seed = *v;
        }
        if (d.contains("max_new_tokens")) {
            out.max_new_tokens = as_int(d["max_new_tokens"], "decoding.max_new_tokens", 1);
        }
        if (d.contains("temperature")) {
            auto v = as_number(d["temperature"], "decoding.temperature");
            if (v && *v > 0.0)
                out.temperature = *v;
            else if (v)
                add("decoding.temperature", "must be > 0, got " + d["temperature"].dump());
        }
        if (d.contains("top_p")) {
            auto v = as_number(d["top_p"], "decoding.top_p");
            if (v && *v > 0.0 && *v <= 1.0)
                out.top_p = *v;
            else if (v)
                add("decoding.top_p", "must be in (0, 1], got " + d["top_p"].dump());
        }
        if (d.contains("top_k")) {
            if (auto v = as_int(d["top_k"], "decoding.top_k", 0)) out.top_k = *v;
        }
    }

    void parse_device_dtype_mode(const json& j) {
        if (auto v = opt_string(j, "device", "device")) {
            if (valid_device(*v))
                spec_.device = *v;
            else
                add("device", "unknown device " + in_quotes(*v) + " (known: cpu, cuda, cuda:N)");
        }
        if (auto v = opt_string(j, "dtype", "dtype")) {
            if (auto t = dtype_from_run_name(*v); t && dtype_is_float(*t)) {
                spec_.dtype = std::string(dtype_run_name(*t));
            } else {
                add("dtype", "unknown dtype " + in_quotes(*v) + " (known: f32, f16, bf16)");
            }
        }
        if (j.contains("mode")) {
            if (auto m = mode_value(j["mode"], "mode")) spec_.mode = *m;
        }
    }

    void parse_method_params(const json& j) {
        if (!j.contains("method_params")) return;
        const json& mp = j["method_params"];
        if (!mp.is_object()) {
            return add("method_params", "expected an object, got " + json_type_name(mp));
        }
        for (const auto& [id, params] : mp.items()) {
            if (params.is_object())
                spec_.method_params[id] = params;
            else
                add("method_params." + id, "expected an object, got " + json_type_name(params));
        }
    }

    // "head_scores": {"MODEL": "FILE"}: MODEL is a models entry as written, its resolved path or
    // its folder name.
    void parse_head_scores(const json& j) {
        if (!j.contains("head_scores")) return;
        const json& hs = j["head_scores"];
        if (!hs.is_object())
            return add("head_scores", "expected an object, got " + json_type_name(hs));
        for (const auto& [key, value] : hs.items()) {
            const std::string path = "head_scores." + key;
            auto file = as_string(value, path);
            if (!file) continue;
            bool matched = false;
            for (auto& m : spec_.models) {
                if (m.dir != key && m.path != resolve(key) && m.path.filename() != key) continue;
                matched = true;
                if (m.head_scores) {
                    add(path, "model " + m.dir + " already has a head-score file (" +
                                  m.head_scores_key + ")");
                    continue;
                }
                m.head_scores = resolve(*file);
                m.head_scores_key = path;
            }
            if (!matched) add(path, "matches no entry of models");
        }
    }

    SweepSpec& spec_;
    fs::path base_;
};

}  // namespace

json Decoding::identity() const {
    json d = {{"greedy", greedy}, {"seed", seed}};
    if (!greedy) {
        d["temperature"] = temperature;
        d["top_p"] = top_p;
        d["top_k"] = top_k;
    }
    return d;
}

SweepSpec parse_sweep_spec(const nlohmann::json& j, const std::filesystem::path& base_dir,
                           std::string source) {
    SweepSpec spec;
    spec.source = std::move(source);
    spec.json = j;
    SpecParser(spec, base_dir).parse(j);
    if (spec.name.empty()) spec.name = fs::path(spec.source).stem().string();
    return spec;
}

SweepSpec load_sweep_spec(const std::filesystem::path& file) {
    const json j = read_json_file(file);
    return parse_sweep_spec(j, file.parent_path(), file.string());
}

}  // namespace hace::runner
