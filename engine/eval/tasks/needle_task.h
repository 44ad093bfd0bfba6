// The task needle-llama-1m was trained and evaluated on (shared/data/models/needle-llama-1m:
// README "The task" and needle_task.json), rebuilt at the token level:
//
//   prompt_ids = [BOS] + H[:k] + encode(needle) + H[k:] + encode(question_block)
//   answer_ids = encode("<value>.") + [EOS]
//
// encode = sentencepiece encode of each piece on its own (dummy prefix on, no BOS); H =
// stream[haystack_start : haystack_start + haystack_len] of the held-out stream (each held-out
// essay encoded on its own, concatenated in the listed order). Distractor needles go at their
// own indices of H; all needles are inserted back to front, and at equal indices a needle
// listed earlier ends up later (the order a stable descending sort of [needle, distractors...]
// gives), so at depth 100 the real needle is last, right before the question.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer.h"

namespace hace::tasks {

struct NeedleTemplate {
    std::string id;             // secret_code, magic_number, password, lucky_number
    std::string needle;         // "The magic number of {k} is {v}."
    std::string question;       // "What is the magic number of {k}?"
    std::string answer_prefix;  // "The magic number of {k} is"
};

struct PlantedNeedle {
    std::string template_id;
    std::optional<std::string> key;  // none for secret_code
    std::string value;               // 4-6 digits
};

struct NeedleCase {
    std::string name;           // "eval_cases[12]", "distractor_eval_cases[3]", a golden case name
    int context_length = 0;     // 0 when not recorded (golden cases)
    double depth_percent = -1;  // < 0 when not recorded
    PlantedNeedle needle;
    std::size_t haystack_start = 0;  // index into the held-out stream
    std::size_t haystack_len = 0;
    std::size_t insert_at = 0;  // index into H
    std::vector<PlantedNeedle> distractors;
    std::vector<std::size_t> distractor_insert_at;
    std::optional<std::string> generated_text;  // the model's recorded greedy output
    std::optional<bool> correct;
};

struct NeedlePrompt {
    std::vector<tokenizer::TokenId> prompt_ids;
    std::vector<tokenizer::TokenId> answer_ids;  // encode("<value>.") + [EOS]
    std::size_t needle_begin = 0;  // [needle_begin, needle_end) of the real needle in prompt_ids
    std::size_t needle_end = 0;
    std::vector<std::pair<std::size_t, std::size_t>> distractor_spans;  // in distractor order
    std::string expected_value;
    std::size_t question_begin = 0;  // first id of encode(question_block) in prompt_ids
};

class NeedleTask {
public:
    // Reads needle_task.json, finds the haystack folder and the tokenizer it names (paths
    // relative to the shared folder: the nearest ancestor of the json's folder that holds them),
    // loads the tokenizer through load_tokenizer and encodes the held-out stream. InputError
    // naming the file and key on anything malformed or missing.
    static NeedleTask open(const std::filesystem::path& task_json);

    // The same with the haystack folder and the tokenizer given.
    NeedleTask(const std::filesystem::path& task_json, const std::filesystem::path& haystack_dir,
               std::shared_ptr<const tokenizer::Tokenizer> tok);

    const std::vector<NeedleCase>& eval_cases() const { return eval_cases_; }
    const std::vector<NeedleCase>& distractor_eval_cases() const { return distractor_cases_; }
    const std::vector<NeedleTemplate>& templates() const { return templates_; }
    const std::vector<tokenizer::TokenId>& heldout_stream() const { return stream_; }
    const tokenizer::Tokenizer& tokenizer() const { return *tok_; }
    int max_new_tokens() const { return 16; }  // context_length - prompt length

    // InputError when the case names an unknown template, or its span or insertion points fall
    // outside the stream / H.
    NeedlePrompt build(const NeedleCase& c) const;

    // The depth rule: k = int(n_hay * depth / 100); k >= n_hay -> n_hay; else the nearest
    // sentence start in [1, k], else the nearest word start in [1, k], else 0. Word start: a
    // piece beginning with U+2581; sentence start: a word start whose preceding piece ends with
    // '.', '?' or '!'.
    std::size_t insertion_point(std::size_t haystack_start, std::size_t haystack_len,
                                double depth_percent) const;

    bool is_word_start(tokenizer::TokenId id) const;

    // "Question: {question} Answer: {answer_prefix}" for the needle.
    std::string question_block(const PlantedNeedle& needle) const;
    std::string needle_text(const PlantedNeedle& needle) const;

private:
    const NeedleTemplate& find_template(const std::string& id) const;

    std::filesystem::path json_path_;
    std::shared_ptr<const tokenizer::Tokenizer> tok_;
    std::vector<NeedleTemplate> templates_;
    std::string question_block_;
    std::string answer_;
    std::vector<NeedleCase> eval_cases_;
    std::vector<NeedleCase> distractor_cases_;
    std::vector<tokenizer::TokenId> stream_;
};

// The README's exact-match rule: the decoded continuation (EOS dropped) matches ^\s*(\d+) and the
// digits equal the value (ASCII whitespace and digits).
bool needle_exact_match(std::string_view continuation, std::string_view value);

}  // namespace hace::tasks
