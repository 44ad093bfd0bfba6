#include "engine/eval/tasks/needle_task.h"

#include <algorithm>

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/eval/tasks/haystack.h"
#include "engine/eval/tasks/python_format.h"
#include "engine/eval/tasks/segment_encoding.h"

namespace hace::tasks {
namespace fs = std::filesystem;
using nlohmann::json;
using tokenizer::TokenId;

namespace {

// Typed access to needle_task.json with errors naming the file and the key path.
class Reader {
public:
    explicit Reader(fs::path file) : file_(std::move(file)) {}

    const json& at(const json& obj, const std::string& key, const std::string& path) const {
        if (!obj.is_object())
            throw_mismatch(file_.string(), path, "an object", json_type_name(obj));
        const auto it = obj.find(key);
        if (it == obj.end()) throw_input(file_.string(), join(path, key) + ": missing");
        return *it;
    }
    std::string str(const json& obj, const std::string& key, const std::string& path) const {
        const json& v = at(obj, key, path);
        if (!v.is_string())
            throw_mismatch(file_.string(), join(path, key), "a string", json_type_name(v));
        return v.get<std::string>();
    }
    std::optional<std::string> opt_str(const json& obj, const std::string& key,
                                       const std::string& path) const {
        if (at(obj, key, path).is_null()) return std::nullopt;
        return str(obj, key, path);
    }
    std::int64_t integer(const json& obj, const std::string& key, const std::string& path,
                         std::int64_t min) const {
        const json& v = at(obj, key, path);
        if (!v.is_number_integer() || v.get<std::int64_t>() < min) {
            throw_mismatch(file_.string(), join(path, key), "an integer >= " + std::to_string(min),
                           v.is_number() ? v.dump() : json_type_name(v));
        }
        return v.get<std::int64_t>();
    }
    const json& array(const json& obj, const std::string& key, const std::string& path) const {
        const json& v = at(obj, key, path);
        if (!v.is_array())
            throw_mismatch(file_.string(), join(path, key), "an array", json_type_name(v));
        return v;
    }
    const fs::path& file() const { return file_; }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }

private:
    fs::path file_;
};

PlantedNeedle read_needle(const Reader& r, const json& obj, const std::string& path,
                          const char* template_key) {
    return {r.str(obj, template_key, path), r.opt_str(obj, "key", path), r.str(obj, "value", path)};
}

NeedleCase read_case(const Reader& r, const json& obj, const std::string& name) {
    NeedleCase c;
    c.name = name;
    c.context_length = static_cast<int>(r.integer(obj, "context_length", name, 1));
    c.depth_percent = static_cast<double>(r.integer(obj, "depth_percent", name, 0));
    c.needle = read_needle(r, obj, name, "template");
    c.haystack_start = static_cast<std::size_t>(r.integer(obj, "haystack_start", name, 0));
    c.haystack_len = static_cast<std::size_t>(r.integer(obj, "haystack_len", name, 0));
    c.insert_at = static_cast<std::size_t>(r.integer(obj, "insert_at", name, 0));
    const json& ds = r.array(obj, "distractors", name);
    for (std::size_t i = 0; i < ds.size(); ++i) {
        c.distractors.push_back(
            read_needle(r, ds[i], name + ".distractors[" + std::to_string(i) + "]", "template"));
    }
    const json& at = r.array(obj, "distractor_insert_at", name);
    for (std::size_t i = 0; i < at.size(); ++i) {
        if (!at[i].is_number_integer() || at[i].get<std::int64_t>() < 0) {
            throw_mismatch(r.file().string(), name + ".distractor_insert_at",
                           "non-negative integers", json_type_name(at[i]));
        }
        c.distractor_insert_at.push_back(at[i].get<std::size_t>());
    }
    if (obj.contains("generated_text")) c.generated_text = r.str(obj, "generated_text", name);
    if (obj.contains("correct")) {
        const json& v = obj["correct"];
        if (!v.is_boolean()) {
            throw_mismatch(r.file().string(), name + ".correct", "a boolean", json_type_name(v));
        }
        c.correct = v.get<bool>();
    }
    return c;
}

std::vector<NeedleCase> read_cases(const Reader& r, const json& root, const std::string& key) {
    std::vector<NeedleCase> out;
    const json& list = r.array(root, key, "");
    for (std::size_t i = 0; i < list.size(); ++i) {
        out.push_back(read_case(r, list[i], key + "[" + std::to_string(i) + "]"));
    }
    return out;
}

// The nearest ancestor of start (itself included) that holds rel.
fs::path find_under_ancestor(const fs::path& start, const fs::path& rel,
                             const fs::path& json_file) {
    std::error_code ec;
    for (fs::path dir = fs::absolute(start, ec); !dir.empty(); dir = dir.parent_path()) {
        if (fs::exists(dir / rel, ec)) return dir / rel;
        if (dir == dir.parent_path()) break;
    }
    throw_input(json_file.string(),
                "cannot find \"" + rel.string() + "\" under any folder above " + start.string());
}

bool ends_with_any(const std::string& s, std::string_view chars) {
    return !s.empty() && chars.find(s.back()) != std::string_view::npos;
}

}  // namespace

NeedleTask NeedleTask::open(const fs::path& task_json) {
    const json root = read_json_file(task_json);
    const Reader r(task_json);
    const fs::path folder = task_json.parent_path();
    const fs::path haystack = find_under_ancestor(
        folder, r.str(r.at(root, "haystack", ""), "dir", "haystack"), task_json);
    const fs::path tok_file = find_under_ancestor(folder, r.str(root, "tokenizer", ""), task_json);
    return NeedleTask(task_json, haystack, tokenizer::load_tokenizer(tok_file));
}

NeedleTask::NeedleTask(const fs::path& task_json, const fs::path& haystack_dir,
                       std::shared_ptr<const tokenizer::Tokenizer> tok)
    : json_path_(task_json), tok_(std::move(tok)) {
    const json root = read_json_file(task_json);
    const Reader r(task_json);
    const std::string file = task_json.string();

    const auto bos = r.integer(root, "bos_id", "", 0);
    const auto eos = r.integer(root, "eos_id", "", 0);
    if (bos != tok_->special_ids().bos || eos != tok_->special_ids().eos) {
        throw_mismatch(file, "bos_id/eos_id",
                       std::to_string(tok_->special_ids().bos) + "/" +
                           std::to_string(tok_->special_ids().eos) + " (the tokenizer's)",
                       std::to_string(bos) + "/" + std::to_string(eos));
    }
    const json& list = r.array(root, "templates", "");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string path = "templates[" + std::to_string(i) + "]";
        templates_.push_back({r.str(list[i], "id", path), r.str(list[i], "needle", path),
                              r.str(list[i], "question", path),
                              r.str(list[i], "answer_prefix", path)});
    }
    question_block_ = r.str(root, "question_block", "");
    answer_ = r.str(root, "answer", "");
    eval_cases_ = read_cases(r, root, "eval_cases");
    distractor_cases_ = read_cases(r, root, "distractor_eval_cases");

    const json& files = r.array(r.at(root, "haystack", ""), "heldout_files", "haystack");
    for (const json& f : files) {
        if (!f.is_string()) {
            throw_mismatch(file, "haystack.heldout_files", "file names", json_type_name(f));
        }
        const std::vector<TokenId> ids =
            tok_->encode(read_haystack_file(haystack_dir / f.get<std::string>()), false);
        stream_.insert(stream_.end(), ids.begin(), ids.end());
    }
}

const NeedleTemplate& NeedleTask::find_template(const std::string& id) const {
    for (const NeedleTemplate& t : templates_) {
        if (t.id == id) return t;
    }
    throw_input(json_path_.string(), "unknown needle template \"" + id + "\"");
}

std::string NeedleTask::needle_text(const PlantedNeedle& n) const {
    FormatFields fields{{"v", n.value}};
    if (n.key) fields.emplace("k", *n.key);
    return python_format(find_template(n.template_id).needle, fields,
                         json_path_.string() + ": template " + n.template_id);
}

std::string NeedleTask::question_block(const PlantedNeedle& n) const {
    FormatFields keyed;
    if (n.key) keyed.emplace("k", *n.key);
    const NeedleTemplate& t = find_template(n.template_id);
    const std::string where = json_path_.string() + ": template " + n.template_id;
    return python_format(question_block_,
                         {{"question", python_format(t.question, keyed, where)},
                          {"answer_prefix", python_format(t.answer_prefix, keyed, where)}},
                         json_path_.string() + ": question_block");
}

bool NeedleTask::is_word_start(TokenId id) const {
    return starts_with_space_mark(*tok_, id);
}

std::size_t NeedleTask::insertion_point(std::size_t haystack_start, std::size_t haystack_len,
                                        double depth_percent) const {
    if (haystack_start + haystack_len > stream_.size()) {
        throw_input(json_path_.string(), "haystack span ends at " +
                                             std::to_string(haystack_start + haystack_len) +
                                             ", past the held-out stream's " +
                                             std::to_string(stream_.size()) + " tokens");
    }
    const TokenId* h = stream_.data() + haystack_start;
    const auto k =
        static_cast<std::size_t>(static_cast<double>(haystack_len) * depth_percent / 100.0);
    if (k >= haystack_len) return haystack_len;
    for (std::size_t j = k; j >= 1; --j) {
        if (is_word_start(h[j]) && ends_with_any(tok_->piece(h[j - 1]), ".?!")) return j;
    }
    for (std::size_t j = k; j >= 1; --j) {
        if (is_word_start(h[j])) return j;
    }
    return 0;
}

NeedlePrompt NeedleTask::build(const NeedleCase& c) const {
    const std::string where = json_path_.string() + ": " + c.name;
    if (c.haystack_start + c.haystack_len > stream_.size()) {
        throw_input(where, "haystack span ends past the held-out stream (" +
                               std::to_string(stream_.size()) + " tokens)");
    }
    if (c.distractor_insert_at.size() != c.distractors.size()) {
        throw_input(where, "distractors and distractor_insert_at differ in length");
    }
    struct Insertion {
        std::size_t at;
        std::size_t order;  // 0 = the real needle, i + 1 = distractor i
        std::vector<TokenId> ids;
    };
    std::vector<Insertion> inserts;
    inserts.push_back({c.insert_at, 0, tok_->encode(needle_text(c.needle), false)});
    for (std::size_t i = 0; i < c.distractors.size(); ++i) {
        inserts.push_back(
            {c.distractor_insert_at[i], i + 1, tok_->encode(needle_text(c.distractors[i]), false)});
    }
    for (const Insertion& ins : inserts) {
        if (ins.at > c.haystack_len) {
            throw_input(where, "insertion index " + std::to_string(ins.at) + " is past H (" +
                                   std::to_string(c.haystack_len) + " tokens)");
        }
    }
    // Left to right; at equal indices the needle listed later comes first (see the header).
    std::stable_sort(inserts.begin(), inserts.end(), [](const Insertion& a, const Insertion& b) {
        return a.at != b.at ? a.at < b.at : a.order > b.order;
    });

    NeedlePrompt p;
    p.expected_value = c.needle.value;
    p.distractor_spans.resize(c.distractors.size());
    p.prompt_ids.push_back(tok_->special_ids().bos);
    const auto h = stream_.begin() + static_cast<std::ptrdiff_t>(c.haystack_start);
    std::size_t done = 0;  // H[:done] is in the prompt
    for (const Insertion& ins : inserts) {
        p.prompt_ids.insert(p.prompt_ids.end(), h + static_cast<std::ptrdiff_t>(done),
                            h + static_cast<std::ptrdiff_t>(ins.at));
        done = ins.at;
        const std::size_t begin = p.prompt_ids.size();
        p.prompt_ids.insert(p.prompt_ids.end(), ins.ids.begin(), ins.ids.end());
        const std::pair<std::size_t, std::size_t> span{begin, p.prompt_ids.size()};
        if (ins.order == 0) {
            p.needle_begin = span.first;
            p.needle_end = span.second;
        } else {
            p.distractor_spans[ins.order - 1] = span;
        }
    }
    p.prompt_ids.insert(p.prompt_ids.end(), h + static_cast<std::ptrdiff_t>(done),
                        h + static_cast<std::ptrdiff_t>(c.haystack_len));
    const std::vector<TokenId> question = tok_->encode(question_block(c.needle), false);
    p.question_begin = p.prompt_ids.size();
    p.prompt_ids.insert(p.prompt_ids.end(), question.begin(), question.end());

    p.answer_ids = tok_->encode(
        python_format(answer_, {{"v", c.needle.value}}, json_path_.string() + ": answer"), false);
    p.answer_ids.push_back(tok_->special_ids().eos);
    return p;
}

bool needle_exact_match(std::string_view continuation, std::string_view value) {
    std::size_t i = 0;
    while (i < continuation.size() &&
           std::string_view(" \t\n\r\f\v").find(continuation[i]) != std::string_view::npos) {
        ++i;
    }
    const std::size_t start = i;
    while (i < continuation.size() && continuation[i] >= '0' && continuation[i] <= '9') ++i;
    return i > start && continuation.substr(start, i - start) == value;
}

}  // namespace hace::tasks
