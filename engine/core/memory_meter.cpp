#include "engine/core/memory_meter.h"

#include <fstream>
#include <string>

namespace hace {
namespace {

std::int64_t read_status_kb(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) {
            return std::stoll(line.substr(key.size())) * 1024;
        }
    }
    return 0;
}

}  // namespace

std::int64_t current_rss_bytes() { return read_status_kb("VmRSS:"); }

std::int64_t peak_rss_bytes() { return read_status_kb("VmHWM:"); }

bool reset_peak_rss() {
    std::ofstream out("/proc/self/clear_refs");
    if (!out) return false;
    out << "5";
    out.flush();
    return static_cast<bool>(out);
}

}  // namespace hace
