// load_tokenizer and the readers of the tokenizer file formats.
#include "engine/tokenizer/tokenizer.h"

#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/tokenizer/bpe_tokenizer.h"
#include "engine/tokenizer/sentencepiece_tokenizer.h"

namespace hace::tokenizer {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_text_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path.string(), "cannot open file");
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// Calls fn(line_number, line) for each line, without its "\n" or "\r\n".
template <typename Fn>
void for_each_line(const std::string& text, Fn&& fn) {
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        fn(++line_no, line);
        pos = end + 1;
    }
}

// ---- tokenizer_config.json / special_tokens_map.json ----------------------------------------

constexpr std::array<const char*, 4> kSpecialKeys = {"bos_token", "eos_token", "unk_token",
                                                     "pad_token"};

struct TokenSetting {
    bool present = false;
    std::optional<std::string> content;  // nullopt: explicitly null
    std::string source;                  // "<file>: <key>", for errors
};

struct TokenizerConfig {
    std::array<TokenSetting, 4> tokens;  // in kSpecialKeys order
    std::optional<bool> add_bos;
    std::vector<AddedToken> added;
    std::vector<std::pair<std::string, std::string>> additional;  // content, source
};

// A token given as "text", {"content": "text", ...} or null.
std::optional<std::string> token_text(const json& v, const std::string& source) {
    if (v.is_null()) return std::nullopt;
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) {
        return v["content"].get<std::string>();
    }
    throw InputError(source + ": expected a string, {\"content\": ...} or null, got " +
                     json_type_name(v));
}

bool flag(const json& obj, const char* key, bool fallback) {
    const auto it = obj.find(key);
    return it != obj.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// Fills what cfg does not have yet from one config file, if it exists.
void read_config(const fs::path& file, TokenizerConfig& cfg) {
    std::error_code ec;
    if (!fs::exists(file, ec)) return;
    const json j = read_json_file(file);
    const std::string name = file.string();
    if (!j.is_object()) throw_mismatch(name, "(root)", "an object", json_type_name(j));
    for (std::size_t i = 0; i < kSpecialKeys.size(); ++i) {
        auto& t = cfg.tokens[i];
        if (t.present || !j.contains(kSpecialKeys[i])) continue;
        t.source = name + ": " + kSpecialKeys[i];
        t.content = token_text(j[kSpecialKeys[i]], t.source);
        t.present = true;
    }
    if (!cfg.add_bos && j.contains("add_bos_token") && j["add_bos_token"].is_boolean()) {
        cfg.add_bos = j["add_bos_token"].get<bool>();
    }
    if (const auto it = j.find("added_tokens_decoder"); it != j.end() && it->is_object()) {
        for (const auto& [key, v] : it->items()) {
            const std::string source = name + ": added_tokens_decoder." + key;
            AddedToken t;
            try {
                std::size_t used = 0;
                t.id = std::stoi(key, &used);
                if (used != key.size()) throw std::invalid_argument(key);
            } catch (const std::exception&) {
                throw InputError(source + ": expected an integer id as the key");
            }
            const auto content = token_text(v, source);
            if (!content) throw InputError(source + ": the token has no content");
            t.content = *content;
            t.special = flag(v, "special", true);
            t.lstrip = flag(v, "lstrip", false);
            t.rstrip = flag(v, "rstrip", false);
            t.single_word = flag(v, "single_word", false);
            cfg.added.push_back(std::move(t));
        }
    }
    if (const auto it = j.find("additional_special_tokens"); it != j.end() && it->is_array()) {
        for (const auto& v : *it) {
            const std::string source = name + ": additional_special_tokens";
            if (const auto content = token_text(v, source))
                cfg.additional.emplace_back(*content, source);
        }
    }
}

TokenizerConfig read_configs(const fs::path& dir) {
    TokenizerConfig cfg;
    read_config(dir / "tokenizer_config.json", cfg);
    read_config(dir / "special_tokens_map.json", cfg);
    return cfg;
}

// What the tokenizer.json post-processor says about BOS.
struct BosHint {
    std::optional<std::string> token;
    bool add = false;
};

// Resolves special ids and the BOS policy, and makes sure every special token is matched
// verbatim. Values come from the config files when they name them, else from hints, else from
// what the vocabulary looks like (GPT-2, OPT or Qwen).
void finish_model(BpeModel& m, const TokenizerConfig& cfg, const std::optional<BosHint>& hint) {
    for (const AddedToken& t : cfg.added) {
        const auto same = std::find_if(m.added.begin(), m.added.end(),
                                       [&](const AddedToken& a) { return a.id == t.id; });
        if (same == m.added.end()) {
            m.added.push_back(t);
        } else if (same->content != t.content) {
            throw_input(m.vocab_source, "added token " + std::to_string(t.id) + " is " +
                                            in_quotes(same->content) + " here but " +
                                            in_quotes(t.content) + " in tokenizer_config.json");
        }
    }
    const auto lookup = [&](const std::string& content) -> std::optional<TokenId> {
        for (const AddedToken& a : m.added) {
            if (a.content == content) return a.id;
        }
        if (const auto it = m.vocab.find(content); it != m.vocab.end()) return it->second;
        return std::nullopt;
    };
    const auto in_vocab = [&](const char* s) { return m.vocab.count(s) != 0; };

    // bos, eos, unk, pad inferred from the vocabulary.
    std::array<std::optional<std::string>, 4> inferred;
    bool inferred_add_bos = false;
    if (lookup("<|im_start|>") || (lookup("<|endoftext|>") && !in_vocab("<|endoftext|>"))) {
        inferred = {std::nullopt, "<|endoftext|>", std::nullopt, "<|endoftext|>"};  // Qwen
    } else if (in_vocab("</s>") && in_vocab("<pad>")) {
        inferred = {"</s>", "</s>", "<unk>", "<pad>"};  // OPT: HF prepends </s> as BOS
        inferred_add_bos = true;
    } else if (in_vocab("<|endoftext|>")) {
        inferred = {"<|endoftext|>", "<|endoftext|>", "<|endoftext|>", std::nullopt};  // GPT-2
    }
    if (hint && hint->token) inferred[0] = hint->token;

    std::array<TokenId, 4> ids{-1, -1, -1, -1};
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const TokenSetting& t = cfg.tokens[i];
        const std::optional<std::string> content = t.present ? t.content : inferred[i];
        if (!content) continue;
        const auto id = lookup(*content);
        if (!id) {
            if (!t.present) continue;  // a guess that does not apply
            throw InputError(t.source + ": " + in_quotes(*content) + " is not in the vocabulary");
        }
        ids[i] = *id;
        if (std::none_of(m.added.begin(), m.added.end(),
                         [&](const AddedToken& a) { return a.id == *id; })) {
            m.added.push_back({*content, *id});
        }
    }
    m.special = {ids[0], ids[1], ids[2], ids[3]};
    for (const auto& [content, source] : cfg.additional) {
        const auto id = lookup(content);
        if (!id) throw InputError(source + ": " + in_quotes(content) + " is not in the vocabulary");
        if (std::none_of(m.added.begin(), m.added.end(),
                         [&](const AddedToken& a) { return a.id == *id; })) {
            m.added.push_back({content, *id});
        }
    }
    m.add_bos = cfg.add_bos ? *cfg.add_bos : hint ? hint->add : inferred_add_bos;
}

// ---- vocab.json + merges.txt ----------------------------------------------------------------

std::unordered_map<std::string, TokenId> read_vocab(const json& v, const std::string& source) {
    if (!v.is_object()) throw_mismatch(source, "vocabulary", "an object", json_type_name(v));
    std::unordered_map<std::string, TokenId> vocab;
    vocab.reserve(v.size());
    for (const auto& [piece, id] : v.items()) {
        if (!id.is_number_integer()) {
            throw_mismatch(source, in_quotes(piece), "an integer id", json_type_name(id));
        }
        vocab.emplace(piece, id.get<TokenId>());
    }
    return vocab;
}

std::unique_ptr<Tokenizer> load_vocab_merges(const fs::path& vocab_file,
                                             const fs::path& merges_file) {
    std::error_code ec;
    for (const auto& f : {vocab_file, merges_file}) {
        if (!fs::exists(f, ec)) {
            throw_input(f.string(), "no such file (vocab.json and merges.txt go together)");
        }
    }
    BpeModel m;
    m.vocab_source = vocab_file.string();
    m.vocab = read_vocab(read_json_file(vocab_file), m.vocab_source);

    const std::string merges_name = merges_file.string();
    std::vector<std::size_t> lines;  // line of each merge
    for_each_line(read_text_file(merges_file), [&](std::size_t line_no, std::string_view line) {
        if (line.empty() || (line_no == 1 && line.substr(0, 9) == "#version:")) return;
        const std::size_t space = line.find(' ');
        if (space == std::string_view::npos || space == 0 || space + 1 == line.size() ||
            line.find(' ', space + 1) != std::string_view::npos) {
            throw_input(merges_name, "line " + std::to_string(line_no) +
                                         ": expected two tokens separated by one space, got " +
                                         in_quotes(line));
        }
        m.merges.emplace_back(line.substr(0, space), line.substr(space + 1));
        lines.push_back(line_no);
    });
    m.merge_source = [merges_name, lines = std::move(lines)](std::size_t rank) {
        return merges_name + ": line " + std::to_string(lines[rank]);
    };
    m.pattern = SplitPattern::gpt2;
    const fs::path dir = vocab_file.parent_path();
    const TokenizerConfig cfg = read_configs(dir);
    // Qwen2 ships vocab.json/merges.txt too; its added tokens mark it, and it normalises to NFC.
    const bool qwen = std::any_of(cfg.added.begin(), cfg.added.end(),
                                  [](const AddedToken& t) { return t.content == "<|im_start|>"; });
    if (qwen) {
        m.pattern = SplitPattern::qwen2;
        m.nfc = true;
    }
    finish_model(m, cfg, std::nullopt);
    return std::make_unique<BpeTokenizer>(std::move(m));
}

// ---- tokenizer.json ---------------------------------------------------------------------------

std::string type_of(const json& v) {
    if (v.is_object() && v.contains("type") && v["type"].is_string()) {
        return v["type"].get<std::string>();
    }
    return v.is_null() ? "null" : json_type_name(v);
}

[[noreturn]] void unsupported(const std::string& file, const std::string& key, const json& v,
                              const std::string& supported) {
    std::string what = type_of(v);
    for (const char* list : {"normalizers", "pretokenizers", "decoders"}) {
        if (!v.is_object() || !v.contains(list) || !v[list].is_array()) continue;
        what += " [";
        for (std::size_t i = 0; i < v[list].size(); ++i) {
            if (i != 0) what += ", ";
            what += type_of(v[list][i]);
        }
        what += "]";
    }
    throw_input(file, key + ": unsupported " + what + " (supported: " + supported + ")");
}

// NFC or nothing.
bool parse_normalizer(const json& v, const std::string& file) {
    if (v.is_null()) return false;
    const std::string type = type_of(v);
    if (type == "NFC") return true;
    if (type == "Sequence" && v.contains("normalizers") && v["normalizers"].is_array() &&
        std::all_of(v["normalizers"].begin(), v["normalizers"].end(),
                    [](const json& n) { return type_of(n) == "NFC"; })) {
        return !v["normalizers"].empty();
    }
    unsupported(file, "normalizer", v, "none, NFC");
}

void parse_pre_tokenizer(const json& v, const std::string& file, BpeModel& m) {
    const std::string supported =
        "ByteLevel, or Sequence of a Split with the GPT-2/Qwen/cl100k regex and ByteLevel";
    std::vector<json> steps;
    if (type_of(v) == "Sequence" && v.contains("pretokenizers") && v["pretokenizers"].is_array()) {
        steps.assign(v["pretokenizers"].begin(), v["pretokenizers"].end());
    } else {
        steps.push_back(v);
    }
    std::optional<SplitPattern> pattern;
    bool byte_level = false;
    for (const json& step : steps) {
        const std::string type = type_of(step);
        if (type == "Split" && !pattern && !byte_level) {
            const json& p = step.value("pattern", json());
            if (!p.is_object() || !p.contains("Regex") || !p["Regex"].is_string()) {
                unsupported(file, "pre_tokenizer", v, supported);
            }
            pattern = split_pattern_from_regex(p["Regex"].get<std::string>());
            if (!pattern) {
                throw_input(file, "pre_tokenizer: unsupported Split regex " +
                                      in_quotes(p["Regex"].get<std::string>()) +
                                      " (supported: the GPT-2, Qwen2 and cl100k patterns)");
            }
            if (json_string_or(step, "behavior", "", file + ": pre_tokenizer") != "Isolated" ||
                flag(step, "invert", false)) {
                throw_input(file,
                            "pre_tokenizer: only Split with behavior Isolated and no "
                            "invert is supported");
            }
        } else if (type == "ByteLevel" && !byte_level) {
            byte_level = true;
            m.add_prefix_space = flag(step, "add_prefix_space", true);
            if (flag(step, "use_regex", true)) {
                if (pattern) unsupported(file, "pre_tokenizer", v, supported);
                pattern = SplitPattern::gpt2;
            } else if (m.add_prefix_space) {
                // After a Split it would prefix every piece; no model does that.
                throw_input(file,
                            "pre_tokenizer: ByteLevel add_prefix_space after a Split is "
                            "not supported");
            }
        } else {
            unsupported(file, "pre_tokenizer", v, supported);
        }
    }
    if (!byte_level || !pattern) unsupported(file, "pre_tokenizer", v, supported);
    m.pattern = *pattern;
}

std::optional<BosHint> parse_post_processor(const json& v) {
    const std::string type = type_of(v);
    if (type == "Sequence" && v.contains("processors") && v["processors"].is_array()) {
        for (const json& p : v["processors"]) {
            if (auto hint = parse_post_processor(p)) return hint;
        }
    } else if (type == "TemplateProcessing" && v.contains("single") && v["single"].is_array()) {
        const json& single = v["single"];
        if (single.empty() || !single[0].contains("SpecialToken")) return BosHint{};
        const json& token = single[0]["SpecialToken"];
        if (token.contains("id") && token["id"].is_string()) {
            return BosHint{token["id"].get<std::string>(), true};
        }
    } else if (type == "RobertaProcessing" && v.contains("cls") && v["cls"].is_array() &&
               !v["cls"].empty() && v["cls"][0].is_string()) {
        return BosHint{v["cls"][0].get<std::string>(), true};
    } else if (type == "ByteLevel" || type == "BertProcessing") {
        return std::nullopt;
    }
    return std::nullopt;
}

std::unique_ptr<Tokenizer> load_tokenizer_json(const fs::path& file) {
    const std::string name = file.string();
    const json j = read_json_file(file);
    if (!j.is_object()) throw_mismatch(name, "(root)", "an object", json_type_name(j));
    const auto model_it = j.find("model");
    if (model_it == j.end()) throw_input(name, "missing key \"model\"");
    const json& model = *model_it;
    if (!model.is_object()) throw_mismatch(name, "model", "an object", json_type_name(model));
    const std::string type = model.contains("type") ? type_of(model) : "BPE";
    if (type != "BPE") {
        throw_input(name, "model.type: unsupported " + in_quotes(type) +
                              " (only byte-level BPE is supported)");
    }
    if (flag(model, "byte_fallback", false)) {
        throw_input(name,
                    "model.byte_fallback: byte-fallback (sentencepiece-style) BPE is not "
                    "supported; load the model's tokenizer.model instead");
    }
    for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        if (model.contains(key) && model[key].is_string() &&
            !model[key].get<std::string>().empty()) {
            throw_input(name, std::string("model.") + key + ": not supported");
        }
    }
    if (model.contains("dropout") && model["dropout"].is_number() && model["dropout"] > 0) {
        throw_input(name, "model.dropout: BPE dropout is not supported");
    }
    for (const char* key : {"vocab", "merges"}) {
        if (!model.contains(key))
            throw_input(name, std::string("missing key \"model.") + key + "\"");
    }

    BpeModel m;
    m.vocab_source = name;
    m.vocab = read_vocab(model["vocab"], name + ": model.vocab");
    const json& merges = model["merges"];
    if (!merges.is_array())
        throw_mismatch(name, "model.merges", "an array", json_type_name(merges));
    m.merges.reserve(merges.size());
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const json& e = merges[i];
        const std::string key = "model.merges[" + std::to_string(i) + "]";
        if (e.is_string()) {
            const std::string s = e.get<std::string>();
            const std::size_t space = s.find(' ');
            if (space == std::string::npos || space == 0 || space + 1 == s.size() ||
                s.find(' ', space + 1) != std::string::npos) {
                throw_mismatch(name, key, "two tokens separated by one space", in_quotes(s));
            }
            m.merges.emplace_back(s.substr(0, space), s.substr(space + 1));
        } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
            m.merges.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
        } else {
            throw_mismatch(name, key, "\"a b\" or [\"a\", \"b\"]", e.dump());
        }
    }
    m.merge_source = [name](std::size_t rank) {
        return name + ": model.merges[" + std::to_string(rank) + "]";
    };
    m.ignore_merges = flag(model, "ignore_merges", false);
    m.nfc = parse_normalizer(j.value("normalizer", json()), name);
    parse_pre_tokenizer(j.value("pre_tokenizer", json()), name, m);
    const json decoder = j.value("decoder", json());
    if (!decoder.is_null() && type_of(decoder) != "ByteLevel") {
        unsupported(name, "decoder", decoder, "ByteLevel");
    }
    if (const auto it = j.find("added_tokens"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) throw_mismatch(name, "added_tokens", "an array", json_type_name(*it));
        for (const json& a : *it) {
            if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() ||
                !a.contains("content") || !a["content"].is_string()) {
                throw_mismatch(name, "added_tokens", "objects with an integer id and content",
                               a.dump());
            }
            m.added.push_back({a["content"].get<std::string>(), a["id"].get<TokenId>(),
                               flag(a, "special", false), flag(a, "lstrip", false),
                               flag(a, "rstrip", false), flag(a, "single_word", false)});
        }
    }
    finish_model(m, read_configs(file.parent_path()),
                 parse_post_processor(j.value("post_processor", json())));
    return std::make_unique<BpeTokenizer>(std::move(m));
}

std::unique_ptr<Tokenizer> load_qwen_tiktoken(const fs::path& file) {
    BpeModel m = read_qwen_tiktoken(file);
    finish_model(m, read_configs(file.parent_path()), std::nullopt);
    return std::make_unique<BpeTokenizer>(std::move(m));
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const fs::path& dir_or_file) {
    std::error_code ec;
    const auto status = fs::status(dir_or_file, ec);
    if (!fs::exists(status)) throw_input(dir_or_file.string(), "no such file or directory");

    if (fs::is_directory(status)) {
        // tokenizer.model wins when a folder also carries a converted tokenizer.json (Mistral).
        const fs::path spm = dir_or_file / "tokenizer.model";
        if (fs::exists(spm, ec)) return std::make_unique<SentencePieceTokenizer>(spm);
        const fs::path json_file = dir_or_file / "tokenizer.json";
        if (fs::exists(json_file, ec)) return load_tokenizer_json(json_file);
        const fs::path vocab = dir_or_file / "vocab.json";
        const fs::path merges = dir_or_file / "merges.txt";
        if (fs::exists(vocab, ec) || fs::exists(merges, ec))
            return load_vocab_merges(vocab, merges);
        const fs::path tiktoken = dir_or_file / "qwen.tiktoken";
        if (fs::exists(tiktoken, ec)) return load_qwen_tiktoken(tiktoken);
        throw_input(dir_or_file.string(),
                    "no tokenizer found (expected tokenizer.model, tokenizer.json, "
                    "vocab.json+merges.txt or qwen.tiktoken)");
    }

    const fs::path dir = dir_or_file.parent_path();
    const auto name = dir_or_file.filename();
    if (dir_or_file.extension() == ".model") {
        return std::make_unique<SentencePieceTokenizer>(dir_or_file);
    }
    if (name == "vocab.json") return load_vocab_merges(dir_or_file, dir / "merges.txt");
    if (name == "merges.txt") return load_vocab_merges(dir / "vocab.json", dir_or_file);
    if (dir_or_file.extension() == ".tiktoken") return load_qwen_tiktoken(dir_or_file);
    if (name == "tokenizer.json") return load_tokenizer_json(dir_or_file);
    throw_input(dir_or_file.string(),
                "unrecognised tokenizer file (expected a sentencepiece .model, tokenizer.json, "
                "vocab.json, merges.txt, a .tiktoken file or a model folder)");
}

}  // namespace hace::tokenizer
