// NLTK 3.8 Porter stems (NLTK_EXTENSIONS) of the examples in Porter's paper and NLTK's changes.
#include <gtest/gtest.h>

#include "engine/eval/metrics/porter_stemmer.h"

namespace {

using hace::metrics::porter_stem;

TEST(PorterStemmer, Step1PluralsAndPastForms) {
    EXPECT_EQ(porter_stem("caresses"), "caress");
    EXPECT_EQ(porter_stem("ponies"), "poni");
    EXPECT_EQ(porter_stem("cats"), "cat");
    EXPECT_EQ(porter_stem("feed"), "feed");
    EXPECT_EQ(porter_stem("plastered"), "plaster");
    EXPECT_EQ(porter_stem("bled"), "bled");
    EXPECT_EQ(porter_stem("motoring"), "motor");
    EXPECT_EQ(porter_stem("sing"), "sing");
    EXPECT_EQ(porter_stem("conflated"), "conflat");  // conflate, then step 5a drops the e
    EXPECT_EQ(porter_stem("sized"), "size");
    EXPECT_EQ(porter_stem("hopping"), "hop");
    EXPECT_EQ(porter_stem("falling"), "fall");
    EXPECT_EQ(porter_stem("hissing"), "hiss");
    EXPECT_EQ(porter_stem("filing"), "file");
    EXPECT_EQ(porter_stem("happy"), "happi");
}

TEST(PorterStemmer, LaterSteps) {
    EXPECT_EQ(porter_stem("relational"), "relat");
    EXPECT_EQ(porter_stem("generalization"), "gener");
    EXPECT_EQ(porter_stem("organization"), "organ");
    EXPECT_EQ(porter_stem("organizational"), "organiz");
    EXPECT_EQ(porter_stem("connections"), "connect");
    EXPECT_EQ(porter_stem("needles"), "needl");
}

TEST(PorterStemmer, NltkExtensions) {
    EXPECT_EQ(porter_stem("ties"), "tie");  // four-letter "ies" keeps "ie"
    EXPECT_EQ(porter_stem("died"), "die");  // four-letter "ied" keeps "ie"
    EXPECT_EQ(porter_stem("spied"), "spi");
    EXPECT_EQ(porter_stem("enjoy"), "enjoy");  // y -> i only after a consonant
    EXPECT_EQ(porter_stem("skies"), "sky");    // irregular forms
    EXPECT_EQ(porter_stem("dying"), "die");
    EXPECT_EQ(porter_stem("news"), "news");
}

TEST(PorterStemmer, ShortWordsAndCase) {
    EXPECT_EQ(porter_stem("is"), "is");
    EXPECT_EQ(porter_stem("as"), "as");
    EXPECT_EQ(porter_stem("Running"), "run");
}

}  // namespace
