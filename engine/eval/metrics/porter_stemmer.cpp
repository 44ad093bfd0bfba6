// NLTK 3.8 PorterStemmer, mode NLTK_EXTENSIONS: the published algorithm plus Martin Porter's later
// changes and NLTK's own (irregular-form table, "ies"/"ied" on four-letter words, y -> i only
// after a consonant, "alli" handled first in step 2, "fulli" and "logi" rules, the two-letter
// cvc case). Each step applies the first rule whose suffix matches; if that rule's condition
// fails, the step stops there without trying later rules (NLTK's _apply_rule_list).
#include "engine/eval/metrics/porter_stemmer.h"

#include <array>
#include <span>
#include <utility>

namespace hace::metrics {
namespace {

bool is_consonant(std::string_view w, std::size_t i) {
    const char c = w[i];
    if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') return false;
    if (c == 'y') return i == 0 ? true : !is_consonant(w, i - 1);
    return true;
}

// m in [C](VC){m}[V]: the number of vowel-to-consonant transitions.
int measure(std::string_view stem) {
    int m = 0;
    for (std::size_t i = 1; i < stem.size(); ++i) {
        if (!is_consonant(stem, i - 1) && is_consonant(stem, i)) ++m;
    }
    return m;
}

bool contains_vowel(std::string_view stem) {
    for (std::size_t i = 0; i < stem.size(); ++i) {
        if (!is_consonant(stem, i)) return true;
    }
    return false;
}

bool ends_double_consonant(std::string_view w) {
    return w.size() >= 2 && w[w.size() - 1] == w[w.size() - 2] && is_consonant(w, w.size() - 1);
}

// *o: ends consonant-vowel-consonant, the last not w, x or y; NLTK adds a two-letter vc word.
bool ends_cvc(std::string_view w) {
    const std::size_t n = w.size();
    if (n >= 3 && is_consonant(w, n - 3) && !is_consonant(w, n - 2) && is_consonant(w, n - 1) &&
        w[n - 1] != 'w' && w[n - 1] != 'x' && w[n - 1] != 'y') {
        return true;
    }
    return n == 2 && !is_consonant(w, 0) && is_consonant(w, 1);
}

bool ends_with(std::string_view w, std::string_view suffix) {
    return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

using Condition = bool (*)(const std::string& stem);

struct Rule {
    std::string_view suffix;
    std::string_view replacement;
    Condition condition;  // nullptr: unconditional
};

bool positive_measure(const std::string& stem) {
    return measure(stem) > 0;
}
bool measure_above_one(const std::string& stem) {
    return measure(stem) > 1;
}

std::string apply_rules(const std::string& word, std::span<const Rule> rules) {
    for (const Rule& rule : rules) {
        if (!ends_with(word, rule.suffix)) continue;
        std::string stem = word.substr(0, word.size() - rule.suffix.size());
        if (rule.condition != nullptr && !rule.condition(stem)) return word;
        return stem.append(rule.replacement);
    }
    return word;
}

std::string replace_suffix(const std::string& word, std::size_t suffix_len,
                           std::string_view replacement) {
    return word.substr(0, word.size() - suffix_len).append(replacement);
}

std::string step1a(const std::string& word) {
    if (ends_with(word, "ies") && word.size() == 4) return replace_suffix(word, 3, "ie");
    static constexpr std::array<Rule, 4> rules = {{
        {"sses", "ss", nullptr},
        {"ies", "i", nullptr},
        {"ss", "ss", nullptr},
        {"s", "", nullptr},
    }};
    return apply_rules(word, rules);
}

std::string step1b(const std::string& word) {
    if (ends_with(word, "ied")) return replace_suffix(word, 3, word.size() == 4 ? "ie" : "i");
    if (ends_with(word, "eed")) {
        const std::string stem = word.substr(0, word.size() - 3);
        return measure(stem) > 0 ? stem + "ee" : word;
    }
    std::string stem;
    bool trimmed = false;
    for (const std::string_view suffix : {std::string_view("ed"), std::string_view("ing")}) {
        if (ends_with(word, suffix)) {
            stem = word.substr(0, word.size() - suffix.size());
            if (contains_vowel(stem)) {
                trimmed = true;
                break;
            }
        }
    }
    if (!trimmed) return word;
    if (ends_with(stem, "at") || ends_with(stem, "bl") || ends_with(stem, "iz")) return stem + "e";
    if (ends_double_consonant(stem)) {
        const char last = stem.back();
        return (last == 'l' || last == 's' || last == 'z') ? stem : stem.substr(0, stem.size() - 1);
    }
    return (measure(stem) == 1 && ends_cvc(stem)) ? stem + "e" : stem;
}

std::string step1c(const std::string& word) {
    static constexpr std::array<Rule, 1> rules = {{
        {"y", "i",
         [](const std::string& stem) {
             return stem.size() > 1 && is_consonant(stem, stem.size() - 1);
         }},
    }};
    return apply_rules(word, rules);
}

std::string step2(const std::string& word) {
    if (ends_with(word, "alli") && positive_measure(word.substr(0, word.size() - 4))) {
        return step2(replace_suffix(word, 4, "al"));
    }
    static constexpr std::array<Rule, 22> rules = {{
        {"ational", "ate", positive_measure},
        {"tional", "tion", positive_measure},
        {"enci", "ence", positive_measure},
        {"anci", "ance", positive_measure},
        {"izer", "ize", positive_measure},
        {"bli", "ble", positive_measure},
        {"alli", "al", positive_measure},
        {"entli", "ent", positive_measure},
        {"eli", "e", positive_measure},
        {"ousli", "ous", positive_measure},
        {"ization", "ize", positive_measure},
        {"ation", "ate", positive_measure},
        {"ator", "ate", positive_measure},
        {"alism", "al", positive_measure},
        {"iveness", "ive", positive_measure},
        {"fulness", "ful", positive_measure},
        {"ousness", "ous", positive_measure},
        {"aliti", "al", positive_measure},
        {"iviti", "ive", positive_measure},
        {"biliti", "ble", positive_measure},
        {"fulli", "ful", positive_measure},
        // The 'l' stays with the stem for the measure, so "geo"/"theo" work like "archaeo".
        {"logi", "log", [](const std::string& stem) { return positive_measure(stem + "l"); }},
    }};
    return apply_rules(word, rules);
}

std::string step3(const std::string& word) {
    static constexpr std::array<Rule, 7> rules = {{
        {"icate", "ic", positive_measure},
        {"ative", "", positive_measure},
        {"alize", "al", positive_measure},
        {"iciti", "ic", positive_measure},
        {"ical", "ic", positive_measure},
        {"ful", "", positive_measure},
        {"ness", "", positive_measure},
    }};
    return apply_rules(word, rules);
}

std::string step4(const std::string& word) {
    static constexpr std::array<Rule, 19> rules = {{
        {"al", "", measure_above_one},
        {"ance", "", measure_above_one},
        {"ence", "", measure_above_one},
        {"er", "", measure_above_one},
        {"ic", "", measure_above_one},
        {"able", "", measure_above_one},
        {"ible", "", measure_above_one},
        {"ant", "", measure_above_one},
        {"ement", "", measure_above_one},
        {"ment", "", measure_above_one},
        {"ent", "", measure_above_one},
        {"ion", "",
         [](const std::string& stem) {
             return measure(stem) > 1 && (stem.back() == 's' || stem.back() == 't');
         }},
        {"ou", "", measure_above_one},
        {"ism", "", measure_above_one},
        {"ate", "", measure_above_one},
        {"iti", "", measure_above_one},
        {"ous", "", measure_above_one},
        {"ive", "", measure_above_one},
        {"ize", "", measure_above_one},
    }};
    return apply_rules(word, rules);
}

std::string step5a(const std::string& word) {
    if (!ends_with(word, "e")) return word;
    std::string stem = word.substr(0, word.size() - 1);
    const int m = measure(stem);
    if (m > 1 || (m == 1 && !ends_cvc(stem))) return stem;
    return word;
}

std::string step5b(const std::string& word) {
    static constexpr std::array<Rule, 1> rules = {{
        {"ll", "l", [](const std::string& stem) { return measure(stem + "l") > 1; }},
    }};
    return apply_rules(word, rules);
}

const char* irregular_stem(std::string_view word) {
    static constexpr std::array<std::pair<std::string_view, const char*>, 16> pool = {{
        {"sky", "sky"},
        {"skies", "sky"},
        {"dying", "die"},
        {"lying", "lie"},
        {"tying", "tie"},
        {"news", "news"},
        {"innings", "inning"},
        {"inning", "inning"},
        {"outings", "outing"},
        {"outing", "outing"},
        {"cannings", "canning"},
        {"canning", "canning"},
        {"howe", "howe"},
        {"proceed", "proceed"},
        {"exceed", "exceed"},
        {"succeed", "succeed"},
    }};
    for (const auto& [form, stem] : pool) {
        if (form == word) return stem;
    }
    return nullptr;
}

}  // namespace

std::string porter_stem(std::string_view word) {
    std::string w(word);
    for (char& c : w) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (const char* irregular = irregular_stem(w)) return irregular;
    if (w.size() <= 2) return w;
    w = step1a(w);
    w = step1b(w);
    w = step1c(w);
    w = step2(w);
    w = step3(w);
    w = step4(w);
    w = step5a(w);
    w = step5b(w);
    return w;
}

}  // namespace hace::metrics
