#include "engine/eval/evaluate/task_samples.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/eval/tasks/chat_wrap.h"
#include "engine/eval/tasks/haystack.h"
#include "engine/eval/tasks/longbench_config.h"
#include "engine/eval/tasks/longbench_prompt.h"
#include "engine/eval/tasks/longbench_sample.h"
#include "engine/eval/tasks/minilongbench_import.h"
#include "engine/eval/tasks/needle_task.h"
#include "engine/eval/tasks/niah_grid.h"
#include "engine/eval/tasks/niah_prompt.h"
#include "engine/tokenizer/chat_template.h"

namespace hace::eval {
namespace {

using metrics::Metric;

// The chat wrapper of options["chat"]: "auto" (default: the model family's instruction
// template, ALGORITHMS.md 10.5 [HACE choice]), "none", or a template id.
std::string family_chat_template(const model::ModelConfig& model) {
    return std::string(tokenizer::default_chat_template_for(
        model.model_type.empty() ? model.family : model.model_type));
}

// The label of a request's options in error messages: "task niah: options.needle: ...".
std::string options_path(const TaskRequest& r) {
    return "task " + r.task + ": options";
}

tasks::ChatWrap chat_for(const TaskRequest& r, const model::ModelConfig& model) {
    std::string id = json_string_or(r.options, "chat", "auto", options_path(r));
    if (id == "auto") id = family_chat_template(model);
    return id == "none" ? tasks::no_chat_wrap() : tasks::chat_wrap(id);
}

std::int64_t cap(std::int64_t available, std::int64_t wanted) {
    return wanted > 0 ? std::min(available, wanted) : available;
}

std::vector<EvalSample> longbench(const TaskRequest& r, const tokenizer::Tokenizer& tok,
                                  const model::ModelConfig& model,
                                  const std::function<void(const std::string&)>& on_problem) {
    const std::filesystem::path dir = r.data;
    const auto report = [&](const tasks::LoadProblem& p) {
        if (on_problem) on_problem(p.message());
    };
    std::vector<tasks::Sample> samples;
    const std::filesystem::path jsonl = dir / (r.task + ".jsonl");
    const std::filesystem::path mini =
        dir / "minilongbench_examples" / ("MiniLongBench_" + r.task + ".json");
    if (r.options.contains("file")) {
        const std::filesystem::path f =
            dir / json_string(r.options["file"], options_path(r) + ".file");
        samples = f.extension() == ".jsonl" ? tasks::load_longbench_jsonl(f, report).samples
                                            : tasks::import_minilongbench(f, report).samples;
    } else if (std::filesystem::exists(jsonl)) {
        samples = tasks::load_longbench_jsonl(jsonl, report).samples;
    } else if (std::filesystem::exists(mini)) {
        // The official English files are not redistributable here; the MiniLongBench dumps hold
        // real samples whose fields the importer recovers (shared/data/longbench/README.md).
        samples = tasks::import_minilongbench(mini, report).samples;
    } else {
        throw InputError(jsonl.string() + ": no such LongBench file (nor " + mini.string() + ")");
    }
    const auto config = tasks::LongBenchPromptConfig::from_dir(dir);
    const auto wrap = chat_for(r, model);
    const std::size_t max_length =
        r.context_length > 0 ? static_cast<std::size_t>(r.context_length)
                             : tasks::longbench_max_length(model.max_positions, model.family);
    const bool zh = r.task.size() > 3 && r.task.substr(r.task.size() - 3) == "_zh";
    std::vector<EvalSample> out;
    const std::int64_t n = cap(static_cast<std::int64_t>(samples.size()), r.samples);
    for (std::int64_t i = 0; i < n; ++i) {
        const auto& s = samples[static_cast<std::size_t>(i)];
        const auto built =
            tasks::build_longbench_prompt(config, s, tok, max_length, wrap, r.query_agnostic);
        EvalSample e;
        e.task = r.task;
        e.id = s.id;
        e.prompt = built.ids;
        if (built.query_start) e.query_start = static_cast<std::int64_t>(*built.query_start);
        e.references = s.answers;
        e.metrics = {zh ? Metric::qa_f1_zh : Metric::qa_f1, Metric::rouge_l, Metric::exact_match};
        e.max_new_tokens = r.max_new_tokens > 0 ? r.max_new_tokens : built.max_new_tokens;
        e.meta = {{"dataset", s.dataset},
                  {"language", s.language},
                  {"length", s.length},
                  {"truncated", built.truncated},
                  {"original_tokens", built.original_tokens},
                  {"max_length", max_length},
                  {"chat_format", built.chat_format}};
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<EvalSample> niah(const TaskRequest& r, const tokenizer::Tokenizer& tok,
                             const model::ModelConfig& model) {
    const auto haystack = tasks::Haystack::from_folder(r.data);
    tasks::NiahOptions opts;
    const std::string where = options_path(r);
    opts.needle.needle = json_string_or(r.options, "needle", opts.needle.needle, where);
    opts.needle.question = json_string_or(r.options, "question", opts.needle.question, where);
    opts.needle.retrieval_keywords =
        json_string_or(r.options, "keywords", opts.needle.retrieval_keywords, where);
    std::vector<double> depths;
    if (r.options.contains("depths")) {
        depths = json_numbers(r.options["depths"], where + ".depths");
    } else {
        for (auto d : tasks::pyramidkv_depths()) depths.push_back(static_cast<double>(d));
    }
    const std::string format_name = json_string_or(r.options, "format", "pyramidkv", where);
    tasks::NiahFormat format;
    if (format_name == "pyramidkv") {
        format = tasks::pyramidkv_niah_format(opts.needle.question);
    } else if (format_name == "chat") {
        format = tasks::chat_niah_format(tokenizer::chat_template(family_chat_template(model)),
                                         opts.needle.question);
    } else {
        throw InputError("niah: options.format must be \"pyramidkv\" or \"chat\", got \"" +
                         format_name + "\"");
    }
    opts.split_question = r.query_agnostic;
    std::string needle_sentence = opts.needle.needle;
    needle_sentence.erase(0, needle_sentence.find_first_not_of(" \n"));
    needle_sentence.erase(needle_sentence.find_last_not_of(" \n") + 1);
    std::vector<EvalSample> out;
    const std::int64_t n = cap(static_cast<std::int64_t>(depths.size()), r.samples);
    for (std::int64_t i = 0; i < n; ++i) {
        const double depth = depths[static_cast<std::size_t>(i)];
        const auto p = tasks::build_niah_prompt(
            haystack, tok, static_cast<std::size_t>(r.context_length), depth, format, opts);
        EvalSample e;
        e.task = r.task;
        e.id = "L";
        e.id.append(std::to_string(r.context_length))
            .append("/d")
            .append(std::to_string(static_cast<int>(depth)));
        e.prompt = p.ids;
        if (p.query_start) e.query_start = static_cast<std::int64_t>(*p.query_start);
        e.references = {needle_sentence};
        e.metrics = {Metric::keyword_recall, Metric::rouge1};
        e.max_new_tokens = r.max_new_tokens > 0 ? r.max_new_tokens
                                                : static_cast<std::int32_t>(opts.max_new_tokens);
        e.stop_at_newline = true;
        e.meta = {{"context_length", r.context_length},
                  {"depth", depth},
                  {"needle_span", {p.needle_begin, p.needle_end}},
                  {"insert_at", p.insert_at},
                  {"keywords", opts.needle.retrieval_keywords},
                  {"format", p.format}};
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<EvalSample> needle_task(const TaskRequest& r) {
    const auto task = tasks::NeedleTask::open(r.data);
    std::vector<const tasks::NeedleCase*> cases;
    std::vector<int> lengths;
    const bool distractors = json_bool_or(r.options, "distractors", false, options_path(r));
    for (const auto* list : {&task.eval_cases(), &task.distractor_eval_cases()}) {
        if (list == &task.distractor_eval_cases() && !distractors) break;
        for (const auto& c : *list) {
            lengths.push_back(c.context_length);
            if (c.context_length == r.context_length) cases.push_back(&c);
        }
    }
    if (cases.empty()) {
        std::sort(lengths.begin(), lengths.end());
        lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
        std::string known;
        for (int l : lengths) {
            if (!known.empty()) known.append(", ");
            known.append(std::to_string(l));
        }
        throw InputError(r.data.string() + ": no needle case has context length " +
                         std::to_string(r.context_length) + " (available: " + known + ")");
    }
    std::vector<EvalSample> out;
    const std::int64_t n = cap(static_cast<std::int64_t>(cases.size()), r.samples);
    for (std::int64_t i = 0; i < n; ++i) {
        const auto& c = *cases[static_cast<std::size_t>(i)];
        const auto p = task.build(c);
        EvalSample e;
        e.task = r.task;
        e.id = c.name;
        e.prompt = p.prompt_ids;
        // The question block is its own piece already: the split leaves the ids unchanged.
        if (r.query_agnostic) e.query_start = static_cast<std::int64_t>(p.question_begin);
        e.references = {p.expected_value};
        e.metrics = {Metric::exact_match, Metric::qa_f1};
        e.max_new_tokens = r.max_new_tokens > 0 ? r.max_new_tokens : task.max_new_tokens();
        e.meta = {{"context_length", c.context_length},
                  {"depth", c.depth_percent},
                  {"template", c.needle.template_id},
                  {"needle_value", p.expected_value},
                  {"needle_span", {p.needle_begin, p.needle_end}},
                  {"distractors", c.distractors.size()}};
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

const std::vector<TaskInfo>& task_table() {
    static const std::vector<TaskInfo> table = {
        {"narrativeqa", TaskKind::LongBench, "longbench", "LongBench NarrativeQA (qa_f1)", 128},
        {"qasper", TaskKind::LongBench, "longbench", "LongBench Qasper (qa_f1)", 128},
        {"multifieldqa_en", TaskKind::LongBench, "longbench", "LongBench MultiFieldQA-en (qa_f1)",
         64},
        {"multifieldqa_zh", TaskKind::LongBench, "longbench",
         "LongBench MultiFieldQA-zh (qa_f1_zh, character tokens)", 64},
        {"niah", TaskKind::Niah, "haystack", "needle in a haystack (keyword recall, ROUGE-1 x10)",
         30},
        {"needle", TaskKind::NeedleTask, "needle_task",
         "the needle model's own retrieval task (exact match)", 16},
        {"hiv", TaskKind::Hiv, "hiv_needles", "head importance variance test (HeadKV R2 credit)",
         50},
    };
    return table;
}

const TaskInfo& task_by_id(const std::string& id) {
    for (const auto& t : task_table()) {
        if (t.id == id) return t;
    }
    std::string known;
    for (const auto& t : task_table()) {
        if (!known.empty()) known.append(", ");
        known.append(t.id);
    }
    throw InputError("unknown task \"" + id + "\" (known: " + known + ")");
}

std::vector<EvalSample> build_task_samples(
    const TaskRequest& request, const tokenizer::Tokenizer& tok, const model::ModelConfig& model,
    const std::function<void(const std::string&)>& on_problem) {
    const TaskInfo& info = task_by_id(request.task);
    switch (info.kind) {
        case TaskKind::LongBench:
            return longbench(request, tok, model, on_problem);
        case TaskKind::Niah:
            return niah(request, tok, model);
        case TaskKind::NeedleTask:
            return needle_task(request);
        case TaskKind::Hiv:
            break;
    }
    throw InputError("task hiv has no samples: it runs through run_hiv_task (hace hiv)");
}

}  // namespace hace::eval
