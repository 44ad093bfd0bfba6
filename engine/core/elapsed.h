// Milliseconds elapsed on the steady clock: the one timing helper of the engine's timing fields.
#pragma once

#include <chrono>

namespace hace {

inline double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace hace
