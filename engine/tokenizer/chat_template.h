// Chat templates: how one user turn (and an optional system prompt) is laid out as prompt text
// for an instruction-tuned model.
//
// render() returns text only. Templates that begin with BOS (llama2, mistral: "<s>[INST] ...")
// leave it out of the text and say so with adds_bos_token: the caller encodes the rendered text
// with add_bos = true, so that BOS is the control id (1) and not the characters "<s>", which a
// sentencepiece tokenizer would split into ordinary pieces:
//
//     const ChatTemplate& t = chat_template("llama2");
//     auto ids = tok.encode(t.render(user, system), t.adds_bos_token);
//
// ChatML's markers (<|im_start|>, <|im_end|>) are part of the text; a BPE tokenizer that lists
// them as added tokens (Qwen) turns them into their special ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hace::tokenizer {

enum class ChatFormat {
    none,     // the user text as is
    llama2,   // <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST]
    mistral,  // <s>[INST] {system}\n\n{user} [/INST] (v0.1/v0.2 instruct: no system block)
    chatml,   // <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n... assistant\n
};

struct ChatTemplate {
    ChatFormat format = ChatFormat::none;
    std::string id;  // stable name used on the command line and in reports
    // The template starts with BOS, which render() leaves out: encode with add_bos = true.
    bool adds_bos_token = false;
    // Text that ends the assistant's turn when it shows up in the output decoded with
    // skip_special = false; checked in addition to the EOS id.
    std::vector<std::string> stop_strings;
    // Used by render() when no system prompt is given (chatml only).
    std::optional<std::string> default_system;

    // Details: "none" puts a system prompt before the user text, separated by "\n\n"; llama2
    // trims surrounding whitespace off the whole turn as Meta's reference code does; mistral
    // has no system block and puts the system prompt before the user text, separated by "\n\n".
    std::string render(const std::string& user, const std::optional<std::string>& system) const;
};

// All templates, "none" first.
const std::vector<ChatTemplate>& chat_templates();

// The template with that id; InputError listing the known ids otherwise.
const ChatTemplate& chat_template(std::string_view id);

// The template an instruction-tuned model of that family / config.json model_type uses:
// llama -> llama2, mistral -> mistral, qwen/qwen2/qwen3... -> chatml, anything else (opt, gpt2,
// unknown) -> none. Case-insensitive.
std::string_view default_chat_template_for(std::string_view family_or_model_type);

}  // namespace hace::tokenizer
