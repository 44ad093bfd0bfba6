#include "app/cli/json_out.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine/core/error.h"
#include "engine/model/model_config.h"
#include "engine/tokenizer/chat_template.h"

namespace hace::cli {

std::vector<FlagSpec> run_flags() {
    return {
        {"device", true, "cpu (default) or cuda"},
        {"dtype", true, "run dtype: f32 (default on CPU), f16, bf16"},
        {"threads", true, "compute threads (default: all cores)"},
    };
}

model::LoadOptions load_options(const Args& args) {
    model::LoadOptions opts;
    opts.device = args.get_or("device", "cpu");
    if (auto dt = args.get("dtype")) {
        opts.dtype = dtype_from_run_name(*dt);
        if (!opts.dtype) {
            throw InputError("--dtype: expected f32, f16 or bf16, got \"" + *dt + "\"");
        }
    }
    const auto threads = args.int_or("threads", 0);
    if (threads < 0 || threads > 1024) {
        throw InputError("--threads: expected 0..1024, got " + std::to_string(threads));
    }
    model::set_compute_threads(static_cast<int>(threads));
    return opts;
}

void check_tokenizer_fits(const tokenizer::Tokenizer& tok, const model::ModelConfig& cfg,
                          const std::filesystem::path& model_dir) {
    if (tok.vocab_size() > cfg.vocab) {
        throw InputError(model_dir.string() + ": tokenizer vocabulary (" +
                         std::to_string(tok.vocab_size()) + " ids) exceeds the model's vocab_size (" +
                         std::to_string(cfg.vocab) + ") in config.json");
    }
}

std::vector<FlagSpec> prompt_flags() {
    return {
        {"prompt", true, "prompt text (BOS is prepended)"},
        {"prompt-file", true, "file holding the prompt text"},
        {"prompt-ids", true, "comma-separated token ids, used as given"},
        {"no-bos", false, "do not prepend BOS to a text prompt"},
        {"chat", true, "wrap a text prompt in a chat template: auto (the family's), none, "
                       "llama2, mistral, chatml"},
        {"system", true, "system prompt for --chat"},
    };
}

std::vector<model::TokenId> read_prompt(const Args& args, const std::filesystem::path& model_dir,
                                        std::unique_ptr<tokenizer::Tokenizer>& tok,
                                        std::string* chat_used) {
    if (chat_used) *chat_used = "none";
    const std::string source = args.one_of({"prompt", "prompt-file", "prompt-ids"});
    const bool has_tokenizer = std::filesystem::exists(model_dir / "tokenizer.model") ||
                               std::filesystem::exists(model_dir / "tokenizer.json") ||
                               std::filesystem::exists(model_dir / "vocab.json");
    if (source != "prompt-ids") {
        tok = tokenizer::load_tokenizer(model_dir);
    } else if (has_tokenizer) {
        // Ids need no tokenizer; one that cannot be loaded only costs the decoded text.
        try {
            tok = tokenizer::load_tokenizer(model_dir);
        } catch (const InputError& e) {
            std::fprintf(stderr, "hace: warning: no output text: %s\n", e.what());
        }
    }
    std::vector<model::TokenId> ids;
    if (source == "prompt-ids") {
        if (args.has("chat")) throw InputError("--chat applies to text prompts, not --prompt-ids");
        ids = parse_id_list("prompt-ids", args.require("prompt-ids"));
    } else {
        std::string text;
        if (source == "prompt") {
            text = args.require("prompt");
        } else {
            const std::string path = args.require("prompt-file");
            std::ifstream in(path, std::ios::binary);
            if (!in) throw InputError(path + ": cannot open prompt file");
            std::stringstream buf;
            buf << in.rdbuf();
            text = buf.str();
        }
        if (text.empty()) throw InputError("the prompt is empty");
        bool add_bos = !args.has("no-bos");
        if (auto chat = args.get("chat")) {
            std::string id = *chat;
            if (id == "auto") {
                const auto cfg = model::load_model_config(model_dir);
                id = std::string(tokenizer::default_chat_template_for(
                    cfg.model_type.empty() ? cfg.family : cfg.model_type));
            }
            const tokenizer::ChatTemplate& t = tokenizer::chat_template(id);
            std::optional<std::string> system;
            if (auto sys = args.get("system")) system = *sys;
            text = t.render(text, system);
            if (t.format != tokenizer::ChatFormat::none) add_bos = t.adds_bos_token;
            if (chat_used) *chat_used = t.id;
        } else if (args.has("system")) {
            throw InputError("--system needs --chat");
        }
        ids = tok->encode(text, add_bos);
    }
    if (ids.empty()) throw InputError("the prompt is empty (no tokens)");
    return ids;
}

}  // namespace hace::cli
