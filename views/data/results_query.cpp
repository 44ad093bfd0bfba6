#include "views/data/results_query.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "engine/runner/result_reader.h"
#include "engine/runner/result_store_open.h"
#include "engine/runner/sqlite_db.h"

namespace hace::views {
namespace {

using nlohmann::json;
using runner::ResultReader;
using runner::detail::Db;

std::string stringAt(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t intAt(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

void fillFromConfig(CellSummary& c) {
    const json& cfg = c.config;
    if (const auto m = cfg.find("model"); m != cfg.end() && m->is_object()) {
        c.model = stringAt(*m, "name");
        c.layers = intAt(*m, "layers");
        c.kvHeads = intAt(*m, "kv_heads");
    }
    c.contextLength = intAt(cfg, "context_length");
    if (const auto r = cfg.find("retention"); r != cfg.end() && r->is_number()) {
        c.retention = r->get<double>();
    }
    if (const auto b = cfg.find("capacity"); b != cfg.end() && b->is_number_integer()) {
        c.capacity = b->get<std::int64_t>();
    }
    if (const auto q = cfg.find("query"); q != cfg.end() && q->is_string()) {
        c.query = q->get<std::string>();
    }
    c.method = stringAt(cfg, "method");
    c.mode = stringAt(cfg, "mode");
    if (const auto t = cfg.find("task"); t != cfg.end()) {
        c.task =
            t->is_object() ? stringAt(*t, "id") : (t->is_string() ? t->get<std::string>() : "");
    }
}

}  // namespace

std::optional<double> CellSummary::metric(const std::string& name) const {
    const auto it = meanMetrics.find(name);
    if (it == meanMetrics.end()) return std::nullopt;
    return it->second;
}

std::optional<stats::MetricInterval> CellSummary::interval(const std::string& name) const {
    const auto it = intervalCache_.find(name);
    if (it != intervalCache_.end()) return it->second;
    auto value = stats::metric_interval(name, observations);
    intervalCache_.emplace(name, value);
    return value;
}

struct ResultsDb::Impl {
    Db db;
};

ResultsDb::ResultsDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultsDb::~ResultsDb() = default;
ResultsDb::ResultsDb(ResultsDb&&) noexcept = default;
ResultsDb& ResultsDb::operator=(ResultsDb&&) noexcept = default;

ResultsDb ResultsDb::open(const std::filesystem::path& path) {
    return ResultsDb(std::make_unique<Impl>(Impl{runner::detail::open_results_for_reading(path)}));
}

const std::filesystem::path& ResultsDb::path() const {
    return impl_->db.path();
}

std::int64_t ResultsDb::dataVersion() const {
    return impl_->db.query_int("PRAGMA data_version", "polling for changes");
}

std::vector<CellSummary> ResultsDb::cells() const {
    const ResultReader reader(impl_->db);
    std::vector<CellSummary> out;
    for (runner::StoredCell& stored : reader.cells()) {
        CellSummary c;
        c.hash = std::move(stored.hash);
        c.config = std::move(stored.config);
        c.status = runner::cell_status_name(stored.status);
        c.failureReason = std::move(stored.failure_reason);
        c.samplesPlanned = stored.samples_planned;
        c.samplesDone = stored.samples_stored;
        c.meanRetentionRealised = stored.mean_retention_realised;
        c.meanTotalMs = stored.mean_total_ms;
        fillFromConfig(c);
        out.push_back(std::move(c));
    }
    std::map<std::string, CellSummary*> byHash;
    for (auto& c : out) byHash[c.hash] = &c;
    for (auto& [hash, means] : reader.metric_means()) {
        const auto it = byHash.find(hash);
        if (it != byHash.end()) it->second->meanMetrics = std::move(means);
    }
    // Each sample's values, identified by sample id (the index when the id is empty).
    for (runner::StoredMetric& m : reader.metric_values()) {
        const auto it = byHash.find(m.cell_hash);
        if (it == byHash.end()) continue;
        std::string id = std::move(m.sample_id);
        if (id.empty()) id = std::string("#").append(std::to_string(m.sample_index));
        it->second->observations[m.name].push_back({std::move(id), m.value});
    }
    const auto key = [](const CellSummary& c) {
        // Full cache (no retention) sorts after every ratio.
        return std::make_tuple(c.model, c.task, c.contextLength, c.method, c.mode,
                               c.retention.value_or(std::numeric_limits<double>::infinity()),
                               c.capacity.value_or(0), c.hash);
    };
    std::sort(out.begin(), out.end(),
              [&](const CellSummary& a, const CellSummary& b) { return key(a) < key(b); });
    return out;
}

std::vector<SampleSummary> ResultsDb::samples(const std::string& cellHash) const {
    std::vector<SampleSummary> out;
    for (runner::StoredSample& stored : ResultReader(impl_->db).samples(cellHash)) {
        runner::SampleResult& s = stored.sample;
        SampleSummary r;
        r.index = s.sample_index;
        r.sampleId = std::move(s.sample_id);
        r.prediction = std::move(s.prediction);
        r.references = std::move(s.references);
        r.metrics = std::move(s.metrics);
        r.promptTokens = s.prompt_tokens;
        r.outputTokens = s.output_tokens;
        r.prefillMs = s.prefill_ms;
        r.decodeMs = s.decode_ms;
        r.totalMs = s.total_ms;
        r.peakBytes = s.peak_bytes;
        r.kvBytes = s.kv_bytes;
        r.retentionRealised = s.retention_realised;
        r.extra = std::move(s.extra);
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<std::string> ResultsDb::headStatNames(const std::string& cellHash) const {
    return ResultReader(impl_->db).head_stat_names(cellHash);
}

HeadGrid ResultsDb::headGrid(const std::string& cellHash, const std::string& stat,
                             std::optional<std::int64_t> sampleIndex) const {
    const auto entries = ResultReader(impl_->db).head_stat_means(cellHash, stat, sampleIndex);
    HeadGrid grid;
    for (const auto& e : entries) {
        grid.layers = std::max(grid.layers, e.layer + 1);
        grid.heads = std::max(grid.heads, e.head + 1);
    }
    grid.values.assign(static_cast<std::size_t>(grid.layers * grid.heads),
                       std::numeric_limits<double>::quiet_NaN());
    for (const auto& e : entries) {
        if (e.value)
            grid.values[static_cast<std::size_t>(e.layer * grid.heads + e.head)] = *e.value;
    }
    return grid;
}

}  // namespace hace::views

namespace hace::views {

std::optional<KeptSample> ResultsDb::keptTokens(const std::string& cellHash,
                                                std::int64_t sampleIndex) const {
    auto kept = ResultReader(impl_->db).kept(cellHash, sampleIndex);
    if (!kept) return std::nullopt;
    return KeptSample{std::move(kept->positions), kept->query_start, std::move(kept->token_ids),
                      std::move(kept->token_text)};
}

std::vector<std::int64_t> ResultsDb::keptSampleIndices(const std::string& cellHash) const {
    return ResultReader(impl_->db).kept_sample_indices(cellHash);
}

}  // namespace hace::views
