// hace compress: prefill + compression only; prints what was kept and writes the dump.
#include <chrono>
#include <cstdio>

#include "app/cli/command.h"
#include "app/cli/compression_flags.h"
#include "app/cli/json_out.h"
#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/core/memory_meter.h"
#include "engine/kv/methods.h"
#include "engine/model/model.h"

namespace hace::cli {
namespace {

int run_compress(const Args& args) {
    const std::filesystem::path dir = args.require("model");
    if (!args.has("method")) throw InputError("hace compress: --method is required");
    const auto opts = load_options(args);
    std::unique_ptr<tokenizer::Tokenizer> tok;
    const auto prompt = read_prompt(args, dir, tok);
    const auto model = model::load_model(dir, opts);
    const auto& cfg = model->config();
    if (tok) check_tokenizer_fits(*tok, cfg, dir);
    const auto ccfg = compression_config(args, cfg);
    const auto n = static_cast<std::int64_t>(prompt.size());
    if (n > cfg.max_positions) {
        throw InputError("prompt of " + std::to_string(n) + " tokens is longer than " +
                         "max_position_embeddings = " + std::to_string(cfg.max_positions));
    }
    reset_peak_rss();
    const auto t0 = std::chrono::steady_clock::now();
    auto session = kv::new_compressed_session(*model, n, ccfg);
    session->prefill(prompt);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const auto kv = session->kv_stats();
    nlohmann::json dump;
    if (const auto* rep = session->compression_report()) {
        dump = report_json(*rep, ccfg, cfg, dir.string());
    } else {
        dump = {{"method", ccfg.method}, {"prompt_tokens", n}, {"retention", 1.0},
                {"params", ccfg.params()}, {"layers", nlohmann::json::array()}};
    }
    if (auto file = args.get("dump")) write_json_file(*file, dump);
    nlohmann::json summary = {{"method", ccfg.method},
                              {"prompt_tokens", n},
                              {"capacity", dump.value("capacity", n)},
                              {"retention", dump["retention"]},
                              {"kept_entries", kv.kept_entries},
                              {"full_entries", kv.full_entries},
                              {"kv_bytes", kv.bytes},
                              {"prefill_ms", ms},
                              {"peak_bytes", peak_rss_bytes()}};
    if (args.has("json")) {
        summary["layers"] = dump["layers"];
        summary["params"] = dump["params"];
        print_json(summary);
    } else {
        std::printf("%s: %lld prompt tokens, kept %lld of %lld entries (retention %.4f), %lld KV "
                    "bytes, prefill %.1f ms\n",
                    ccfg.method.c_str(), static_cast<long long>(n),
                    static_cast<long long>(kv.kept_entries), static_cast<long long>(kv.full_entries),
                    dump["retention"].get<double>(), static_cast<long long>(kv.bytes), ms);
    }
    return 0;
}

}  // namespace

Command compress_command() {
    auto flags = std::vector<FlagSpec>{
        {"model", true, "model folder"},
        {"dump", true, "write the per-layer/per-head budgets and kept positions (JSON)"},
        {"json", false, "print JSON (summary + layers)"},
    };
    for (auto& f : prompt_flags()) flags.push_back(f);
    for (auto& f : compression_flags()) flags.push_back(f);
    for (auto& f : run_flags()) flags.push_back(f);
    return {"compress",
            "--model DIR (--prompt T | --prompt-file F | --prompt-ids ...) --method M "
            "(--retention R | --capacity C) [--dump FILE]",
            "prefill + KV compression only: budgets and kept positions per layer and head", flags,
            &run_compress};
}

}  // namespace hace::cli
