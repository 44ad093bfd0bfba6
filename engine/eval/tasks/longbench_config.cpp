#include "engine/eval/tasks/longbench_config.h"

#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/core/sha256.h"
#include "engine/eval/tasks/utf8_text.h"

namespace hace::tasks {
namespace {
using nlohmann::json;

json read_object(const std::filesystem::path& path) {
    json j = read_json_file(path);
    if (!j.is_object()) throw_mismatch(path.string(), "(root)", "an object", json_type_name(j));
    return j;
}

}  // namespace

const std::vector<TemplateFingerprint>& official_template_fingerprints() {
    static const std::vector<TemplateFingerprint> prints = {
        {"narrativeqa", 378, "aada7ed24b06abac"},
        {"qasper", 725, "0fbdd123fe7f83d6"},
        {"multifieldqa_en", 201, "20b4666a2de8a1f7"},
        {"multifieldqa_zh", 80, "344b3a4e557cd547"},
    };
    return prints;
}

void verify_template_fingerprint(std::string_view dataset, std::string_view tmpl,
                                 const std::string& where) {
    for (const TemplateFingerprint& fp : official_template_fingerprints()) {
        if (fp.dataset != dataset) continue;
        const std::size_t chars = utf8_length(tmpl);
        const std::string digest = sha256_hex(tmpl).substr(0, fp.sha256_prefix.size());
        if (chars == fp.chars && digest == fp.sha256_prefix) return;
        throw_input(where, std::string(dataset) +
                               ": template is not the official LongBench prompt (expected " +
                               std::to_string(fp.chars) + " characters with SHA-256 " +
                               fp.sha256_prefix + "..., got " + std::to_string(chars) +
                               " characters with SHA-256 " + digest + "...)");
    }
}

LongBenchPromptConfig::LongBenchPromptConfig(const std::filesystem::path& prompt_file,
                                             const std::filesystem::path& maxlen_file)
    : prompt_file_(prompt_file), maxlen_file_(maxlen_file) {
    const json prompts = read_object(prompt_file);
    for (const auto& [dataset, v] : prompts.items()) {
        if (!v.is_string())
            throw_mismatch(prompt_file.string(), dataset, "a string", json_type_name(v));
        verify_template_fingerprint(dataset, v.get_ref<const std::string&>(), prompt_file.string());
        prompts_.emplace(dataset, v.get<std::string>());
    }
    const json maxlen = read_object(maxlen_file);
    for (const auto& [dataset, v] : maxlen.items()) {
        if (!v.is_number_integer() || v.get<long long>() <= 0 || v.get<long long>() > 1 << 20) {
            throw_mismatch(maxlen_file.string(), dataset, "a positive integer",
                           v.is_number() ? v.dump() : json_type_name(v));
        }
        max_new_.emplace(dataset, v.get<int>());
    }
}

LongBenchPromptConfig LongBenchPromptConfig::from_dir(const std::filesystem::path& dir) {
    return LongBenchPromptConfig(dir / "dataset2prompt.json", dir / "dataset2maxlen.json");
}

const std::string& LongBenchPromptConfig::prompt_template(std::string_view dataset) const {
    const auto it = prompts_.find(dataset);
    if (it == prompts_.end()) {
        throw_input(prompt_file_.string(),
                    "no prompt template for dataset \"" + std::string(dataset) + "\"");
    }
    return it->second;
}

int LongBenchPromptConfig::max_new_tokens(std::string_view dataset) const {
    const auto it = max_new_.find(dataset);
    if (it == max_new_.end()) {
        throw_input(maxlen_file_.string(),
                    "no max new tokens for dataset \"" + std::string(dataset) + "\"");
    }
    return it->second;
}

}  // namespace hace::tasks
