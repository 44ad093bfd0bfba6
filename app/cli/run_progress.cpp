#include "app/cli/run_progress.h"

#include <unistd.h>
#include <cstdio>
#include <string>

#include "engine/runner/exec/sweep_executor.h"
#include "engine/runner/plan_report.h"

namespace hace::cli {

RunProgress::RunProgress(bool enabled)
    : enabled_(enabled), tty_(::isatty(STDERR_FILENO) == 1), last_() {}

RunProgress::~RunProgress() {
    if (drawn_ && tty_) std::fputc('\n', stderr);
}

void RunProgress::line(const std::string& text) {
    if (drawn_ && tty_) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "%s\n", text.c_str());
    drawn_ = false;
}

void RunProgress::draw(const runner::ProgressEvent& p) {
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_).count();
    const std::int64_t finished = p.done + p.skipped + p.failed;
    if (since < (tty_ ? 0.2 : 5.0) && finished < p.total) return;
    last_ = now;
    constexpr int kWidth = 24;
    const double frac =
        p.total > 0 ? static_cast<double>(finished) / static_cast<double>(p.total) : 1.0;
    std::string bar(static_cast<std::size_t>(frac * kWidth + 0.5), '#');
    bar.resize(kWidth, '.');
    const std::string eta = p.eta_s < 0 ? "--" : runner::human_seconds(p.eta_s);
    // The CPU worker pool's jobs (scoring, sample building), shown while there are any.
    const std::string queue =
        p.worker_queue > 0 ? "  (worker queue " + std::to_string(p.worker_queue) + ")" : "";
    std::fprintf(stderr, "%s[%s] %lld/%lld samples (%lld skipped, %lld failed)  %s  ETA %s  %s%s%s",
                 tty_ ? "\r\033[K" : "", bar.c_str(), static_cast<long long>(finished),
                 static_cast<long long>(p.total), static_cast<long long>(p.skipped),
                 static_cast<long long>(p.failed), runner::human_seconds(p.elapsed_s).c_str(),
                 eta.c_str(), p.stage.c_str(), queue.c_str(), tty_ ? "" : "\n");
    std::fflush(stderr);
    drawn_ = true;
}

runner::SweepEvents RunProgress::events() {
    runner::SweepEvents ev;
    if (!enabled_) {
        ev.on_cell_failed = [this](const runner::CellRef& c, const std::string& reason) {
            line("hace: cell failed: " + runner::cell_label(*c.cell) + ": " + reason);
        };
        return ev;
    }
    ev.on_progress = [this](const runner::ProgressEvent& p) { draw(p); };
    ev.on_log = [this](runner::LogLevel level, const std::string& text) {
        if (level == runner::LogLevel::Warning) line("hace: warning: " + text);
    };
    return ev;
}

}  // namespace hace::cli
