// Every method of the method table and every scorer of the scorer table appears in the --help of
// the commands that take them, with every parameter of the schema as a flag: a new method,
// scorer or parameter needs no edit of the CLI.
#include <gtest/gtest.h>

#include "engine/kv/method_params.h"
#include "engine/kv/methods.h"
#include "engine/kv/scorers.h"
#include "tests/support/run_command.h"
#include "tests/support/test_data.h"

namespace {

std::string line_of(const std::string& text, const std::string& flag) {
    const auto at = text.find("  --" + flag + " ");
    if (at == std::string::npos) return "";
    return text.substr(at, text.find('\n', at) - at);
}

TEST(CliHelp, ListsEveryMethodScorerAndParameter) {
    for (const char* command : {"generate", "compress", "bench"}) {
        const auto r = hace::test::run_program(HACE_CLI_PATH, {command, "--help"});
        ASSERT_EQ(r.code, 0) << r.err;
        const std::string methods = line_of(r.out, "method");
        const std::string selectors = line_of(r.out, "selector");
        for (const auto& row : hace::kv::method_rows()) {
            EXPECT_NE(methods.find(std::string(row.id)), std::string::npos)
                << command << ": --method does not list " << row.id;
        }
        for (const auto& row : hace::kv::scorer_rows()) {
            EXPECT_NE(selectors.find(std::string(row.id) + " ("), std::string::npos)
                << command << ": --selector does not describe " << row.id;
        }
        for (const auto& p : hace::kv::param_specs()) {
            EXPECT_NE(line_of(r.out, std::string(p.flag)), "")
                << command << ": no --" << p.flag << " for parameter " << p.key;
        }
    }
}

// A flag the chosen method does not read is bad input naming what it does read.
TEST(CliHelp, AFlagTheMethodDoesNotReadIsAClearError) {
    const auto r = hace::test::run_program(
        HACE_CLI_PATH,
        {"compress", "--model",
         (hace::test::source_dir() / "resources/models/stories260K").string(), "--prompt-ids",
         "1,2,3", "--method", "snapkv", "--retention", "0.5", "--recent", "3"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--recent does not apply to method snapkv"), std::string::npos) << r.err;
}

}  // namespace
