// hace bench: prefill and decode speed and memory of a model folder or a built-in shape.
#include <algorithm>
#include <cstdio>
#include <random>

#include "app/cli/command.h"
#include "app/cli/compression_flags.h"
#include "app/cli/json_out.h"
#include "app/cli/progress.h"
#include "engine/core/error.h"
#include "engine/core/memory_meter.h"
#include "engine/model/generate.h"
#include "engine/model/model.h"
#include "engine/model/shapes.h"

namespace hace::cli {
namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int run_bench(const Args& args) {
    const auto opts = load_options(args);
    const std::int64_t context = args.int_or("context", 128);
    const std::int64_t new_tokens = args.int_or("new-tokens", 32);
    const std::int64_t repeats = args.int_or("repeats", 3);
    if (context < 1) throw InputError("--context must be >= 1");
    if (new_tokens < 1) throw InputError("--new-tokens must be >= 1");
    if (repeats < 1 || repeats > 1000) throw InputError("--repeats must be in 1..1000");

    std::unique_ptr<model::Model> m;
    nlohmann::json j;
    const std::int64_t rss_before_load = current_rss_bytes();
    if (args.has("shape")) {
        if (!args.has("random-weights")) {
            throw InputError("--shape needs --random-weights (built-in shapes carry no weights)");
        }
        std::optional<std::int64_t> layers;
        if (args.has("layers")) layers = args.int_or("layers", 0);
        const auto cfg = model::shape_config(args.require("shape"), layers);
        m = model::random_model(cfg, opts, static_cast<std::uint64_t>(args.int_or("seed", 0)));
        j["shape"] = args.require("shape");
    } else {
        m = model::load_model(args.require("model"), opts);
        j["model"] = args.require("model");
    }
    const auto& cfg = m->config();
    if (context + new_tokens - 1 > cfg.max_positions) {
        throw InputError("--context " + std::to_string(context) + " + --new-tokens " +
                         std::to_string(new_tokens) + " exceed max_position_embeddings = " +
                         std::to_string(cfg.max_positions));
    }

    // Random prompt ids (seeded), avoiding the usual special ids 0..2.
    std::mt19937_64 rng(static_cast<std::uint64_t>(args.int_or("seed", 0)) + 1);
    std::vector<model::TokenId> prompt(static_cast<std::size_t>(context));
    const auto lo = std::min<std::int64_t>(3, cfg.vocab - 1);
    for (auto& id : prompt) id = static_cast<model::TokenId>(lo + rng() % (cfg.vocab - lo));

    model::GenerateOptions gen;
    gen.max_new_tokens = static_cast<std::int32_t>(new_tokens);
    gen.ignore_eos = true;
    const kv::CompressionConfig ccfg = compression_config(args, cfg);
    gen.make_session = [&](std::int64_t max_tokens) {
        return kv::new_compressed_session(*m, max_tokens, ccfg);
    };
    std::vector<double> compression;
    std::int64_t prefill_kv_bytes = 0;
    gen.on_prefill = [&](const model::Session& s) {
        const auto* rep = s.compression_report();
        compression.push_back(rep ? rep->compression_ms : 0.0);
        prefill_kv_bytes = s.kv_stats().bytes;
    };

    // Warm-up: first-touch page faults and thread-pool start-up stay out of the numbers.
    {
        model::GenerateOptions warm = gen;
        warm.max_new_tokens = 2;
        const std::vector<model::TokenId> few(prompt.begin(),
                                              prompt.begin() + std::min<std::int64_t>(context, 8));
        model::generate(*m, few, warm);
    }
    compression.clear();
    reset_peak_rss();
    std::vector<double> prefill, decode;
    model::GenerateResult last;
    Progress progress("bench", true);
    for (std::int64_t r = 0; r < repeats; ++r) {
        last = model::generate(*m, prompt, gen);
        prefill.push_back(last.prefill_ms);
        decode.push_back(last.decode_ms_per_token());
        progress.update(static_cast<long>(r + 1), static_cast<long>(repeats));
    }
    const double prefill_ms = median(prefill), decode_ms = median(decode);
    j.update({
        {"architecture", cfg.architecture},
        {"params", cfg.param_count()},
        {"layers", cfg.n_layers},
        {"device", m->device()},
        {"dtype", std::string(dtype_run_name(m->run_dtype()))},
        {"threads", model::compute_threads()},
        {"backend", model::backend_description()},
        {"method", ccfg.method},
        {"params", ccfg.params()},
        {"context", context},
        {"new_tokens", new_tokens},
        {"repeats", repeats},
        {"prefill_ms", prefill_ms},
        {"prefill_ms_min", *std::min_element(prefill.begin(), prefill.end())},
        {"prefill_tokens_per_s", prefill_ms > 0 ? 1000.0 * context / prefill_ms : 0.0},
        {"compression_ms", median(compression)},
        {"prefill_forward_ms", prefill_ms - median(compression)},
        {"compression_fraction", prefill_ms > 0 ? median(compression) / prefill_ms : 0.0},
        {"decode_ms_per_token", decode_ms},
        {"decode_ms_per_token_min", *std::min_element(decode.begin(), decode.end())},
        {"tokens_per_s", decode_ms > 0 ? 1000.0 / decode_ms : 0.0},
        {"peak_bytes", peak_rss_bytes()},
        {"model_rss_bytes", current_rss_bytes() - rss_before_load},
        {"weight_bytes", m->weight_bytes()},
        {"kv_bytes", last.kv.bytes},
        {"kv_bytes_after_prefill", prefill_kv_bytes},
        {"kv_full_bytes", last.kv.full_entries * 2 * cfg.head_dim *
                              static_cast<std::int64_t>(dtype_size(m->run_dtype()))},
        {"kv_entries", last.kv.kept_entries},
    });
    print_json(j);  // bench always prints JSON: its output feeds scripts
    return 0;
}

}  // namespace

Command bench_command() {
    auto flags = std::vector<FlagSpec>{
        {"model", true, "model folder"},
        {"shape", true, "built-in shape (llama2-7b, llama-100m, llama-134m, ...) instead of a folder"},
        {"random-weights", false, "seeded random weights (required with --shape)"},
        {"layers", true, "reduce a shape's depth to N layers"},
        {"context", true, "prompt tokens (default 128)"},
        {"new-tokens", true, "decode steps measured (default 32)"},
        {"repeats", true, "runs; medians are reported (default 3)"},
        {"seed", true, "seed of the random prompt and weights (default 0)"},
        {"json", false, "print JSON (the default for bench)"},
    };
    for (auto& f : run_flags()) flags.push_back(f);
    for (auto& f : compression_flags()) flags.push_back(f);
    return {"bench", "(--model DIR | --shape NAME --random-weights) [--context N] [flags]",
            "measure prefill ms, decode ms/token, tokens/s and peak memory (JSON)", flags,
            &run_bench};
}

}  // namespace hace::cli
