// Test helper: run a callable and expect an InputError whose message contains every fragment.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/error.h"

namespace hace::test {

inline void expect_input_error(const std::function<void()>& fn,
                               const std::vector<std::string>& parts) {
    try {
        fn();
        ADD_FAILURE() << "no InputError thrown; expected one mentioning "
                      << (parts.empty() ? std::string("anything") : parts.front());
    } catch (const InputError& e) {
        for (const auto& part : parts) {
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
                << "message: " << e.what() << "\nmissing: " << part;
        }
    }
}

}  // namespace hace::test
