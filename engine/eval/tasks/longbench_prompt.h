// LongBench prompt building (ALGORITHMS.md 10.2-10.5): fill the dataset's template as Python's
// str.format(**sample) does, truncate in the middle by tokens, wrap for chat, encode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/eval/tasks/chat_wrap.h"
#include "engine/eval/tasks/longbench_config.h"
#include "engine/eval/tasks/longbench_sample.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::tasks {

struct MiddleTruncation {
    std::string text;  // the prompt, or its two halves joined
    bool truncated = false;
    std::size_t original_tokens = 0;  // encode(prompt, BOS) length
};

// LongBench pred.py's truncation, exactly: ids = encode(prompt) with BOS; when longer than
// max_length, text = decode(ids[:h]) + decode(ids[-h:]) with h = floor(max_length / 2), special
// tokens skipped (so the BOS at ids[0] counts towards the first half but leaves no text), no
// separator. max_length < 2 is refused (Python's ids[-0:] would keep everything).
MiddleTruncation truncate_middle(const tokenizer::Tokenizer& tok, const std::string& prompt,
                                 std::size_t max_length);

struct BuiltPrompt {
    std::vector<tokenizer::TokenId> ids;  // the final prompt ids (BOS where the tokenizer adds it)
    bool truncated = false;
    std::size_t original_tokens = 0;  // tokens of the filled template before truncation
    std::string chat_format;          // ChatWrap::name
    std::string text;                 // what was encoded: truncated, then wrapped
    int max_new_tokens = 0;           // dataset2maxlen.json
    // split_question: ids[query_start..] is the question part (query-agnostic protocol).
    std::optional<std::size_t> query_start;
};

// The dataset's template filled with the sample (str.format(**sample)).
std::string fill_longbench_prompt(const LongBenchPromptConfig& config, const Sample& sample);

// fill -> truncate_middle(max_length) -> wrap.apply -> encode with the tokenizer's BOS. The final
// length can differ slightly from max_length (the decode/re-encode round trip; KVF #62).
// split_question (query-agnostic protocol): the same text, cut where the template's question
// placeholder after {context} begins (before the space preceding it, if any): the part before
// is encoded with BOS, the question part and the chat suffix as a segment (segment_encoding.h),
// and query_start is set. A template that states {input} also before {context} keeps that
// first statement in the compressed part. InputError when the template has no {input} after
// {context}, or when middle truncation cut into the question.
BuiltPrompt build_longbench_prompt(const LongBenchPromptConfig& config, const Sample& sample,
                                   const tokenizer::Tokenizer& tok, std::size_t max_length,
                                   const ChatWrap& wrap, bool split_question = false);

// The question part of the filled template (see split_question above): from the {input}
// placeholder that follows {context} (and the space before it) to the end.
std::string longbench_question_part(const LongBenchPromptConfig& config, const Sample& sample);

// max_length for a model [HACE choice, ALGORITHMS.md 10.4], reproducing the official values:
//  - OPT (family "opt") with 2048 positions: 1900 (room for 128 new tokens);
//  - otherwise nominal(max_positions) - 500, where nominal counts "K" as 1000 tokens:
//    max_positions / 1024 * 1000 when it is a multiple of 1024, else it rounded down to a
//    thousand. 4096 -> 3500 (LLaMA-2, LB's value), 8192 -> 7500, 32768 -> 31500 (Mistral),
//    131072 -> 127500. For the context-length sweep pass the sweep length as max_positions.
//  - models too short for that rule (nominal - 500 < max_positions / 2, e.g. the 512-position
//    test model) get max_positions - 128, leaving room for the 128 new tokens of narrativeqa
//    and qasper; at least 2.
// family is the config.json model_type (case-insensitive); only "opt" changes the rule.
std::size_t longbench_max_length(std::int64_t max_positions, std::string_view family);

}  // namespace hace::tasks
