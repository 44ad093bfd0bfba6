#include "engine/eval/metrics/keyword_recall.h"

#include <set>
#include <string>

#include "engine/eval/metrics/python_text.h"

namespace hace::metrics {
namespace {

std::set<std::u32string> word_set(std::string_view text) {
    const auto words = pytext::split_whitespace(pytext::lower(pytext::decode_utf8(text)));
    return {words.begin(), words.end()};
}

}  // namespace

double keyword_recall(std::string_view response, std::string_view needle) {
    const auto needle_words = word_set(needle);
    if (needle_words.empty()) return 0.0;
    const auto response_words = word_set(response);
    std::size_t found = 0;
    for (const auto& w : needle_words) found += response_words.count(w);
    return static_cast<double>(found) / static_cast<double>(needle_words.size());
}

}  // namespace hace::metrics
