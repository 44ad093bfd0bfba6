#include "tests/support/run_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hace::test {

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') {
            q.append("'\\''");
        } else {
            q.push_back(c);
        }
    }
    q.push_back('\'');
    return q;
}

CommandResult run_shell(const std::string& cmd_line) {
    static std::atomic<int> counter{0};
    std::string name = "hace-test-err-";
    name.append(std::to_string(::getpid())).append("-").append(std::to_string(counter++));
    const auto err_file = std::filesystem::temp_directory_path() / name;
    std::string cmd = cmd_line;
    cmd.append(" 2>").append(shell_quote(err_file.string()));
    CommandResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err_file);
    std::stringstream ss;
    ss << in.rdbuf();
    r.err = ss.str();
    std::filesystem::remove(err_file);
    return r;
}

CommandResult run_program(const std::string& program, const std::vector<std::string>& args) {
    std::string cmd = shell_quote(program);
    for (const auto& a : args) cmd.append(" ").append(shell_quote(a));
    return run_shell(cmd);
}

}  // namespace hace::test
