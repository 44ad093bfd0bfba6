// hace bench: prefill and decode speed and memory of a model folder or a built-in shape.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>

#include "app/cli/command.h"
#include "app/cli/compression_flags.h"
#include "app/cli/json_out.h"
#include "app/cli/progress.h"
#include "engine/core/error.h"
#include "engine/core/memory_meter.h"
#include "engine/model/generate.h"
#include "engine/model/generate_batch.h"
#include "engine/model/model.h"
#include "engine/model/shapes.h"

namespace hace::cli {
namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// --batch-size "8" or "1,2,4,8,16": each B runs B sequences (their own random prompts of
// --context tokens, --new-tokens each) through one continuous-batching run per repeat.
std::vector<std::int32_t> batch_sizes(const Args& args) {
    if (!args.has("batch-size")) return {};
    const std::string text = args.require("batch-size");
    std::vector<std::int32_t> sizes;
    std::istringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        std::int32_t b = 0;
        const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), b);
        if (ec != std::errc() || end != item.data() + item.size() || b < 1 || b > 256) {
            throw InputError("--batch-size: \"" + item + "\" is not an integer in 1..256");
        }
        sizes.push_back(b);
    }
    if (sizes.empty()) throw InputError("--batch-size: give one or more batch sizes");
    return sizes;
}

std::vector<model::TokenId> random_prompt(std::mt19937_64& rng, std::int64_t n,
                                          std::int64_t vocab) {
    // Avoiding the usual special ids 0..2.
    std::vector<model::TokenId> prompt(static_cast<std::size_t>(n));
    const auto lo = std::min<std::int64_t>(3, vocab - 1);
    for (auto& id : prompt) id = static_cast<model::TokenId>(lo + rng() % (vocab - lo));
    return prompt;
}

// One B: medians over the repeats of the batch's decode throughput and step time, the
// per-sequence prefill, and the peak resident memory of the B sequences' runs.
nlohmann::json bench_batch(const model::Model& m, std::int32_t b,
                           const std::vector<std::vector<model::TokenId>>& prompts,
                           const model::GenerateOptions& gen, std::int64_t repeats,
                           double single_tokens_per_s) {
    const auto run_once = [&](std::int32_t new_tokens, std::int64_t prompt_len,
                              std::int64_t& kv_bytes, std::vector<double>& prefill) {
        std::size_t given = 0;
        kv_bytes = 0;
        return model::generate_batch(
            m, b,
            [&]() -> std::optional<model::BatchJob> {
                if (given == static_cast<std::size_t>(b)) return std::nullopt;
                const auto& p = prompts[given++];
                const auto n = std::min(prompt_len, static_cast<std::int64_t>(p.size()));
                model::BatchJob job;
                job.prompt.assign(p.begin(), p.begin() + n);
                job.options = gen;
                job.options.max_new_tokens = new_tokens;
                job.options.on_prefill = nullptr;
                return job;
            },
            [&](std::size_t, model::GenerateResult r) {
                kv_bytes += r.kv.bytes;
                prefill.push_back(r.prefill_ms);
            });
    };
    std::int64_t kv_bytes = 0;
    std::vector<double> prefill;
    run_once(2, 8, kv_bytes, prefill);  // warm-up: batch scratch and first-touch pages
    prefill.clear();
    reset_peak_rss();
    std::vector<double> tokens_per_s, step_ms, wall_ms;
    for (std::int64_t r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const auto st = run_once(gen.max_new_tokens, static_cast<std::int64_t>(prompts[0].size()),
                                 kv_bytes, prefill);
        wall_ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        const double steps = static_cast<double>(std::max<std::int64_t>(1, st.decode_steps));
        step_ms.push_back(st.decode_ms / steps);
        tokens_per_s.push_back(st.decode_ms > 0 ? 1000.0 * st.decode_rows / st.decode_ms : 0.0);
    }
    const double tps = median(tokens_per_s);
    return {
        {"batch_size", b},
        {"decode_tokens_per_s", tps},
        {"decode_speedup_vs_single", single_tokens_per_s > 0 ? tps / single_tokens_per_s : 0.0},
        // Every live sequence gains one token per batched step: its per-token latency.
        {"decode_ms_per_step", median(step_ms)},
        {"decode_ms_per_token_share", median(step_ms) / b},
        {"prefill_ms_per_sequence", median(prefill)},
        {"batch_wall_ms", median(wall_ms)},
        {"peak_bytes", peak_rss_bytes()},
        {"kv_bytes", kv_bytes},
    };
}

int run_bench(const Args& args) {
    const auto opts = load_options(args);
    const std::int64_t context = args.int_or("context", 128);
    const std::int64_t new_tokens = args.int_or("new-tokens", 32);
    const std::int64_t repeats = args.int_or("repeats", 3);
    if (context < 1) throw InputError("--context must be >= 1");
    if (new_tokens < 1) throw InputError("--new-tokens must be >= 1");
    if (repeats < 1 || repeats > 1000) throw InputError("--repeats must be in 1..1000");
    const std::vector<std::int32_t> batches = batch_sizes(args);

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

    // Random prompt ids (seeded).
    std::mt19937_64 rng(static_cast<std::uint64_t>(args.int_or("seed", 0)) + 1);
    const std::vector<model::TokenId> prompt = random_prompt(rng, context, cfg.vocab);

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
    if (!batches.empty()) {
        // The batch's sequences: the single run's prompt first, then their own random prompts.
        const std::int32_t most = *std::max_element(batches.begin(), batches.end());
        std::vector<std::vector<model::TokenId>> prompts = {prompt};
        while (static_cast<std::int32_t>(prompts.size()) < most) {
            prompts.push_back(random_prompt(rng, context, cfg.vocab));
        }
        nlohmann::json rows = nlohmann::json::array();
        for (const std::int32_t b : batches) {
            rows.push_back(
                bench_batch(*m, b, prompts, gen, repeats, j["tokens_per_s"].get<double>()));
            progress.update(static_cast<long>(rows.size()), static_cast<long>(batches.size()));
        }
        j["batches"] = rows;
    }
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
        {"batch-size", true,
         "also decode B sequences together (continuous batching), e.g. 8 or 1,2,4,8,16: "
         "\"batches\" rows with decode tokens/s, ms per step, peak memory"},
        {"json", false, "print JSON (the default for bench)"},
    };
    for (auto& f : run_flags()) flags.push_back(f);
    for (auto& f : compression_flags()) flags.push_back(f);
    return {"bench", "(--model DIR | --shape NAME --random-weights) [--context N] [flags]",
            "measure prefill ms, decode ms/token, tokens/s and peak memory (JSON)", flags,
            &run_bench};
}

}  // namespace hace::cli
