#include "engine/eval/tasks/niah_prompt.h"

#include "engine/core/error.h"
#include "engine/eval/tasks/segment_encoding.h"

namespace hace::tasks {
using tokenizer::TokenId;

namespace {

constexpr const char* kBookIntro = "This is a very long story book: <book> ";

constexpr const char* kTailBeforeQuestion =
    " </book>.\n Based on the content of the book, Question:";

std::string book_tail(const std::string& question) {
    return std::string(kTailBeforeQuestion) + " " + question + "\nAnswer:";
}

void append(std::vector<TokenId>& out, const std::vector<TokenId>& ids, std::size_t from,
            std::size_t to) {
    out.insert(out.end(), ids.begin() + static_cast<std::ptrdiff_t>(from),
               ids.begin() + static_cast<std::ptrdiff_t>(to));
}

}  // namespace

NiahFormat pyramidkv_niah_format(const std::string& question) {
    return {"pyramidkv", std::string("<|im_start|> ") + kBookIntro, book_tail(question), true,
            std::string(kTailBeforeQuestion).size()};
}

NiahFormat chat_niah_format(const tokenizer::ChatTemplate& tmpl, const std::string& question,
                            const std::optional<std::string>& system) {
    // Render once with a marker where the context goes, then split the rendered text there.
    static const std::string marker = "\x01HACE_NIAH_CONTEXT\x01";
    const std::string rendered =
        tmpl.render(std::string(kBookIntro) + marker + book_tail(question), system);
    const std::size_t at = rendered.find(marker);
    if (at == std::string::npos) {
        throw InputError("NIAH chat format \"" + tmpl.id + "\": the template dropped the context");
    }
    std::string after = rendered.substr(at + marker.size());
    const std::size_t question_at = after.find(kTailBeforeQuestion);
    if (question_at == std::string::npos) {
        throw InputError("NIAH chat format \"" + tmpl.id + "\": the template changed the question");
    }
    return {tmpl.id, rendered.substr(0, at), std::move(after), true,
            question_at + std::string(kTailBeforeQuestion).size()};
}

bool ends_sentence(const tokenizer::Tokenizer& tok, const std::vector<TokenId>& ids, std::size_t i,
                   const std::vector<std::string>& terminators) {
    const std::size_t from = i >= 3 ? i - 3 : 0;
    const auto first = ids.begin() + static_cast<std::ptrdiff_t>(from);
    const auto last = ids.begin() + static_cast<std::ptrdiff_t>(i);
    const std::string with = tok.decode(std::vector<TokenId>(first, last + 1), true);
    bool terminated = false;
    for (const auto& t : terminators) terminated = terminated || with.ends_with(t);
    return terminated && tok.decode(std::vector<TokenId>(first, last), true) != with;
}

NiahPrompt build_niah_prompt(const Haystack& haystack, const tokenizer::Tokenizer& tok,
                             std::size_t context_length, double depth_percent,
                             const NiahFormat& format, const NiahOptions& options) {
    if (!(depth_percent >= 0 && depth_percent <= 100)) {
        throw InputError("NIAH: depth_percent must be in [0, 100], got " +
                         std::to_string(depth_percent));
    }
    const std::vector<TokenId> needle = encode_segment(tok, options.needle.needle);
    if (context_length <= options.buffer + needle.size()) {
        throw InputError("NIAH: context length " + std::to_string(context_length) +
                         " leaves no room for haystack after the " +
                         std::to_string(options.buffer) + "-token buffer and the " +
                         std::to_string(needle.size()) + "-token needle");
    }
    // A space right before the context belongs to the haystack's first word.
    std::string before = format.before_context;
    const bool space_before = !before.empty() && before.back() == ' ';
    if (space_before) before.pop_back();
    const std::vector<TokenId> hay = haystack.leading_ids(
        tok, context_length - options.buffer - needle.size(), space_before ? " " : "");

    std::size_t k = hay.size();
    if (depth_percent < 100) {
        k = static_cast<std::size_t>(static_cast<double>(hay.size()) * (depth_percent / 100.0));
        while (k > 0 && !ends_sentence(tok, hay, k - 1, options.sentence_terminators)) --k;
    }

    NiahPrompt p;
    p.context_length = context_length;
    p.depth_percent = depth_percent;
    p.format = format.name;
    p.haystack_tokens = hay.size();
    p.insert_at = k;
    if (format.add_bos) p.ids = leading_special_ids(tok);
    const std::vector<TokenId> head = encode_segment(tok, before);
    p.ids.insert(p.ids.end(), head.begin(), head.end());
    p.context_begin = p.ids.size();
    append(p.ids, hay, 0, k);
    p.needle_begin = p.ids.size();
    p.ids.insert(p.ids.end(), needle.begin(), needle.end());
    p.needle_end = p.ids.size();
    append(p.ids, hay, k, hay.size());
    p.context_end = p.ids.size();
    if (options.split_question) {
        const std::string_view after(format.after_context);
        if (format.question_at > after.size()) {
            throw InputError("NIAH format \"" + format.name +
                             "\": question offset outside the text");
        }
        const auto before_q = encode_segment(tok, after.substr(0, format.question_at));
        p.ids.insert(p.ids.end(), before_q.begin(), before_q.end());
        p.query_start = p.ids.size();
        const auto question = encode_segment(tok, after.substr(format.question_at));
        p.ids.insert(p.ids.end(), question.begin(), question.end());
        return p;
    }
    const std::vector<TokenId> tail = encode_segment(tok, format.after_context);
    p.ids.insert(p.ids.end(), tail.begin(), tail.end());
    return p;
}

}  // namespace hace::tasks
