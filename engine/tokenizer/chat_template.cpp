#include "engine/tokenizer/chat_template.h"

#include <algorithm>
#include <cctype>

#include "engine/core/error.h"

namespace hace::tokenizer {
namespace {

std::string trim(const std::string& s) {
    const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    const auto first = std::find_if_not(s.begin(), s.end(), space);
    const auto last = std::find_if_not(s.rbegin(), s.rend(), space).base();
    return first < last ? std::string(first, last) : std::string();
}

std::string instruction(const std::string& content) {
    std::string out = "[INST] ";
    out.append(content);
    out.append(" [/INST]");
    return out;
}

}  // namespace

std::string ChatTemplate::render(const std::string& user,
                                 const std::optional<std::string>& system) const {
    std::string out;
    switch (format) {
        case ChatFormat::none:
        case ChatFormat::mistral:
            if (system) {
                out.append(*system);
                out.append("\n\n");
            }
            out.append(user);
            return format == ChatFormat::none ? out : instruction(out);
        case ChatFormat::llama2:
            if (system) {
                out.append("<<SYS>>\n");
                out.append(*system);
                out.append("\n<</SYS>>\n\n");
            }
            out.append(user);
            return instruction(trim(out));
        case ChatFormat::chatml: {
            const std::string& sys = system ? *system : default_system.value_or(std::string());
            out.append("<|im_start|>system\n");
            out.append(sys);
            out.append("<|im_end|>\n<|im_start|>user\n");
            out.append(user);
            out.append("<|im_end|>\n<|im_start|>assistant\n");
            return out;
        }
    }
    return out;
}

const std::vector<ChatTemplate>& chat_templates() {
    static const std::vector<ChatTemplate> templates = {
        {ChatFormat::none, "none", false, {}, std::nullopt},
        {ChatFormat::llama2, "llama2", true, {"</s>", "[INST]"}, std::nullopt},
        {ChatFormat::mistral, "mistral", true, {"</s>", "[INST]"}, std::nullopt},
        {ChatFormat::chatml,
         "chatml",
         false,
         {"<|im_end|>", "<|endoftext|>"},
         "You are a helpful assistant."},
    };
    return templates;
}

const ChatTemplate& chat_template(std::string_view id) {
    for (const ChatTemplate& t : chat_templates()) {
        if (t.id == id) return t;
    }
    std::string known;
    for (const ChatTemplate& t : chat_templates()) {
        if (!known.empty()) known.append(", ");
        known.append(t.id);
    }
    std::string message = "chat template: unknown id \"";
    message.append(id);
    message.append("\" (known: ");
    message.append(known);
    message.append(")");
    throw InputError(message);
}

std::string_view default_chat_template_for(std::string_view family_or_model_type) {
    std::string name(family_or_model_type);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto starts = [&](std::string_view prefix) { return name.rfind(prefix, 0) == 0; };
    if (starts("llama")) return "llama2";
    if (starts("mistral") || starts("mixtral")) return "mistral";
    if (starts("qwen")) return "chatml";
    return "none";
}

}  // namespace hace::tokenizer
