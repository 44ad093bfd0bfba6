#include "engine/eval/hiv/hiv_task.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/eval/metrics/qa_scores.h"
#include "engine/eval/tasks/haystack.h"
#include "engine/eval/tasks/needle_task.h"
#include "engine/eval/tasks/niah_grid.h"
#include "engine/eval/tasks/niah_prompt.h"

namespace hace::eval {
namespace {

struct R2Record {
    std::string needle, real_needle, question, answer;
};

std::vector<R2Record> read_r2_records(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw InputError(file.string() + ": cannot open the HIV needle records");
    std::vector<R2Record> out;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = file.string() + ":" + std::to_string(n);
        const auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded()) throw InputError(where + ": malformed JSON");
        if (!j.is_object()) {
            throw InputError(where +
                             ": expected a JSON object with strings needle, real_needle, "
                             "question, answer, got " +
                             json_type_name(j));
        }
        const auto field = [&](const char* key) {
            if (!j.contains(key)) throw InputError(where + ": " + key + ": missing");
            return json_string(j[key], where + ": " + key);
        };
        out.push_back({field("needle"), field("real_needle"), field("question"), field("answer")});
    }
    if (out.empty()) throw InputError(file.string() + ": no needle record");
    return out;
}

// The smallest token range inside [begin, end) of ids whose decoded text holds `text`: the real
// needle inside the encoded needle (its ids depend on the neighbouring text, so it is located
// by text, not by re-encoding).
std::pair<std::int64_t, std::int64_t> locate(const tokenizer::Tokenizer& tok,
                                             const std::vector<model::TokenId>& ids,
                                             std::size_t begin, std::size_t end,
                                             const std::string& text) {
    auto holds = [&](std::size_t a, std::size_t b) {
        return tok.decode(std::vector<model::TokenId>(ids.begin() + static_cast<std::ptrdiff_t>(a),
                                                      ids.begin() + static_cast<std::ptrdiff_t>(b)),
                          true)
                   .find(text) != std::string::npos;
    };
    if (!holds(begin, end)) {
        throw InputError("HIV: the real needle \"" + text + "\" is not inside the needle's tokens");
    }
    std::size_t a = begin, b = end;
    while (b > a + 1 && holds(a, b - 1)) --b;
    while (a + 1 < b && holds(a + 1, b)) ++a;
    return {static_cast<std::int64_t>(a), static_cast<std::int64_t>(b)};
}

std::vector<double> default_depths() {
    std::vector<double> d;
    for (auto x : tasks::pyramidkv_depths()) d.push_back(static_cast<double>(x));
    return d;
}

std::vector<HivTrial> r2_trials(const HivTaskOptions& o, const tokenizer::Tokenizer& tok,
                                const model::ModelConfig& model) {
    const auto records = read_r2_records(o.needles);
    const auto haystack = tasks::Haystack::from_folder(o.haystack);
    const std::int64_t lmax =
        o.max_length > 0 ? o.max_length : std::min<std::int64_t>(10000, model.max_positions - 250);
    const auto depths = o.depths.empty() ? default_depths() : o.depths;
    std::vector<HivTrial> out;
    for (std::size_t r = 0; r < records.size(); ++r) {
        const auto& rec = records[r];
        tasks::NiahOptions niah;
        niah.needle.needle = rec.needle;
        niah.needle.question = rec.question;
        const auto format = tasks::pyramidkv_niah_format(rec.question);
        const std::int32_t answer_tokens =
            static_cast<std::int32_t>(tok.encode(rec.answer, false).size());
        for (std::int64_t len : tasks::linspace_rounded(0.0, static_cast<double>(lmax), o.lengths)) {
            for (double depth : depths) {
                tasks::NiahPrompt p;
                try {
                    p = tasks::build_niah_prompt(haystack, tok, static_cast<std::size_t>(len), depth,
                                                 format, niah);
                } catch (const InputError&) {
                    continue;  // no haystack fits at this length (Lc = 0 of the grid)
                }
                HivTrial t;
                t.id = "r2-";
                t.id.append(std::to_string(r)).append("/L").append(std::to_string(len));
                t.id.append("/d").append(std::to_string(static_cast<int>(depth)));
                t.record = {{"needle", rec.needle},
                            {"real_needle", rec.real_needle},
                            {"question", rec.question},
                            {"answer", rec.answer}};
                t.context_length = len;
                t.depth = depth;
                t.prompt = p.ids;
                std::tie(t.span_begin, t.span_end) =
                    locate(tok, p.ids, p.needle_begin, p.needle_end, rec.real_needle);
                t.answer = rec.answer;
                t.max_steps = 50;
                t.answer_tokens = answer_tokens;
                out.push_back(std::move(t));
            }
        }
    }
    return out;
}

std::vector<HivTrial> needle_model_trials(const HivTaskOptions& o) {
    const auto task = tasks::NeedleTask::open(o.needles);
    std::vector<HivTrial> out;
    for (const auto& c : task.eval_cases()) {
        if (o.max_length > 0 && c.context_length > o.max_length) continue;
        const auto p = task.build(c);
        HivTrial t;
        t.id = c.name;
        t.record = {{"template", c.needle.template_id},
                    {"key", c.needle.key ? nlohmann::json(*c.needle.key) : nlohmann::json(nullptr)},
                    {"value", c.needle.value}};
        t.context_length = c.context_length;
        t.depth = c.depth_percent;
        t.prompt = p.prompt_ids;
        t.span_begin = static_cast<std::int64_t>(p.needle_begin);
        t.span_end = static_cast<std::int64_t>(p.needle_end);
        t.answer = p.expected_value;
        t.max_steps = task.max_new_tokens();
        out.push_back(std::move(t));
    }
    return out;
}

// At most n trials, evenly spread over the grid order so every condition stays represented.
std::vector<HivTrial> spread(std::vector<HivTrial> all, std::int64_t n) {
    if (n <= 0 || static_cast<std::int64_t>(all.size()) <= n) return all;
    std::vector<HivTrial> out;
    const double step = static_cast<double>(all.size()) / static_cast<double>(n);
    for (std::int64_t i = 0; i < n; ++i) {
        out.push_back(std::move(all[static_cast<std::size_t>(std::floor(static_cast<double>(i) * step))]));
    }
    return out;
}

}  // namespace

std::vector<HivTrial> build_hiv_trials(const HivTaskOptions& opts, const tokenizer::Tokenizer& tok,
                                       const model::ModelConfig& model) {
    std::vector<HivTrial> all;
    if (opts.protocol == "r2") {
        all = r2_trials(opts, tok, model);
    } else if (opts.protocol == "needle-model") {
        all = needle_model_trials(opts);
    } else {
        throw InputError("HIV protocol must be \"r2\" or \"needle-model\", got \"" + opts.protocol +
                         "\"");
    }
    if (all.empty()) throw InputError("HIV: the grid has no trial that fits the model");
    return spread(std::move(all), opts.max_trials);
}

HivRunResult run_hiv_task(const model::Model& model, const tokenizer::Tokenizer& tok,
                          const HivTaskOptions& opts, const HivRunOptions& run) {
    const auto trials = build_hiv_trials(opts, tok, model.config());
    // R2's acceptance rule: LongBench qa_f1 x 100 > 50 (section 4.4).
    auto accept = [](const std::string& response, const std::string& answer) {
        return metrics::qa_f1(response, answer);
    };
    return run_hiv_test(model, tok, trials, accept, run);
}

}  // namespace hace::eval
