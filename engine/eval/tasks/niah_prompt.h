// Needle-in-a-haystack prompts (ALGORITHMS.md 11.1-11.3) with the needle's exact token span.
//
// Context (as KVF/HKV run_needle_in_haystack.py, in token space): H = the first
// context_length - buffer - |needle ids| haystack ids (so haystack + needle = context_length -
// buffer tokens, the reference's "trim to context_length, subtract the 200-token buffer, cut
// the haystack so that haystack + needle fits"); the needle goes at k = int(|H| * (depth /
// 100)) (the reference's double-precision expression), moved back until H[k-1] ends a sentence
// (or k = 0); depth >= 100 appends it after H.
//
// Sentence end: token i ends a sentence when the text decoded from ids[i-3..i] (skipping
// special tokens) ends with one of the terminators and token i adds text to it. For a
// sentencepiece vocabulary that is "a token whose decoded piece ends with '.'" (e.g. "." and
// "\u2581."; the reference lists Llama's ids 29889 and 869), and the three-token look-back also
// finds "\u3002" spelled as byte-fallback pieces <0xE3><0x80><0x82>. Unlike the reference's id
// list, pieces such as "..." or ")." also count.
//
// Final ids (piece by piece, see segment_encoding.h): [BOS] + encode(text before the context) +
// H[:k] + encode(needle) + H[k:] + encode(text after the context). The haystack ids are encoded
// as one piece starting with the space that precedes the context in the wrapper, so the needle
// span [needle_begin, needle_end) is exact by construction. The reference instead decodes the
// context to text and re-encodes the whole prompt; our ids differ from that only at the piece
// boundaries.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/eval/tasks/haystack.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::tasks {

struct NeedleSpec {
    // The San Francisco needle of gkamradt's NIAH, KVF and HKV, with its surrounding newlines.
    std::string needle =
        "\nThe best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a "
        "sunny day.\n";
    // KVF/HKV's completion-style question (trailing space included).
    std::string question = "The best thing to do in San Francisco is: ";
    // What a correct answer contains; the KVF heat-map script scores the fraction of these
    // (lower-cased, distinct) words found in the response.
    std::string retrieval_keywords = "eat a sandwich and sit in Dolores Park on a sunny day.";
};

// The text around the context: before_context + context + after_context (question filled in).
struct NiahFormat {
    std::string name;  // "pyramidkv" or the chat template id
    std::string before_context;
    std::string after_context;
    // Encode with the tokenizer's BOS (true for every format here, as the references call
    // tokenizer(prompt)).
    bool add_bos = true;
    // Where the question part begins in after_context: the space before the question text, up
    // to the end (query-agnostic protocol; "Question:" stays in the compressed part).
    std::size_t question_at = 0;
};

// KVF/HKV run_needle_in_haystack.py generate_prompt() for local models, byte for byte (read in
// the KVF source at 485af3cb; shared/data/haystack/README.md quotes the same string at c97f9d70):
//   "<|im_start|> This is a very long story book: <book> {context} </book>.\n Based on the
//    content of the book, Question: {question}\nAnswer:"
// The "<|im_start|>" is literal text, not a chat template.
NiahFormat pyramidkv_niah_format(const std::string& question);

// The same words without the literal "<|im_start|> " marker, as one user turn of the model's
// chat template [HACE choice, ALGORITHMS.md 11.3: "separately, the model's chat template"].
NiahFormat chat_niah_format(const tokenizer::ChatTemplate& tmpl, const std::string& question,
                            const std::optional<std::string>& system = std::nullopt);

struct NiahOptions {
    NeedleSpec needle;
    std::size_t buffer = 200;  // final_context_length_buffer of the references
    std::vector<std::string> sentence_terminators = {".", "\xE3\x80\x82"};  // "." and U+3002
    // KVF/HKV generate greedily up to 30 tokens and stop at EOS or at a newline.
    std::size_t max_new_tokens = 30;
    // Query-agnostic protocol: encode after_context as two pieces split at question_at, and set
    // NiahPrompt::query_start to the first token of the second.
    bool split_question = false;
};

struct NiahPrompt {
    std::vector<tokenizer::TokenId> ids;
    std::size_t needle_begin = 0;  // [needle_begin, needle_end) in ids
    std::size_t needle_end = 0;
    std::size_t context_begin = 0;  // [context_begin, context_end): haystack with the needle
    std::size_t context_end = 0;
    std::size_t haystack_tokens = 0;  // |H|
    std::size_t insert_at = 0;        // k, an index into H
    std::size_t context_length = 0;
    double depth_percent = 0;
    std::string format;
    std::optional<std::size_t> query_start;  // split_question: first id of the question part
};

// InputError when the context length leaves no room for any haystack after the buffer and the
// needle, or depth_percent is outside [0, 100].
NiahPrompt build_niah_prompt(const Haystack& haystack, const tokenizer::Tokenizer& tok,
                             std::size_t context_length, double depth_percent,
                             const NiahFormat& format, const NiahOptions& options = {});

// Whether ids[i] ends a sentence by the rule above (exposed for tests and the HIV test).
bool ends_sentence(const tokenizer::Tokenizer& tok, const std::vector<tokenizer::TokenId>& ids,
                   std::size_t i, const std::vector<std::string>& terminators);

}  // namespace hace::tasks
