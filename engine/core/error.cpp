#include "engine/core/error.h"

namespace hace {

void throw_mismatch(const std::string& file, const std::string& key, const std::string& expected,
                    const std::string& actual) {
    throw InputError(file + ": " + key + ": expected " + expected + ", got " + actual);
}

void throw_input(const std::string& file, const std::string& problem) {
    throw InputError(file + ": " + problem);
}

}  // namespace hace
