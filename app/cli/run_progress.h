// What `hace run` shows on stderr while a sweep runs: a progress line with the ETA (redrawn in
// place on a terminal, every few seconds otherwise), failed cells and warnings as lines.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "engine/runner/exec/sweep_events.h"

namespace hace::cli {

class RunProgress {
public:
    explicit RunProgress(bool enabled);
    ~RunProgress();
    // Callbacks that draw on stderr; sweep events come from one thread at a time.
    runner::SweepEvents events();

private:
    void draw(const runner::ProgressEvent& p);
    void line(const std::string& text);

    bool enabled_;
    bool tty_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_;
};

}  // namespace hace::cli
