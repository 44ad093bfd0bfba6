// Runs a program or a shell command line for the CLI tests: exit code, stdout, stderr.
#pragma once

#include <string>
#include <vector>

namespace hace::test {

struct CommandResult {
    int code = -1;  // exit status; -1 when the process did not exit normally
    std::string out, err;
};

// Single-quotes s for /bin/sh.
std::string shell_quote(const std::string& s);

// Runs cmd_line with /bin/sh; stdout is captured through a pipe, stderr through a temporary file.
CommandResult run_shell(const std::string& cmd_line);

// Runs program with the arguments (each quoted).
CommandResult run_program(const std::string& program, const std::vector<std::string>& args);

}  // namespace hace::test
