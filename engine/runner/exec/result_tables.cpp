#include "engine/runner/exec/result_tables.h"

#include <charconv>
#include <cmath>
#include <set>

#include "engine/core/json_io.h"
#include "engine/runner/result_reader.h"
#include "engine/runner/result_store_open.h"

namespace hace::runner {
namespace {

using nlohmann::json;

const json kNull = nullptr;

struct CellKey {
    std::string model, method, mode, task;
    json context = nullptr, retention = nullptr;
    json budget = nullptr;        // "capacity" of a budget cell
    std::string query = "aware";  // "query" of a query-agnostic cell
};

// A cell's key from its stored config. A member of the wrong type (a database edited by hand or
// damaged in a way SQLite does not notice) is an InputError naming the file, the cell and the key;
// an absent one (the HIV cell has no method) stays empty.
CellKey key_of(const json& c, const std::filesystem::path& db, const std::string& hash) {
    CellKey k;
    if (!c.is_object()) return k;
    const std::string where = db.string() + ": cell " + hash + ": config";
    const auto text = [&](const json& obj, const char* key, const std::string& path) {
        const auto it = obj.find(key);
        return it == obj.end() || it->is_null() ? std::string()
                                                : json_string(*it, path + "." + key);
    };
    if (c.contains("model") && c["model"].is_object())
        k.model = text(c["model"], "name", where + ".model");
    k.method = text(c, "method", where);
    k.mode = text(c, "mode", where);
    if (c.contains("task") && c["task"].is_object())
        k.task = text(c["task"], "id", where + ".task");
    for (const auto& [key, out] :
         {std::pair{"context_length", &k.context}, {"retention", &k.retention}}) {
        const auto it = c.find(key);
        if (it == c.end() || it->is_null()) continue;
        (void)json_number(*it, where + "." + key);
        *out = *it;
    }
    if (const auto it = c.find("capacity"); it != c.end() && !it->is_null()) {
        (void)json_number(*it, where + ".capacity");
        k.budget = *it;
    }
    if (const std::string q = text(c, "query", where); !q.empty()) k.query = q;
    return k;
}

template <class T>
json optional_value(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

std::string label_of(const CellKey& k, const json& extra) {
    if (extra.is_object() && extra.contains("method_name") && extra["method_name"].is_string()) {
        return extra["method_name"].get<std::string>();
    }
    return k.method.empty() ? k.task : k.method;
}

std::string number_text(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, r.ptr);
}

std::string csv_field(const json& v) {
    if (v.is_null()) return "";
    std::string s;
    if (v.is_string()) {
        s = v.get<std::string>();
    } else if (v.is_number_integer()) {
        s = std::to_string(v.get<std::int64_t>());
    } else if (v.is_number()) {
        s = number_text(v.get<double>());
    } else {
        s = v.dump();
    }
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

}  // namespace

const json& Table::at(std::size_t row, const std::string& column) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == column) return rows.at(row).at(i);
    }
    return kNull;
}

namespace {

// The B a sample's timings were measured at: its row's "batched", 1 when absent.
std::int32_t batched_of(const json& extra) {
    if (!extra.is_object()) return 1;
    const auto it = extra.find("batched");
    if (it == extra.end() || !it->is_number_integer()) return 1;
    return std::max(1, it->get<std::int32_t>());
}

}  // namespace

json timing_label(const std::set<std::int32_t>& batch_sizes) {
    if (batch_sizes.empty()) return nullptr;
    std::string shared;
    for (const std::int32_t b : batch_sizes) {
        if (b > 1) shared += (shared.empty() ? "" : "/") + std::to_string(b);
    }
    if (shared.empty()) return "alone";
    return "batch share (B=" + shared + (batch_sizes.count(1) ? ", some alone)" : ")");
}

// Cells in plan order, each cell's samples by index.
Table sample_table(const std::filesystem::path& db_path) {
    detail::Db db = detail::open_results_for_reading(db_path);
    const ResultReader reader(db);
    struct Raw {
        std::vector<json> fixed;
        std::map<std::string, double> metrics;  // NaN: stored as null
    };
    std::vector<Raw> raw;
    std::set<std::string> metric_names;
    for (const StoredCell& cell : reader.cells()) {
        std::vector<StoredSample> samples = reader.samples(cell.hash);
        if (samples.empty()) continue;
        const CellKey k = key_of(cell.config, db_path, cell.hash);
        for (StoredSample& stored : samples) {
            SampleResult& s = stored.sample;
            Raw r;
            r.fixed = {cell.hash,
                       k.model,
                       k.context,
                       k.method.empty() ? json(nullptr) : json(k.method),
                       label_of(k, s.extra),
                       k.mode.empty() ? json(nullptr) : json(k.mode),
                       k.retention,
                       k.budget,
                       k.query,
                       k.task,
                       std::string(cell_status_name(cell.status)),
                       s.sample_index,
                       s.sample_id,
                       s.prediction,
                       s.references,
                       s.prompt_tokens,
                       s.output_tokens,
                       timing_label({batched_of(s.extra)}),
                       optional_value(s.prefill_ms),
                       optional_value(s.decode_ms),
                       optional_value(s.total_ms),
                       optional_value(s.peak_bytes),
                       optional_value(s.kv_bytes),
                       optional_value(s.kv_full_entries),
                       optional_value(s.kv_kept_entries),
                       optional_value(s.retention_realised)};
            for (const auto& [name, v] : s.metrics) metric_names.insert(name);
            r.metrics = std::move(s.metrics);
            raw.push_back(std::move(r));
        }
    }
    Table t;
    t.columns = {"cell",
                 "model",
                 "context_length",
                 "method",
                 "method_name",
                 "mode",
                 "retention",
                 "budget",
                 "query",
                 "task",
                 "status",
                 "sample_index",
                 "sample_id",
                 "prediction",
                 "references",
                 "prompt_tokens",
                 "output_tokens",
                 "timing",
                 "prefill_ms",
                 "decode_ms",
                 "total_ms",
                 "peak_bytes",
                 "kv_bytes",
                 "kv_full_entries",
                 "kv_kept_entries",
                 "retention_realised"};
    for (const auto& m : metric_names) t.columns.push_back(m);
    for (auto& r : raw) {
        std::vector<json> row = std::move(r.fixed);
        for (const auto& m : metric_names) {
            const auto it = r.metrics.find(m);
            row.push_back(it == r.metrics.end() || std::isnan(it->second) ? json()
                                                                          : json(it->second));
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::vector<CellSummary> cell_summaries(const std::filesystem::path& db_path, std::uint64_t seed,
                                        bool intervals) {
    detail::Db db = detail::open_results_for_reading(db_path);
    const ResultReader reader(db);
    std::vector<CellSummary> out;
    for (const StoredCell& stored : reader.cells()) {
        CellSummary cell;
        cell.hash = stored.hash;
        const CellKey k = key_of(stored.config, db_path, cell.hash);
        cell.model = k.model;
        if (k.context.is_number()) {
            cell.context_length = json_integer(
                k.context, db_path.string() + ": cell " + cell.hash + ": config.context_length");
        }
        cell.method = k.method;
        cell.mode = k.mode;
        if (k.retention.is_number()) cell.retention = k.retention.get<double>();
        if (k.budget.is_number_integer()) cell.budget = k.budget.get<std::int64_t>();
        cell.query = k.query;
        cell.task = k.task;
        cell.status = cell_status_name(stored.status);
        cell.failure_reason = stored.failure_reason;
        cell.samples_planned = stored.samples_planned;
        cell.method_name = label_of(k, json());
        std::map<std::string, std::pair<double, std::int64_t>> sums;
        const auto add = [&sums](const std::string& name, double v) {
            if (!std::isfinite(v)) return;
            auto& [sum, n] = sums[name];
            sum += v;
            ++n;
        };
        for (const StoredSample& stored_sample : reader.samples(cell.hash)) {
            const SampleResult& s = stored_sample.sample;
            ++cell.samples;
            // A sample's identity for pairing: its id, or its index when it has none.
            std::string id = s.sample_id;
            if (id.empty()) id = std::string("#").append(std::to_string(s.sample_index));
            for (const auto& [name, v] : s.metrics) {
                add("metric:" + name, v);
                if (std::isfinite(v)) cell.observations[name].push_back({id, v});
            }
            for (const auto& [name, v] : {std::pair{"retention_realised", s.retention_realised},
                                          {"prefill_ms", s.prefill_ms},
                                          {"decode_ms", s.decode_ms}}) {
                if (v) add(name, *v);
            }
            if (s.kv_bytes) add("kv_bytes", static_cast<double>(*s.kv_bytes));
            if (s.peak_bytes)
                cell.peak_bytes = std::max(cell.peak_bytes.value_or(0), *s.peak_bytes);
            if (cell.samples == 1) cell.method_name = label_of(k, s.extra);
            cell.batch_sizes.insert(batched_of(s.extra));
        }
        for (const auto& [name, values] : cell.observations) {
            if (!intervals) break;
            if (const auto ci = stats::metric_interval(name, cell.observations, seed)) {
                cell.intervals[name] = *ci;
            }
        }
        for (const auto& [name, sn] : sums) {
            const double mean = sn.first / static_cast<double>(sn.second);
            if (name.rfind("metric:", 0) == 0) {
                cell.metric_means[name.substr(7)] = mean;
            } else {
                cell.means[name] = mean;
            }
        }
        out.push_back(std::move(cell));
    }
    return out;
}

Table cell_table(const std::vector<CellSummary>& cells, std::uint64_t seed) {
    std::set<std::string> metric_names;
    for (const auto& c : cells) {
        for (const auto& [name, v] : c.metric_means) metric_names.insert(name);
    }
    Table t;
    t.columns = {"cell",
                 "model",
                 "context_length",
                 "method",
                 "method_name",
                 "mode",
                 "retention",
                 "task",
                 "status",
                 "failure_reason",
                 "samples_planned",
                 "samples",
                 "retention_realised",
                 "timing",
                 "prefill_ms",
                 "decode_ms",
                 "kv_bytes",
                 "peak_bytes"};
    // The budget axis and the query protocol, right after the retention.
    t.columns.insert(t.columns.begin() + 7, {"budget", "query"});
    for (const auto& m : metric_names) {
        t.columns.insert(t.columns.end(), {m, m + "_ci_low", m + "_ci_high", m + "_n"});
    }
    t.statistics = stats::statistics_description(seed);
    const auto mean = [](const CellSummary& c, const std::string& name) {
        const auto it = c.means.find(name);
        return it == c.means.end() ? json(nullptr) : json(it->second);
    };
    for (const auto& c : cells) {
        std::vector<json> row = {c.hash,
                                 c.model,
                                 c.context_length ? json(*c.context_length) : json(nullptr),
                                 c.method.empty() ? json(nullptr) : json(c.method),
                                 c.method_name,
                                 c.mode.empty() ? json(nullptr) : json(c.mode),
                                 c.retention ? json(*c.retention) : json(nullptr),
                                 c.task,
                                 c.status,
                                 c.failure_reason.empty() ? json(nullptr) : json(c.failure_reason),
                                 c.samples_planned,
                                 c.samples,
                                 mean(c, "retention_realised"),
                                 timing_label(c.batch_sizes),
                                 mean(c, "prefill_ms"),
                                 mean(c, "decode_ms"),
                                 mean(c, "kv_bytes"),
                                 c.peak_bytes ? json(*c.peak_bytes) : json(nullptr)};
        row.insert(row.begin() + 7, {c.budget ? json(*c.budget) : json(nullptr), json(c.query)});
        for (const auto& m : metric_names) {
            const auto it = c.metric_means.find(m);
            row.push_back(it == c.metric_means.end() ? json(nullptr) : json(it->second));
            const auto ci = c.intervals.find(m);
            if (ci == c.intervals.end()) {
                row.insert(row.end(), {json(nullptr), json(nullptr), json(0)});
            } else {
                row.insert(row.end(),
                           {json(ci->second.ci.low), json(ci->second.ci.high), json(ci->second.n)});
            }
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

std::string table_csv(const Table& t) {
    std::string out;
    const auto add_line = [&out](const std::vector<nlohmann::json>& fields) {
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i) out += ',';
            out += csv_field(fields[i]);
        }
        out += '\n';
    };
    add_line(std::vector<nlohmann::json>(t.columns.begin(), t.columns.end()));
    for (const auto& row : t.rows) add_line(row);
    return out;
}

json table_json(const Table& t, const std::string& per) {
    json rows = json::array();
    for (const auto& row : t.rows) {
        json r = json::object();
        for (std::size_t i = 0; i < t.columns.size(); ++i) r[t.columns[i]] = row[i];
        rows.push_back(std::move(r));
    }
    json out = {{"per", per}, {"columns", t.columns}, {"rows", rows}};
    if (!t.statistics.is_null()) out["statistics"] = t.statistics;
    return out;
}

}  // namespace hace::runner
