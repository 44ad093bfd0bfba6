#include "engine/eval/tasks/longbench_prompt.h"

#include <algorithm>
#include <cctype>

#include "engine/core/error.h"

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

BuiltPrompt build_longbench_prompt(const LongBenchPromptConfig& config, const Sample& sample,
                                   const tokenizer::Tokenizer& tok, std::size_t max_length,
                                   const ChatWrap& wrap) {
    const MiddleTruncation cut =
        truncate_middle(tok, fill_longbench_prompt(config, sample), max_length);
    BuiltPrompt out;
    out.text = wrap.apply(cut.text);
    out.ids = tok.encode(out.text, true);
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
