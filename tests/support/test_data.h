// Where tests find their data: the shared data folder, the source tree and the build tree.
#pragma once

#include <filesystem>
#include <string>

namespace hace::test {

// ../shared/data (HACE_SHARED_DATA env overrides the configured default).
std::filesystem::path shared_data();
std::filesystem::path source_dir();
std::filesystem::path binary_dir();
// A fresh empty temporary folder unique to this test process and tag.
std::filesystem::path temp_dir(const std::string& tag);

}  // namespace hace::test

// Skips the current test when a data path is absent (e.g. a checkout without ../shared).
#define HACE_REQUIRE_PATH(p)                                                   \
    do {                                                                       \
        if (!std::filesystem::exists(p)) GTEST_SKIP() << "missing data: " << (p); \
    } while (0)
