#include "app/cli/print_json.h"

#include <cstdio>
#include <string>

namespace hace::cli {

void print_json(const nlohmann::json& j) {
    const std::string s = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
}

}  // namespace hace::cli
