#include "tests/support/test_data.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace hace::test {
namespace {

std::filesystem::path env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return std::filesystem::path(v && *v ? v : fallback);
}

}  // namespace

std::filesystem::path shared_data() { return env_or("HACE_SHARED_DATA", HACE_DEFAULT_SHARED_DATA); }
std::filesystem::path source_dir() { return env_or("HACE_SOURCE_DIR", HACE_DEFAULT_SOURCE_DIR); }
std::filesystem::path binary_dir() { return env_or("HACE_BINARY_DIR", HACE_DEFAULT_BINARY_DIR); }

namespace {

// The folders temp_dir() made, removed when the test process exits (not in forked children,
// which share the list; HACE_KEEP_TEST_DIRS=1 keeps them for a post-mortem).
struct TempDirs {
    pid_t owner = ::getpid();
    std::vector<std::filesystem::path> dirs;
    ~TempDirs() {
        if (::getpid() != owner || std::getenv("HACE_KEEP_TEST_DIRS")) return;
        std::error_code ec;
        for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
    }
};

TempDirs& temp_dirs() {
    static TempDirs dirs;
    return dirs;
}

}  // namespace

std::filesystem::path temp_dir(const std::string& tag) {
    std::string name = "hace-test-";
    name.append(std::to_string(::getpid())).append("-").append(tag);
    auto dir = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    temp_dirs().dirs.push_back(dir);
    return dir;
}

}  // namespace hace::test
