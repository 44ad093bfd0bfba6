#include "engine/eval/tasks/chat_wrap.h"

namespace hace::tasks {

ChatWrap no_chat_wrap() {
    return {"none", nullptr};
}

ChatWrap chat_wrap(const tokenizer::ChatTemplate& tmpl, std::optional<std::string> system) {
    return {tmpl.id, [tmpl, system](const std::string& user) { return tmpl.render(user, system); }};
}

ChatWrap chat_wrap(std::string_view template_id) {
    return chat_wrap(tokenizer::chat_template(template_id));
}

}  // namespace hace::tasks
