// How a task's prompt text is wrapped for the model before encoding: one of the engine's chat
// templates, or any caller-supplied function (e.g. LongBench's own "[INST]{prompt}[/INST]").
//
// The wrapped text is always encoded with add_bos = true, i.e. the tokenizer's default (BOS where
// the tokenizer adds one, as Hugging Face's tokenizer(prompt) does): templates that start with BOS
// leave it out of their text for exactly this reason (see chat_template.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "engine/tokenizer/chat_template.h"

namespace hace::tasks {

struct ChatWrap {
    std::string name;  // recorded with every built prompt ("none", "llama2", ...)
    std::function<std::string(const std::string&)> wrap;  // empty: the text as is

    std::string apply(const std::string& text) const { return wrap ? wrap(text) : text; }
};

// The text as is, named "none".
ChatWrap no_chat_wrap();

// One user turn of the template (named by its id), with an optional system prompt.
ChatWrap chat_wrap(const tokenizer::ChatTemplate& tmpl,
                   std::optional<std::string> system = std::nullopt);

// The engine template with that id; InputError listing the known ids otherwise.
ChatWrap chat_wrap(std::string_view template_id);

}  // namespace hace::tasks
