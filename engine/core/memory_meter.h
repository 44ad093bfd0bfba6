// Process memory readings on Linux (resident set size and its high-water mark).
#pragma once

#include <cstdint>

namespace hace {

// Current resident set size in bytes (VmRSS), 0 if unavailable.
std::int64_t current_rss_bytes();
// Peak resident set size in bytes since start or since the last reset (VmHWM).
std::int64_t peak_rss_bytes();
// Resets the kernel's high-water mark to the current RSS (writes "5" to /proc/self/clear_refs).
// Returns false where the kernel refuses; peak readings then cover the whole process life.
bool reset_peak_rss();

}  // namespace hace
