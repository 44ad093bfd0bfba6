#include "views/data/results_query.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "engine/core/error.h"
#include "engine/runner/result_store_open.h"
#include "engine/runner/sqlite_db.h"

namespace hace::views {
namespace {

using nlohmann::json;
using runner::detail::Db;
using runner::detail::Statement;

std::optional<double> optionalDouble(const Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_double(i);
}

std::optional<std::int64_t> optionalInt(const Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_int(i);
}

json parseOr(const std::string& text, json fallback) {
    auto j = json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

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
    Db& db = impl_->db;
    const char* what = "reading cells";
    std::vector<CellSummary> out;
    auto s = db.prepare(
        "SELECT c.hash, c.config_json, c.status, coalesce(c.failure_reason, ''), "
        "coalesce((SELECT max(sc.samples) FROM sweep_cells sc WHERE sc.cell_hash = c.hash), 0), "
        "(SELECT count(*) FROM samples s WHERE s.cell_hash = c.hash), "
        "(SELECT avg(s.retention_realised) FROM samples s WHERE s.cell_hash = c.hash), "
        "(SELECT avg(s.total_ms) FROM samples s WHERE s.cell_hash = c.hash) "
        "FROM cells c",
        what);
    while (s.step()) {
        CellSummary c;
        c.hash = s.column_text(0);
        c.config = parseOr(s.column_text(1), json::object());
        c.status = s.column_text(2);
        c.failureReason = s.column_text(3);
        c.samplesPlanned = s.column_int(4);
        c.samplesDone = s.column_int(5);
        c.meanRetentionRealised = optionalDouble(s, 6);
        c.meanTotalMs = optionalDouble(s, 7);
        fillFromConfig(c);
        out.push_back(std::move(c));
    }
    auto m = db.prepare(
        "SELECT s.cell_hash, m.name, avg(m.value) FROM metrics m JOIN samples s "
        "ON m.sample_row = s.id WHERE m.value IS NOT NULL GROUP BY s.cell_hash, m.name",
        what);
    std::map<std::string, CellSummary*> byHash;
    for (auto& c : out) byHash[c.hash] = &c;
    while (m.step()) {
        const auto it = byHash.find(m.column_text(0));
        if (it != byHash.end()) it->second->meanMetrics[m.column_text(1)] = m.column_double(2);
    }
    // Each sample's values, identified by sample id (the index when the id is empty).
    auto v = db.prepare(
        "SELECT s.cell_hash, s.sample_id, s.sample_index, m.name, m.value FROM metrics m "
        "JOIN samples s ON m.sample_row = s.id WHERE m.value IS NOT NULL "
        "ORDER BY s.cell_hash, s.sample_index",
        what);
    while (v.step()) {
        const auto it = byHash.find(v.column_text(0));
        if (it == byHash.end()) continue;
        std::string id = v.column_text(1);
        if (id.empty()) id = std::string("#").append(std::to_string(v.column_int(2)));
        it->second->observations[v.column_text(3)].push_back({std::move(id), v.column_double(4)});
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
    Db& db = impl_->db;
    const char* what = "reading samples";
    auto s = db.prepare(
        "SELECT sample_index, sample_id, prediction, references_json, metrics_json, "
        "prompt_tokens, output_tokens, prefill_ms, decode_ms, total_ms, peak_bytes, kv_bytes, "
        "retention_realised, extra_json FROM samples WHERE cell_hash = ? ORDER BY sample_index",
        what);
    s.bind(1, std::string_view(cellHash));
    std::vector<SampleSummary> out;
    while (s.step()) {
        SampleSummary r;
        r.index = s.column_int(0);
        r.sampleId = s.column_text(1);
        r.prediction = s.column_text(2);
        r.references = parseOr(s.column_text(3), json::array());
        const json metrics = parseOr(s.column_text(4), json::object());
        for (const auto& [name, value] : metrics.items()) {
            r.metrics[name] =
                value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
        }
        r.promptTokens = s.column_int(5);
        r.outputTokens = s.column_int(6);
        r.prefillMs = optionalDouble(s, 7);
        r.decodeMs = optionalDouble(s, 8);
        r.totalMs = optionalDouble(s, 9);
        r.peakBytes = optionalInt(s, 10);
        r.kvBytes = optionalInt(s, 11);
        r.retentionRealised = optionalDouble(s, 12);
        r.extra = parseOr(s.column_text(13), json::object());
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<std::string> ResultsDb::headStatNames(const std::string& cellHash) const {
    auto s = impl_->db.prepare(
        "SELECT DISTINCT h.name FROM head_stats h JOIN samples s ON h.sample_row = s.id "
        "WHERE s.cell_hash = ? ORDER BY h.name",
        "reading head statistics");
    s.bind(1, std::string_view(cellHash));
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.column_text(0));
    return out;
}

HeadGrid ResultsDb::headGrid(const std::string& cellHash, const std::string& stat,
                             std::optional<std::int64_t> sampleIndex) const {
    auto s = impl_->db.prepare(
        "SELECT h.layer, h.head, avg(h.value) FROM head_stats h JOIN samples s "
        "ON h.sample_row = s.id WHERE s.cell_hash = ? AND h.name = ? "
        "AND (? IS NULL OR s.sample_index = ?) GROUP BY h.layer, h.head",
        "reading head statistics");
    s.bind(1, std::string_view(cellHash)).bind(2, std::string_view(stat));
    s.bind(3, sampleIndex).bind(4, sampleIndex);
    struct Entry {
        std::int64_t layer, head;
        std::optional<double> value;
    };
    std::vector<Entry> entries;
    HeadGrid grid;
    while (s.step()) {
        entries.push_back({s.column_int(0), s.column_int(1), optionalDouble(s, 2)});
        grid.layers = std::max(grid.layers, entries.back().layer + 1);
        grid.heads = std::max(grid.heads, entries.back().head + 1);
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
    auto s = impl_->db.prepare(
        "SELECT k.query_start, k.positions, k.token_ids, k.token_text FROM kept_tokens k "
        "JOIN samples s ON k.sample_row = s.id WHERE s.cell_hash = ? AND s.sample_index = ?",
        "reading kept positions");
    s.bind(1, std::string_view(cellHash)).bind(2, sampleIndex);
    if (!s.step()) return std::nullopt;
    KeptSample k;
    try {
        k.queryStart = optionalInt(s, 0);
        k.positions = runner::decode_kept_positions(s.column_blob(1));
        k.tokenIds = json::parse(s.column_text(2)).get<std::vector<std::int32_t>>();
        k.tokenText = json::parse(s.column_text(3)).get<std::vector<std::string>>();
    } catch (const std::exception& e) {
        throw InputError(path().string() + ": damaged kept_tokens row of cell " + cellHash +
                         " sample " + std::to_string(sampleIndex) + ": " + e.what());
    }
    if (k.tokenText.size() != static_cast<std::size_t>(k.positions.tokens)) {
        throw InputError(path().string() + ": kept_tokens row of cell " + cellHash + " sample " +
                         std::to_string(sampleIndex) + " has " +
                         std::to_string(k.tokenText.size()) + " token texts for " +
                         std::to_string(k.positions.tokens) + " tokens");
    }
    return k;
}

std::vector<std::int64_t> ResultsDb::keptSampleIndices(const std::string& cellHash) const {
    auto s = impl_->db.prepare(
        "SELECT s.sample_index FROM kept_tokens k JOIN samples s ON k.sample_row = s.id "
        "WHERE s.cell_hash = ? ORDER BY s.sample_index",
        "reading kept positions");
    s.bind(1, std::string_view(cellHash));
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.column_int(0));
    return out;
}

}  // namespace hace::views
