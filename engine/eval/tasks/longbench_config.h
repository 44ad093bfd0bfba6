// LongBench's prompt configuration: dataset2prompt.json (templates) and dataset2maxlen.json
// (max new tokens), with the official templates checked by fingerprint (ALGORITHMS.md 10.2).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hace::tasks {

// Length in characters (Python len) and the first 16 hex digits of the SHA-256 of the UTF-8
// bytes of an official template.
struct TemplateFingerprint {
    std::string dataset;
    std::size_t chars = 0;
    std::string sha256_prefix;
};

// narrativeqa, qasper, multifieldqa_en (ALGORITHMS.md 10.2) and multifieldqa_zh (computed from
// the official LongBench config/dataset2prompt.json at THUDM/LongBench 2e00731f).
const std::vector<TemplateFingerprint>& official_template_fingerprints();

// Throws InputError "<where>: <dataset>: ..." when the dataset has an official fingerprint and
// the template does not match it. Templates of other datasets pass unchecked.
void verify_template_fingerprint(std::string_view dataset, std::string_view tmpl,
                                 const std::string& where);

class LongBenchPromptConfig {
public:
    // Reads both files and verifies every template that has a fingerprint; InputError names the
    // file and the dataset on a malformed value or a fingerprint mismatch.
    LongBenchPromptConfig(const std::filesystem::path& prompt_file,
                          const std::filesystem::path& maxlen_file);

    // dataset2prompt.json and dataset2maxlen.json in one folder.
    static LongBenchPromptConfig from_dir(const std::filesystem::path& dir);

    // InputError naming the file when the dataset has no entry.
    const std::string& prompt_template(std::string_view dataset) const;
    int max_new_tokens(std::string_view dataset) const;

    const std::map<std::string, std::string, std::less<>>& templates() const { return prompts_; }

private:
    std::filesystem::path prompt_file_;
    std::filesystem::path maxlen_file_;
    std::map<std::string, std::string, std::less<>> prompts_;
    std::map<std::string, int, std::less<>> max_new_;
};

}  // namespace hace::tasks
