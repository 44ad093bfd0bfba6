// str.format(**fields) semantics; expected strings are what CPython 3 returns for the same call.
#include <gtest/gtest.h>

#include "engine/eval/tasks/python_format.h"
#include "engine/eval/tasks/utf8_text.h"
#include "tests/support/expect_input_error.h"

namespace hace::tasks {
namespace {

using test::expect_input_error;

const FormatFields kFields = {{"context", "CTX"}, {"input", "Q?"}, {"braces", "{input} }{"}};

std::string fmt(std::string_view t) {
    return python_format(t, kFields, "t.json");
}

TEST(PythonFormat, FillsNamedFields) {
    EXPECT_EQ(fmt("Story: {context}\n\nQuestion: {input}\n\nAnswer:"),
              "Story: CTX\n\nQuestion: Q?\n\nAnswer:");
    EXPECT_EQ(fmt("{context}{context}"), "CTXCTX");
    EXPECT_EQ(fmt("no fields"), "no fields");
    EXPECT_EQ(fmt(""), "");
    // "!s" and an empty spec are the same as str() for a str.
    EXPECT_EQ(fmt("{input!s}|{input:}|{input!s:}"), "Q?|Q?|Q?");
}

TEST(PythonFormat, EscapesAndNoRecursion) {
    EXPECT_EQ(fmt("{{context}}"), "{context}");
    EXPECT_EQ(fmt("{{{context}}}"), "{CTX}");
    EXPECT_EQ(fmt("}}{{"), "}{");
    EXPECT_EQ(fmt("a {{ b }} c"), "a { b } c");
    // A value is inserted as is, never formatted again.
    EXPECT_EQ(fmt("[{braces}]"), "[{input} }{]");
    // Multi-byte text around fields is copied byte for byte.
    EXPECT_EQ(fmt("\xE9\x97\xAE\xE9\xA2\x98\xEF\xBC\x9A{input}"),
              "\xE9\x97\xAE\xE9\xA2\x98\xEF\xBC\x9AQ?");
}

TEST(PythonFormat, RejectsWhatPythonRejects) {
    expect_input_error([] { fmt("a } b"); }, {"t.json", "offset 2", "single '}'"});
    expect_input_error([] { fmt("tail {"); }, {"t.json", "single '{'"});
    expect_input_error([] { fmt("{context"); }, {"expected '}'"});
    expect_input_error([] { fmt("{}"); }, {"positional"});
    expect_input_error([] { fmt("{0}"); }, {"positional"});
    expect_input_error([] { fmt("{answer}"); }, {"unknown field {answer}"});
    expect_input_error([] { fmt("{input!x}"); }, {"conversion !x"});
    expect_input_error([] { fmt("{input!sx}"); }, {"expected ':' after conversion"});
}

TEST(PythonFormat, RefusesWhatNeedsPythonObjects) {
    expect_input_error([] { fmt("{input!r}"); }, {"conversion !r is not supported"});
    expect_input_error([] { fmt("{input:>10}"); }, {"format spec :>10 is not supported"});
    expect_input_error([] { fmt("{input.upper}"); }, {"attribute or index"});
    expect_input_error([] { fmt("{input[0]}"); }, {"attribute or index"});
}

TEST(Utf8Text, LengthBoundaryValidity) {
    const std::string s = "a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80";  // a, e-acute, zhong, emoji
    EXPECT_EQ(utf8_length(s), 4u);
    EXPECT_EQ(utf8_boundary_at_or_before(s, 2), 1u);  // inside the 2-byte character
    EXPECT_EQ(utf8_boundary_at_or_before(s, 3), 3u);
    EXPECT_EQ(utf8_boundary_at_or_before(s, 8), 6u);
    EXPECT_EQ(utf8_boundary_at_or_before(s, 99), s.size());
    EXPECT_EQ(utf8_first_invalid(s), s.size());
    EXPECT_EQ(utf8_first_invalid("ab\xC3"), 2u);            // truncated
    EXPECT_EQ(utf8_first_invalid("\xC0\xAF"), 0u);          // overlong
    EXPECT_EQ(utf8_first_invalid("x\xED\xA0\x80"), 1u);     // surrogate
    EXPECT_EQ(utf8_first_invalid("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
}

}  // namespace
}  // namespace hace::tasks
