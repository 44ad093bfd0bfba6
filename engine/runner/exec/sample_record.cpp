#include "engine/runner/exec/sample_record.h"

#include <cmath>

namespace hace::runner {
namespace {

using nlohmann::json;

json kv_json(const model::KvStats& s) {
    return {{"full_entries", s.full_entries},
            {"kept_entries", s.kept_entries},
            {"bytes", s.bytes},
            {"capacity_bytes", s.capacity_bytes}};
}

double mean_of(const std::vector<double>& v) {
    double sum = 0.0;
    std::size_t n = 0;
    for (double x : v) {
        if (!std::isfinite(x)) continue;
        sum += x;
        ++n;
    }
    return n ? sum / static_cast<double>(n) : std::nan("");
}

}  // namespace

SampleResult sample_record(const RunCell& cell, std::int64_t index, const eval::EvalSample& sample,
                           const eval::SampleOutcome& o) {
    SampleResult r;
    r.cell_hash = cell.hash;
    r.sample_index = index;
    r.sample_id = sample.id;
    r.prediction = o.prediction;
    r.references = sample.references;
    r.metrics = o.metrics;
    r.prompt_tokens = o.prompt_tokens;
    r.output_tokens = static_cast<std::int64_t>(o.output_ids.size());
    r.prefill_ms = o.prefill_ms;
    r.decode_ms = o.decode_ms;
    r.total_ms = o.prefill_ms + o.decode_ms;
    r.peak_bytes = o.peak_bytes;
    r.kv_bytes = o.kv_end.bytes;
    r.kv_full_entries = o.kv_after_prefill.full_entries;
    r.kv_kept_entries = o.kv_after_prefill.kept_entries;
    r.retention_nominal = o.retention_nominal;
    r.retention_realised = o.retention_realised;
    r.extra = {{"method_name", cell.method_name},
               {"model_dir", cell.model_dir.string()},
               {"output_ids", o.output_ids},
               {"decode_ms_per_token", o.decode_ms_per_token},
               {"tokens_per_s", o.tokens_per_s},
               {"compression_ms", o.compression_ms},
               {"kv_bits", o.kv_bits},
               {"params", o.params},
               {"kv_after_prefill", kv_json(o.kv_after_prefill)},
               {"kv_end", kv_json(o.kv_end)},
               {"meta", sample.meta}};
    if (sample.query_start) r.extra["query_start"] = *sample.query_start;
    // Decoded in batches of B: decode_ms, decode_ms_per_token and tokens_per_s are this
    // sample's share of the batched steps' wall time, peak_bytes the batch's (sample_eval.h).
    if (o.batch_size > 1) r.extra["batched"] = o.batch_size;
    // Its prompt forward replayed from another run of the sample: prefill_ms is the replay's.
    if (o.prefill_replayed) r.extra["prefill_replayed"] = true;
    for (const auto& L : o.layers) {
        r.layer_stats.push_back({L.layer, "budget", static_cast<double>(L.budget)});
        if (L.preference) r.layer_stats.push_back({L.layer, "preference", *L.preference});
        r.layer_stats.push_back({L.layer, "entropy", L.entropy});
        r.layer_stats.push_back({L.layer, "variance", L.temporal_variance});
        r.layer_stats.push_back({L.layer, "specialization", L.specialization});
        r.layer_stats.push_back({L.layer, "gini", L.gini});
        for (std::size_t h = 0; h < L.head_kept.size(); ++h) {
            const auto head = static_cast<std::int64_t>(h);
            if (h < L.head_budget.size()) {
                r.head_stats.push_back({L.layer, head, "budget", double(L.head_budget[h])});
            }
            r.head_stats.push_back({L.layer, head, "kept", double(L.head_kept[h])});
        }
    }
    return r;
}

KeptRecord kept_record(const eval::EvalSample& sample, const eval::KeptSet& kept,
                       const tokenizer::Tokenizer& tok) {
    KeptRecord r;
    r.positions.tokens = kept.tokens;
    r.positions.layers = kept.layers;
    r.positions.heads = kept.heads;
    r.positions.segments = kept.segments;
    r.query_start = sample.query_start;
    r.token_ids.assign(sample.prompt.begin(), sample.prompt.end());
    r.token_text.reserve(sample.prompt.size());
    for (std::size_t i = 0; i < sample.prompt.size(); ++i) {
        const std::size_t from = i >= 3 ? i - 3 : 0;
        std::vector<model::TokenId> window(sample.prompt.begin() + std::ptrdiff_t(from),
                                           sample.prompt.begin() + std::ptrdiff_t(i));
        const std::string before = tok.decode(window, false);
        window.push_back(sample.prompt[i]);
        const std::string with = tok.decode(window, false);
        const bool extends =
            with.size() > before.size() && with.compare(0, before.size(), before) == 0;
        r.token_text.push_back(extends ? with.substr(before.size()) : tok.piece(sample.prompt[i]));
    }
    return r;
}

SampleResult hiv_record(const RunCell& cell, const eval::HivRunResult& run,
                        const std::filesystem::path& scores) {
    const eval::HivStatistics& s = run.stats;
    SampleResult r;
    r.cell_hash = cell.hash;
    r.sample_index = 0;
    r.sample_id = "hiv";
    r.prediction = scores.filename().string();
    r.references = json::array();
    r.metrics["trials"] = static_cast<double>(s.trials);
    r.metrics["accepted"] = static_cast<double>(s.accepted);
    r.metrics["acceptance_rate"] =
        s.trials ? static_cast<double>(s.accepted) / static_cast<double>(s.trials) : 0.0;
    if (s.split_half_spearman) r.metrics["split_half_spearman"] = *s.split_half_spearman;
    if (s.short_long_spearman) r.metrics["short_long_spearman"] = *s.short_long_spearman;
    r.metrics["mean_dispersion"] = mean_of(s.dispersion);
    r.metrics["mean_entropy_normalised"] = mean_of(s.entropy_normalised);
    std::int64_t prompt_tokens = 0;
    std::int64_t output_tokens = 0;
    for (const auto& t : run.trials) prompt_tokens += static_cast<std::int64_t>(t.prompt.size());
    for (const auto& t : run.results)
        output_tokens += static_cast<std::int64_t>(t.response_ids.size());
    r.prompt_tokens = prompt_tokens;
    r.output_tokens = output_tokens;
    r.extra = {{"method_name", "hiv"},
               {"model_dir", cell.model_dir.string()},
               {"score_file", scores.string()},
               {"stats_file", scores.string() + ".stats.json"},
               {"trials_file", scores.string() + ".trials.jsonl"}};
    for (std::size_t l = 0; l < s.dispersion.size(); ++l) {
        const auto layer = static_cast<std::int64_t>(l);
        r.layer_stats.push_back({layer, "dispersion", s.dispersion[l]});
        if (l < s.entropy_normalised.size()) {
            r.layer_stats.push_back({layer, "entropy", s.entropy[l]});
            r.layer_stats.push_back({layer, "entropy_normalised", s.entropy_normalised[l]});
        }
    }
    for (std::size_t l = 0; l < s.mean.size(); ++l) {
        for (std::size_t h = 0; h < s.mean[l].size(); ++h) {
            const auto layer = static_cast<std::int64_t>(l);
            const auto head = static_cast<std::int64_t>(h);
            r.head_stats.push_back({layer, head, "importance", s.mean[l][h]});
            if (l < s.variance.size() && h < s.variance[l].size()) {
                r.head_stats.push_back({layer, head, "importance_variance", s.variance[l][h]});
            }
            if (l < s.cv.size() && h < s.cv[l].size()) {
                r.head_stats.push_back({layer, head, "cv", s.cv[l][h]});
            }
        }
    }
    return r;
}

}  // namespace hace::runner
