// The `rouge` package's summary-level ROUGE-L with set semantics (exclusive=True). Words are
// interned to integers; the arithmetic follows the package's expression order.
#include "engine/eval/metrics/rouge_l.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/eval/metrics/python_text.h"

namespace hace::metrics {
namespace {

using Sentence = std::vector<int>;

class WordIds {
public:
    int id(const std::u32string& word) {
        return ids_.try_emplace(word, static_cast<int>(ids_.size())).first->second;
    }

private:
    std::map<std::u32string, int> ids_;
};

// [" ".join(s.split()) for s in text.split(".") if len(s) > 0], then each split(" ").
std::vector<Sentence> sentences(std::string_view text, WordIds& ids) {
    std::vector<Sentence> out;
    for (const auto& piece : pytext::split_on(pytext::decode_utf8(text), U'.')) {
        if (piece.empty()) continue;
        Sentence words;
        for (const auto& w : pytext::split_whitespace(piece)) words.push_back(ids.id(w));
        if (words.empty()) words.push_back(ids.id(U""));  // "".split(" ") == [""]
        out.push_back(std::move(words));
    }
    return out;
}

// The words of one LCS of x and y, read back from the end as rouge_score._recon_lcs does.
void add_lcs_words(const Sentence& x, const Sentence& y, std::set<int>& out) {
    const std::size_t n = x.size();
    const std::size_t m = y.size();
    std::vector<std::int32_t> table((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::int32_t& { return table[i * (m + 1) + j]; };
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            at(i, j) =
                x[i - 1] == y[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
        }
    }
    std::size_t i = n;
    std::size_t j = m;
    while (i > 0 && j > 0) {
        if (x[i - 1] == y[j - 1]) {
            out.insert(x[i - 1]);
            --i;
            --j;
        } else if (at(i - 1, j) > at(i, j - 1)) {
            --i;
        } else {
            --j;
        }
    }
}

std::size_t distinct_words(const std::vector<Sentence>& text) {
    std::set<int> words;
    for (const auto& s : text) words.insert(s.begin(), s.end());
    return words.size();
}

}  // namespace

double rouge_l(std::string_view prediction, std::string_view reference) {
    WordIds ids;
    const auto hyp = sentences(prediction, ids);
    const auto ref = sentences(reference, ids);
    if (hyp.empty() || ref.empty()) return 0.0;
    const auto m = static_cast<double>(distinct_words(ref));
    const auto n = static_cast<double>(distinct_words(hyp));
    std::set<int> lcs_union;
    for (const auto& r : ref) {
        for (const auto& c : hyp) add_lcs_words(r, c, lcs_union);
    }
    const auto llcs = static_cast<double>(lcs_union.size());
    const double r_lcs = llcs / m;
    const double p_lcs = llcs / n;
    return 2.0 * ((p_lcs * r_lcs) / (p_lcs + r_lcs + 1e-8));
}

}  // namespace hace::metrics
