#include "engine/runner/validation_context_json.h"

#include <optional>
#include <utility>

#include "engine/core/error.h"
#include "engine/core/json_io.h"

namespace hace::runner {

namespace {

using nlohmann::json;

json bound_json(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

json param_json(const ParamInfo& p) {
    return {{"key", p.key},
            {"type", param_type_name(p.rule.type)},
            {"min", bound_json(p.rule.min)},
            {"max", bound_json(p.rule.max)},
            {"default", p.default_value},
            {"default_meaning", p.default_meaning},
            {"choices", p.choices},
            {"help", p.help},
            {"mode", p.mode},
            {"defaulted", p.defaulted}};
}

// The reading side: every message names the source and the value's place in it.
class ContextReader {
public:
    explicit ContextReader(std::string source) : source_(std::move(source)) {}

    const json& member(const json& obj, const std::string& key, const std::string& path) const {
        if (!obj.is_object()) fail(path, "expected an object, got " + json_type_name(obj));
        const auto it = obj.find(key);
        if (it == obj.end()) fail(path, "missing key \"" + key + "\"");
        return *it;
    }
    const json& array(const json& obj, const std::string& key, const std::string& path) const {
        const json& v = member(obj, key, path);
        if (!v.is_array()) fail(path + "." + key, "expected an array, got " + json_type_name(v));
        return v;
    }
    std::string string(const json& obj, const std::string& key, const std::string& path) const {
        return json_string(member(obj, key, path), where(path + "." + key));
    }
    bool boolean(const json& obj, const std::string& key, const std::string& path) const {
        return json_bool(member(obj, key, path), where(path + "." + key));
    }
    std::int64_t integer(const json& obj, const std::string& key, const std::string& path) const {
        return json_integer(member(obj, key, path), where(path + "." + key));
    }
    std::optional<double> bound(const json& obj, const std::string& key,
                                const std::string& path) const {
        const json& v = member(obj, key, path);
        if (v.is_null()) return std::nullopt;
        return json_number(v, where(path + "." + key));
    }
    ParamType type(const json& obj, const std::string& path) const {
        const std::string name = string(obj, "type", path);
        for (const ParamType t :
             {ParamType::Number, ParamType::Integer, ParamType::Bool, ParamType::String}) {
            if (param_type_name(t) == name) return t;
        }
        fail(path + ".type", "unknown parameter type \"" + name + "\"");
    }
    [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
        throw InputError(where(path) + ": " + problem);
    }

    std::string where(const std::string& path) const { return source_ + ": " + path; }

private:
    std::string source_;
};

ParamInfo read_param(const ContextReader& r, const json& j, const std::string& path) {
    ParamInfo p;
    p.key = r.string(j, "key", path);
    p.rule.type = r.type(j, path);
    p.rule.min = r.bound(j, "min", path);
    p.rule.max = r.bound(j, "max", path);
    p.default_value = r.member(j, "default", path);
    p.default_meaning = r.string(j, "default_meaning", path);
    const json& choices = r.array(j, "choices", path);
    for (std::size_t i = 0; i < choices.size(); ++i) {
        p.choices.push_back(
            json_string(choices[i], r.where(path + ".choices[" + std::to_string(i) + "]")));
    }
    p.help = r.string(j, "help", path);
    p.mode = r.string(j, "mode", path);
    p.defaulted = r.boolean(j, "defaulted", path);
    return p;
}

}  // namespace

json validation_context_json(const ValidationContext& ctx) {
    json methods = json::array();
    for (const MethodInfo& m : ctx.methods) {
        methods.push_back({{"id", m.id},
                           {"compresses", m.compresses},
                           {"needs_head_scores", m.needs_head_scores},
                           {"default_params", m.default_params}});
    }
    json params = json::object();
    for (const auto& [method, list] : ctx.method_params) {
        json rows = json::array();
        for (const ParamInfo& p : list) rows.push_back(param_json(p));
        params[method] = std::move(rows);
    }
    json tasks = json::array();
    for (const TaskInfo& t : ctx.tasks) {
        tasks.push_back({{"id", t.id},
                         {"data_key", t.data_key},
                         {"data_file", t.data_file},
                         {"max_new_tokens", t.max_new_tokens}});
    }
    return {{"format", kValidationContextFormat},
            {"methods", std::move(methods)},
            {"method_params", std::move(params)},
            {"tasks", std::move(tasks)}};
}

ValidationContext validation_context_from_json(const json& j, const std::string& source) {
    const ContextReader r(source);
    if (r.string(j, "format", "(top level)") != kValidationContextFormat) {
        r.fail("format", std::string("expected \"") + kValidationContextFormat + "\"");
    }
    ValidationContext ctx;
    const json& methods = r.array(j, "methods", "(top level)");
    for (std::size_t i = 0; i < methods.size(); ++i) {
        const std::string path = "methods[" + std::to_string(i) + "]";
        MethodInfo m;
        m.id = r.string(methods[i], "id", path);
        m.compresses = r.boolean(methods[i], "compresses", path);
        m.needs_head_scores = r.boolean(methods[i], "needs_head_scores", path);
        m.default_params = r.member(methods[i], "default_params", path);
        if (!m.default_params.is_object()) r.fail(path + ".default_params", "expected an object");
        ctx.methods.push_back(std::move(m));
    }
    const json& params = r.member(j, "method_params", "(top level)");
    if (!params.is_object()) r.fail("method_params", "expected an object");
    for (const auto& [method, list] : params.items()) {
        const std::string path = "method_params." + method;
        if (!list.is_array()) r.fail(path, "expected an array");
        auto& out = ctx.method_params[method];
        for (std::size_t i = 0; i < list.size(); ++i) {
            out.push_back(read_param(r, list[i], path + "[" + std::to_string(i) + "]"));
        }
    }
    const json& tasks = r.array(j, "tasks", "(top level)");
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        const std::string path = "tasks[" + std::to_string(i) + "]";
        TaskInfo t;
        t.id = r.string(tasks[i], "id", path);
        t.data_key = r.string(tasks[i], "data_key", path);
        t.data_file = r.string(tasks[i], "data_file", path);
        t.max_new_tokens = r.integer(tasks[i], "max_new_tokens", path);
        ctx.tasks.push_back(std::move(t));
    }
    return ctx;
}

}  // namespace hace::runner
