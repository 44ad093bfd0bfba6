#include "engine/runner/run_manifest.h"

#include <fstream>
#include <string>
#include <thread>

#include <sqlite3.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef HACE_VERSION
#define HACE_VERSION "unknown"
#endif
#ifndef HACE_GIT_HASH
#define HACE_GIT_HASH "unknown"
#endif

namespace hace::runner {
namespace {

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) != 0) continue;
        const auto colon = line.find(':');
        if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
    return "unknown";
}

}  // namespace

nlohmann::json base_manifest() {
    nlohmann::json m;
    m["engine_version"] = HACE_VERSION;
    m["engine_git_hash"] = HACE_GIT_HASH;
    m["sqlite_version"] = sqlite3_libversion();
    m["nlohmann_json_version"] = std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                                 std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                 std::to_string(NLOHMANN_JSON_VERSION_PATCH);
#if defined(__clang__)
    m["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    m["compiler"] = std::string("gcc ") + __VERSION__;
#else
    m["compiler"] = "unknown";
#endif
    utsname u{};
    if (::uname(&u) == 0) {
        m["os"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
    } else {
        m["os"] = "unknown";
    }
    m["cpu"] = cpu_model();
    m["cpu_threads"] = std::thread::hardware_concurrency();
    char host[256] = {};
    m["hostname"] = ::gethostname(host, sizeof host - 1) == 0 ? std::string(host) : "unknown";
    return m;
}

}  // namespace hace::runner
