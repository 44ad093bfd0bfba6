// Layering (STYLE.md 3.8 item 4, TOOLCHAIN.md): no torch header in the Qt code (views/, the
// workbench and `hace plot`), and no Qt header in the engine.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "tests/support/test_data.h"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> offenders(const std::vector<fs::path>& roots, const std::regex& include) {
    std::vector<std::string> out;
    for (const auto& root : roots) {
        if (!fs::exists(root)) continue;
        const auto check = [&](const fs::path& file) {
            const auto ext = file.extension();
            if (ext != ".h" && ext != ".cpp" && ext != ".cu" && ext != ".cuh") return;
            std::ifstream in(file);
            std::string line;
            for (int n = 1; std::getline(in, line); ++n) {
                if (std::regex_search(line, include))
                    out.push_back(file.string() + ":" + std::to_string(n) + ": " + line);
            }
        };
        if (fs::is_regular_file(root)) {
            check(root);
            continue;
        }
        for (const auto& e : fs::recursive_directory_iterator(root)) {
            if (e.is_regular_file()) check(e.path());
        }
    }
    return out;
}

TEST(Layering, QtCodeIncludesNoTorchAndTheEngineNoQt) {
    const fs::path src = hace::test::source_dir();
    const std::regex torch(R"(^\s*#\s*include\s*[<"](torch/|ATen/|c10/|caffe2/))");
    const auto qtSide = offenders({src / "views", src / "app" / "gui", src / "app" / "main_gui.cpp",
                                   src / "app" / "cli" / "cmd_plot.cpp"},
                                  torch);
    EXPECT_TRUE(qtSide.empty()) << qtSide.front();
    const std::regex qt(R"(^\s*#\s*include\s*[<"]Q[A-Za-z]+(/|>|"))");
    const auto engine = offenders({src / "engine"}, qt);
    EXPECT_TRUE(engine.empty()) << engine.front();
}

}  // namespace
