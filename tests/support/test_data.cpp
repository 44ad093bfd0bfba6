#include "tests/support/test_data.h"

#include <cstdlib>
#include <unistd.h>

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

std::filesystem::path temp_dir(const std::string& tag) {
    auto dir = std::filesystem::temp_directory_path() /
               ("hace-test-" + std::to_string(::getpid()) + "-" + tag);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace hace::test
