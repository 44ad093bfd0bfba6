// Progress lines on stderr, shown only once an operation has run for more than a second.
#pragma once

#include <chrono>
#include <string>

namespace hace::cli {

class Progress {
public:
    explicit Progress(std::string label, bool enabled = true);
    ~Progress();
    void update(long done, long total);

private:
    std::string label_;
    bool enabled_;
    bool tty_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace hace::cli
