#include "app/cli/json_out.h"

#include <cstdio>

#include "engine/core/error.h"

namespace hace::cli {

void print_json(const nlohmann::json& j) {
    const std::string s = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
}

std::vector<FlagSpec> run_flags() {
    return {
        {"device", true, "cpu (default) or cuda"},
        {"dtype", true, "run dtype: f32 (default on CPU), f16, bf16"},
        {"threads", true, "compute threads (default: all cores)"},
    };
}

model::LoadOptions load_options(const Args& args) {
    model::LoadOptions opts;
    opts.device = args.get_or("device", "cpu");
    if (auto dt = args.get("dtype")) {
        opts.dtype = dtype_from_run_name(*dt);
        if (!opts.dtype) {
            throw InputError("--dtype: expected f32, f16 or bf16, got \"" + *dt + "\"");
        }
    }
    const auto threads = args.int_or("threads", 0);
    if (threads < 0 || threads > 1024) {
        throw InputError("--threads: expected 0..1024, got " + std::to_string(threads));
    }
    model::set_compute_threads(static_cast<int>(threads));
    return opts;
}

}  // namespace hace::cli
