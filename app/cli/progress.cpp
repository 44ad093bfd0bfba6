#include "app/cli/progress.h"

#include <cstdio>
#include <unistd.h>

namespace hace::cli {

Progress::Progress(std::string label, bool enabled)
    : label_(std::move(label)), enabled_(enabled), tty_(::isatty(STDERR_FILENO) == 1) {
    start_ = last_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
    if (shown_ && tty_) std::fputc('\n', stderr);
}

void Progress::update(long done, long total) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double since_last = std::chrono::duration<double>(now - last_).count();
    const bool finished = done >= total;
    if (elapsed < 1.0 || (since_last < (tty_ ? 0.2 : 2.0) && !finished)) return;
    last_ = now;
    const double rate = elapsed > 0 ? done / elapsed : 0.0;
    const double eta = rate > 0 ? (total - done) / rate : 0.0;
    std::fprintf(stderr, "%s%s %ld/%ld (%.0f%%) %.1fs elapsed, ETA %.1fs%s", tty_ ? "\r" : "",
                 label_.c_str(), done, total, total ? 100.0 * done / total : 100.0, elapsed, eta,
                 tty_ ? "   " : "\n");
    std::fflush(stderr);
    shown_ = true;
}

}  // namespace hace::cli
