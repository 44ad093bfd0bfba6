// Python's str.format(**fields) for templates whose fields are plain names bound to strings, as
// LongBench fills its prompts (dataset2prompt.json: "...{context}...{input}...").
//
// Supported exactly as Python does: "{name}", "{name!s}", "{name:}" (an empty spec), and the
// escapes "{{" -> "{" and "}}" -> "}". Everything Python would reject is rejected with the same
// reason (a single "{" or "}", an unknown name, a positional field "{}" / "{0}" with no
// positional arguments). Features that would need Python objects ("{name!r}", "{name:>10}",
// "{name.attr}", "{name[0]}") are refused as unsupported rather than guessed.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace hace::tasks {

using FormatFields = std::map<std::string, std::string, std::less<>>;

// Throws InputError "<where>: <problem>" on a malformed or unsupported template.
std::string python_format(std::string_view tmpl, const FormatFields& fields,
                          const std::string& where);

}  // namespace hace::tasks
