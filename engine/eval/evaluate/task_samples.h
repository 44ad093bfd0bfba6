// The tasks a sweep can name, and the samples of one (task, context length) cell as prompts
// ready for the model (ALGORITHMS.md sections 10-12). No torch here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/eval/evaluate/sample_eval.h"
#include "engine/model/model_config.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::eval {

enum class TaskKind { LongBench, Niah, NeedleTask, Hiv };

struct TaskInfo {
    std::string id;  // sweep name: "narrativeqa", "niah", "needle", "hiv", ...
    TaskKind kind;
    std::string data_key;  // key of the sweep's "data" object naming its folder ("" = none)
    std::string summary;
    std::int32_t max_new_tokens;  // default (LongBench: dataset2maxlen.json)
};

// narrativeqa, qasper, multifieldqa_en, multifieldqa_zh (LongBench, data "longbench"), niah
// (data "haystack"), needle (the needle model's own task, data "needle_task": its
// needle_task.json), hiv (the HIV test, data "hiv_needles").
const std::vector<TaskInfo>& task_table();
// InputError listing the known ids.
const TaskInfo& task_by_id(const std::string& id);

struct TaskRequest {
    std::string task;
    std::int64_t context_length = 0;  // LongBench: middle-truncation max_length; NIAH: Lc
    std::int64_t samples = 0;         // at most this many (0 = all)
    std::filesystem::path data;       // the folder (or file) of the task's data
    nlohmann::json options = nlohmann::json::object();  // per task, see task_samples.cpp
    std::int32_t max_new_tokens = 0;                    // 0: the task's default
    // Query-agnostic protocol: every sample carries query_start (sample_eval.h), the first
    // token of its question part. LongBench: the template's question placeholder after the
    // context (a template that also states the question before the context keeps that first
    // statement in the compressed part); NIAH: "Question: ..." after the book; the needle task:
    // its question block. The split is made before the space that precedes the question, and
    // the two parts are encoded separately (the question part without BOS, as a piece that
    // starts with that space), so the context ids cannot depend on the question.
    bool query_agnostic = false;
};

// The samples of one cell, in a deterministic order. A malformed data line is reported through
// on_problem ("file:line: problem") and skipped. Throws InputError for missing data.
std::vector<EvalSample> build_task_samples(
    const TaskRequest& request, const tokenizer::Tokenizer& tok, const model::ModelConfig& model,
    const std::function<void(const std::string&)>& on_problem = {});

}  // namespace hace::eval
