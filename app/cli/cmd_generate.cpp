// hace generate: one generation with timings, KV statistics and optional full logits dump.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/cli/command.h"
#include "app/cli/compression_flags.h"
#include "app/cli/json_out.h"
#include "app/cli/progress.h"
#include "engine/core/error.h"
#include "engine/core/json_io.h"
#include "engine/core/memory_meter.h"
#include "engine/model/generate.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"

namespace hace::cli {
namespace {

int run_generate(const Args& args) {
    const std::filesystem::path dir = args.require("model");
    model::GenerateOptions gen;
    const auto max_new = args.int_or("max-new-tokens", 32);
    if (max_new < 0 || max_new > 1'000'000) {
        throw InputError("--max-new-tokens: expected 0..1000000, got " + std::to_string(max_new));
    }
    gen.max_new_tokens = static_cast<std::int32_t>(max_new);
    gen.ignore_eos = args.has("ignore-eos");
    gen.sampling.temperature = args.number_or("temperature", 0.0);
    gen.sampling.top_k = static_cast<std::int32_t>(args.int_or("top-k", 0));
    gen.sampling.top_p = args.number_or("top-p", 1.0);
    gen.sampling.seed = static_cast<std::uint64_t>(args.int_or("seed", 0));
    const auto opts = load_options(args);

    std::unique_ptr<tokenizer::Tokenizer> tok;
    std::string chat_used;
    const std::vector<model::TokenId> prompt = read_prompt(args, dir, tok, &chat_used);

    const auto model = model::load_model(dir, opts);
    const auto& cfg = model->config();
    if (tok) check_tokenizer_fits(*tok, cfg, dir);
    if (static_cast<std::int64_t>(prompt.size()) > cfg.max_positions) {
        throw InputError("prompt of " + std::to_string(prompt.size()) +
                         " tokens is longer than max_position_embeddings = " +
                         std::to_string(cfg.max_positions) + " of " + cfg.source.string());
    }

    if (tok && tok->special_ids().eos >= 0) {
        // Stop at the model's EOS ids and at the tokenizer's (a chat turn end such as <|im_end|>).
        gen.stop_ids = cfg.eos_ids;
        gen.stop_ids.push_back(tok->special_ids().eos);
    }
    const kv::CompressionConfig ccfg = compression_config(args, cfg);
    const std::string method = ccfg.method;
    gen.make_session = [&](std::int64_t max_tokens) {
        return kv::new_compressed_session(*model, max_tokens, ccfg);
    };
    nlohmann::json dump;
    gen.on_prefill = [&](const model::Session& s) {
        if (const auto* rep = s.compression_report()) dump = report_json(*rep, ccfg, cfg, dir.string());
    };

    nlohmann::json steps = nlohmann::json::array();
    const bool want_logits = args.has("logits-out");
    if (want_logits) {
        gen.on_logits = [&](std::int32_t step, std::span<const float> logits) {
            steps.push_back({{"step", step},
                             {"position", static_cast<std::int64_t>(prompt.size()) - 1 + step},
                             {"logits", std::vector<float>(logits.begin(), logits.end())}});
        };
    }
    Progress progress("generate", true);
    gen.on_token = [&](std::int32_t done, std::int32_t total) { progress.update(done, total); };

    reset_peak_rss();
    const auto r = model::generate(*model, prompt, gen);
    const std::int64_t peak = peak_rss_bytes();

    if (want_logits) {
        write_json_file(args.require("logits-out"),
                        {{"model", dir.string()},
                         {"prompt_ids", prompt},
                         {"output_ids", r.output_ids},
                         {"dtype", std::string(dtype_run_name(model->run_dtype()))},
                         {"steps", steps}},
                        -1);
    }
    const std::string text = tok ? tok->decode(r.output_ids, /*skip_special=*/true) : "";
    const double total_s = r.total_ms() / 1000.0;
    nlohmann::json j = {
        {"model", dir.string()},
        {"method", method},
        {"device", model->device()},
        {"dtype", std::string(dtype_run_name(model->run_dtype()))},
        {"threads", model::compute_threads()},
        {"chat_template", chat_used},
        {"prompt_tokens", r.prompt_tokens},
        {"output_ids", r.output_ids},
        {"text", tok ? nlohmann::json(text) : nlohmann::json(nullptr)},
        {"stopped_by_eos", r.stopped_by_eos},
        {"sampling",
         {{"temperature", gen.sampling.temperature},
          {"top_k", gen.sampling.top_k},
          {"top_p", gen.sampling.top_p},
          {"seed", gen.sampling.seed}}},
        {"timings",
         {{"prefill_ms", r.prefill_ms},
          {"decode_ms_per_token", r.decode_ms_per_token()},
          {"decode_steps", r.decode_steps},
          {"tokens_per_s", total_s > 0 ? r.output_ids.size() / total_s : 0.0}}},
        {"params", ccfg.params()},
        {"kv",
         {{"full_entries", r.kv.full_entries},
          {"kept_entries", r.kv.kept_entries},
          {"retention", r.kv.full_entries ? double(r.kv.kept_entries) / r.kv.full_entries : 1.0},
          {"bytes", r.kv.bytes}}},
        {"memory", {{"peak_bytes", peak}, {"weight_bytes", model->weight_bytes()}}},
    };
    if (!dump.is_null()) {
        j["kv"]["prefill_retention"] = dump["retention"];
        j["kv"]["capacity"] = dump["capacity"];
        if (args.has("dump")) write_json_file(args.require("dump"), dump);
    }
    if (args.has("json")) {
        print_json(j);
    } else {
        std::printf("%s\n", tok ? text.c_str() : j["output_ids"].dump().c_str());
        std::fflush(stdout);  // the text before the stderr summary when both go to a terminal
        std::fprintf(stderr, "[%lld prompt tokens, %zu generated, prefill %.1f ms, %.2f ms/token]\n",
                     static_cast<long long>(r.prompt_tokens), r.output_ids.size(), r.prefill_ms,
                     r.decode_ms_per_token());
    }
    return 0;
}

}  // namespace

Command generate_command() {
    auto flags = std::vector<FlagSpec>{
        {"model", true, "model folder (config.json + safetensors + tokenizer)"},
        {"max-new-tokens", true, "tokens to generate (default 32)"},
        {"ignore-eos", false, "do not stop at EOS"},
        {"temperature", true, "0 = greedy (default)"},
        {"top-k", true, "sample from the k most likely tokens (0 = off)"},
        {"top-p", true, "nucleus sampling mass (1 = off)"},
        {"seed", true, "sampling seed (default 0)"},
        {"dump", true, "write the compression dump (DESIGN.md section 10) to this file"},
        {"logits-out", true, "write the logits of every step to this JSON file"},
        {"json", false, "print JSON"},
    };
    for (auto& f : run_flags()) flags.push_back(f);
    for (auto& f : prompt_flags()) flags.push_back(f);
    for (auto& f : compression_flags()) flags.push_back(f);
    return {"generate",
            "--model DIR (--prompt T | --prompt-file F | --prompt-ids 1,2,3) [flags]",
            "generate text with a model and report timings and KV statistics", flags,
            &run_generate};
}

}  // namespace hace::cli
