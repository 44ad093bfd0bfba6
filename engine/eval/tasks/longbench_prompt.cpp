#include "engine/eval/tasks/longbench_prompt.h"

#include <algorithm>
#include <cctype>

#include "engine/core/error.h"
#include "engine/eval/tasks/segment_encoding.h"

namespace hace::tasks {
using tokenizer::TokenId;

MiddleTruncation truncate_middle(const tokenizer::Tokenizer& tok, const std::string& prompt,
                                 std::size_t max_length) {
    if (max_length < 2) {
        throw InputError("LongBench truncation: max_length must be at least 2, got " +
                         std::to_string(max_length));
    }
    const std::vector<TokenId> ids = tok.encode(prompt, true);
    MiddleTruncation out{prompt, false, ids.size()};
    if (ids.size() <= max_length) return out;
    const std::size_t half = max_length / 2;
    const std::vector<TokenId> head(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(half));
    const std::vector<TokenId> tail(ids.end() - static_cast<std::ptrdiff_t>(half), ids.end());
    out.text = tok.decode(head, true) + tok.decode(tail, true);
    out.truncated = true;
    return out;
}

std::string fill_longbench_prompt(const LongBenchPromptConfig& config, const Sample& sample) {
    return python_format(config.prompt_template(sample.dataset), format_fields(sample),
                         "LongBench prompt template \"" + sample.dataset + "\"");
}

std::string longbench_question_part(const LongBenchPromptConfig& config, const Sample& sample) {
    // Fill with markers for the context and the question, find the question placeholder after
    // the context, and fill the rest of the template with the real question.
    static const std::string kContext = "\x01HACE_CONTEXT\x01";
    static const std::string kQuestion = "\x01HACE_QUESTION\x01";
    Sample marked = sample;
    marked.context = kContext;
    marked.input = kQuestion;
    const std::string filled = fill_longbench_prompt(config, marked);
    const std::size_t ctx = filled.find(kContext);
    const std::size_t q =
        ctx == std::string::npos ? std::string::npos : filled.find(kQuestion, ctx);
    if (q == std::string::npos) {
        throw InputError("LongBench template \"" + sample.dataset +
                         "\": no {input} after {context}; cannot separate the question "
                         "(query-agnostic protocol)");
    }
    std::size_t from = q;
    if (from > ctx + kContext.size() && filled[from - 1] == ' ') --from;
    std::string part = filled.substr(from);
    for (std::size_t at = part.find(kQuestion); at != std::string::npos;
         at = part.find(kQuestion, at + sample.input.size())) {
        part.replace(at, kQuestion.size(), sample.input);
    }
    return part;
}

BuiltPrompt build_longbench_prompt(const LongBenchPromptConfig& config, const Sample& sample,
                                   const tokenizer::Tokenizer& tok, std::size_t max_length,
                                   const ChatWrap& wrap, bool split_question) {
    const MiddleTruncation cut =
        truncate_middle(tok, fill_longbench_prompt(config, sample), max_length);
    BuiltPrompt out;
    out.text = wrap.apply(cut.text);
    if (split_question) {
        const std::string question = longbench_question_part(config, sample);
        const std::size_t inner = out.text.find(cut.text);
        if (cut.text.size() < question.size() ||
            cut.text.compare(cut.text.size() - question.size(), question.size(), question) != 0 ||
            inner == std::string::npos) {
            throw InputError("LongBench sample " + sample.id +
                             ": middle truncation cut into the question; cannot separate it "
                             "(query-agnostic protocol)");
        }
        const std::size_t at = inner + cut.text.size() - question.size();
        out.ids = tok.encode(std::string_view(out.text).substr(0, at), true);
        out.query_start = out.ids.size();
        const auto rest = encode_segment(tok, std::string_view(out.text).substr(at));
        out.ids.insert(out.ids.end(), rest.begin(), rest.end());
    } else {
        out.ids = tok.encode(out.text, true);
    }
    out.truncated = cut.truncated;
    out.original_tokens = cut.original_tokens;
    out.chat_format = wrap.name;
    out.max_new_tokens = config.max_new_tokens(sample.dataset);
    return out;
}

std::size_t longbench_max_length(std::int64_t max_positions, std::string_view family) {
    if (max_positions < 2) {
        throw InputError(
            "LongBench max_length: the model's max_positions must be at least 2, "
            "got " +
            std::to_string(max_positions));
    }
    std::string fam(family);
    std::transform(fam.begin(), fam.end(), fam.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (fam == "opt" && max_positions == 2048) return 1900;
    const std::int64_t nominal =
        max_positions % 1024 == 0 ? max_positions / 1024 * 1000 : max_positions / 1000 * 1000;
    const std::int64_t by_rule = nominal - 500;
    if (by_rule >= max_positions / 2) return static_cast<std::size_t>(by_rule);
    return static_cast<std::size_t>(std::max<std::int64_t>(2, max_positions - 128));
}

}  // namespace hace::tasks
