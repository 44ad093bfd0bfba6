#include "engine/runner/exec/engine_context.h"

#include "engine/kv/method_params.h"

#include "engine/eval/evaluate/task_samples.h"
#include "engine/kv/methods.h"
#include "engine/runner/exec/method_config.h"
#include "engine/runner/exec/task_options.h"

namespace hace::runner {

ValidationContext engine_validation_context() {
    ValidationContext ctx;
    for (const kv::MethodRow& row : kv::method_rows()) {
        MethodInfo m;
        m.id = std::string(row.id);
        // KIVI keeps every token: its cells have no retention axis.
        m.compresses = row.compresses && row.token != kv::TokenPolicy::KeepAll;
        m.needs_head_scores = kv::needs_head_scores(row);
        m.default_params = kv::method_default_params(row);
        for (const auto& [spec, defaulted] : kv::method_params(row)) {
            ParamInfo p;
            p.key = std::string(spec->key);
            p.rule = spec->rule;
            p.default_value = spec->default_value;
            p.default_meaning = std::string(spec->default_meaning);
            if (spec->choices) p.choices = spec->choices();
            p.help = std::string(spec->help);
            p.mode = std::string(spec->mode);
            p.defaulted = defaulted;
            ctx.method_params[m.id].push_back(std::move(p));
        }
        ctx.methods.push_back(std::move(m));
    }
    for (const eval::TaskInfo& t : eval::task_table()) {
        TaskInfo info;
        info.id = t.id;
        info.data_key = t.data_key;
        // Data files are checked per task by the executor's own pass (sweep_checks.h): LongBench
        // falls back to MiniLongBench files, the needle and HIV tasks accept a file or a folder.
        info.max_new_tokens = t.max_new_tokens;
        const eval::TaskKind kind = t.kind;
        info.check_options = [kind](const nlohmann::json& options) {
            return check_task_options(kind, options);
        };
        ctx.tasks.push_back(std::move(info));
    }
    ctx.describe_model = &describe_model_dir;
    return ctx;
}

}  // namespace hace::runner
