// The Porter stemmer exactly as NLTK 3.8's PorterStemmer in its default NLTK_EXTENSIONS mode,
// which the rouge_score package uses for ROUGE-1 with use_stemmer=True (ALGORITHMS.md §11.2).
#pragma once

#include <string>
#include <string_view>

namespace hace::metrics {

// Stem of one word. ASCII letters are lower-cased first (NLTK's to_lowercase=True); every other
// byte counts as a consonant, as in NLTK. Words of one or two characters come back unchanged, and
// the irregular forms of NLTK's table ("skies" -> "sky", "dying" -> "die", ...) bypass the steps.
std::string porter_stem(std::string_view word);

}  // namespace hace::metrics
