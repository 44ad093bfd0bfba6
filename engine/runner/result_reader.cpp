#include "engine/runner/result_reader.h"

#include <limits>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

#include "engine/core/error.h"

namespace hace::runner {
namespace {

using detail::ColumnType;
using nlohmann::json;

// A column of a reader query: `source` is "table.column", or the name of a value computed by
// `sql`. A row is read by the name after the dot; errors name the whole source.
struct Column {
    std::string_view source;
    std::string_view sql = {};

    std::string_view name() const {
        const auto dot = source.find('.');
        return dot == std::string_view::npos ? source : source.substr(dot + 1);
    }
};

const char* type_name(ColumnType t) {
    switch (t) {
        case ColumnType::Integer:
            return "an integer";
        case ColumnType::Real:
            return "a real number";
        case ColumnType::Text:
            return "text";
        case ColumnType::Blob:
            return "a blob";
        case ColumnType::Null:
            break;
    }
    return "NULL";
}

std::string select_sql(const std::vector<Column>& columns, std::string_view rest) {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i) sql += ", ";
        sql += columns[i].sql.empty() ? columns[i].source : columns[i].sql;
    }
    return sql.append(" ").append(rest);
}

// A prepared SELECT of named columns; the current row is decoded by column name, with the
// schema's rules on NULL and types (see result_reader.h).
class Query {
public:
    Query(detail::Db& db, std::vector<Column> columns, std::string_view rest, std::string_view what)
        : db_(db),
          columns_(std::move(columns)),
          stmt_(db.prepare(select_sql(columns_, rest), what)) {}

    Query& bind(int i, std::int64_t v) {
        stmt_.bind(i, v);
        return *this;
    }
    Query& bind(int i, std::optional<std::int64_t> v) {
        stmt_.bind(i, v);
        return *this;
    }
    Query& bind(int i, const std::string& v) {
        stmt_.bind(i, std::string_view(v));
        return *this;
    }
    bool step() {
        row_.clear();
        return stmt_.step();
    }
    // Which row this is, for the errors: " of cell <hash> sample 3".
    void name_row(std::string row) { row_ = std::move(row); }

    std::string text(std::string_view name) const {
        return stmt_.column_text(checked(name, false, ColumnType::Text));
    }
    std::optional<std::string> optional_text(std::string_view name) const {
        const int i = checked(name, true, ColumnType::Text);
        if (i < 0) return std::nullopt;
        return stmt_.column_text(i);
    }
    std::int64_t integer(std::string_view name) const {
        return stmt_.column_int(checked(name, false, ColumnType::Integer));
    }
    std::optional<std::int64_t> optional_integer(std::string_view name) const {
        const int i = checked(name, true, ColumnType::Integer);
        if (i < 0) return std::nullopt;
        return stmt_.column_int(i);
    }
    double real(std::string_view name) const {
        return stmt_.column_double(checked(name, false, ColumnType::Real));
    }
    std::optional<double> optional_real(std::string_view name) const {
        const int i = checked(name, true, ColumnType::Real);
        if (i < 0) return std::nullopt;
        return stmt_.column_double(i);
    }
    // A statistic's value: NULL stands for a value that was not a number.
    double real_or_nan(std::string_view name) const {
        return optional_real(name).value_or(std::numeric_limits<double>::quiet_NaN());
    }
    std::string blob(std::string_view name) const {
        return stmt_.column_blob(checked(name, false, ColumnType::Blob));
    }
    template <class T = json>
    T json_value(std::string_view name) const {
        const std::string text = this->text(name);
        try {
            if constexpr (std::is_same_v<T, json>) {
                return json::parse(text);
            } else {
                return json::parse(text).get<T>();
            }
        } catch (const json::exception& e) {
            damaged(name, std::string("is not the JSON this version wrote (") + e.what() + ")");
        }
    }

    [[noreturn]] void damaged(std::string_view name, const std::string& problem) const {
        throw_input(db_.path().string(),
                    "damaged results database: " + std::string(columns_[index(name)].source) +
                        row_ + " " + problem);
    }

private:
    std::size_t index(std::string_view name) const {
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            if (columns_[i].name() == name) return i;
        }
        throw std::logic_error("result reader: no column " + std::string(name) + " selected");
    }

    // The column's index after checking its value's type; -1 for a NULL that `nullable` allows.
    // A real column may hold an integer (SQLite keeps 2.0 as 2 in an expression's result).
    int checked(std::string_view name, bool nullable, ColumnType want) const {
        const int i = static_cast<int>(index(name));
        const ColumnType got = stmt_.column_type(i);
        if (got == ColumnType::Null) {
            if (nullable) return -1;
            damaged(name, "is NULL");
        }
        if (got == want || (want == ColumnType::Real && got == ColumnType::Integer)) return i;
        damaged(name, std::string("holds ") + type_name(got) + ", not " + type_name(want));
    }

    detail::Db& db_;
    std::vector<Column> columns_;
    detail::Statement stmt_;
    std::string row_;
};

std::optional<CellStatus> status_named(std::string_view name) {
    for (const CellStatus s :
         {CellStatus::Pending, CellStatus::Running, CellStatus::Done, CellStatus::Failed}) {
        if (cell_status_name(s) == name) return s;
    }
    return std::nullopt;
}

// Cells in the plan order of the sweeps: a sweep's position, earlier sweeps first.
constexpr std::string_view kPlanOrder =
    "(SELECT min(sc.sweep_id * 1000000000 + sc.position) FROM sweep_cells sc "
    "WHERE sc.cell_hash = cells.hash), cells.hash";
// The most samples any sweep planned for a cell.
constexpr std::string_view kMostPlanned =
    "coalesce((SELECT max(sc.samples) FROM sweep_cells sc WHERE sc.cell_hash = cells.hash), 0)";

std::vector<Column> cell_columns(std::string_view planned) {
    return {{"cells.hash"},
            {"cells.config_json"},
            {"cells.status"},
            {"cells.failure_reason"},
            {"samples_planned", planned},
            {"samples_stored", "(SELECT count(*) FROM samples s WHERE s.cell_hash = cells.hash)"},
            {"mean_retention_realised",
             "(SELECT avg(s.retention_realised) FROM samples s WHERE s.cell_hash = cells.hash)"},
            {"mean_total_ms",
             "(SELECT avg(s.total_ms) FROM samples s WHERE s.cell_hash = cells.hash)"}};
}

StoredCell cell_of(Query& q) {
    StoredCell c;
    c.hash = q.text("hash");
    q.name_row(" of cell " + c.hash);
    c.config = q.json_value("config_json");
    const std::string status = q.text("status");
    const auto s = status_named(status);
    if (!s) q.damaged("status", "is '" + status + "', not pending, running, done or failed");
    c.status = *s;
    c.failure_reason = q.optional_text("failure_reason").value_or("");
    c.samples_planned = q.integer("samples_planned");
    c.samples_stored = q.integer("samples_stored");
    c.mean_retention_realised = q.optional_real("mean_retention_realised");
    c.mean_total_ms = q.optional_real("mean_total_ms");
    return c;
}

std::vector<StoredCell> all_cells(Query& q) {
    std::vector<StoredCell> out;
    while (q.step()) out.push_back(cell_of(q));
    return out;
}

const std::vector<Column>& sample_columns() {
    static const std::vector<Column> columns = {{"samples.id"},
                                                {"samples.cell_hash"},
                                                {"samples.sample_index"},
                                                {"samples.sample_id"},
                                                {"samples.run_id"},
                                                {"samples.prediction"},
                                                {"samples.references_json"},
                                                {"samples.metrics_json"},
                                                {"samples.prompt_tokens"},
                                                {"samples.output_tokens"},
                                                {"samples.prefill_ms"},
                                                {"samples.decode_ms"},
                                                {"samples.total_ms"},
                                                {"samples.peak_bytes"},
                                                {"samples.kv_bytes"},
                                                {"samples.kv_full_entries"},
                                                {"samples.kv_kept_entries"},
                                                {"samples.retention_nominal"},
                                                {"samples.retention_realised"},
                                                {"samples.extra_json"}};
    return columns;
}

// metrics_json: the metrics as the store wrote them, name -> number, or null for NaN.
std::map<std::string, double> metrics_of(const Query& q) {
    const json metrics = q.json_value("metrics_json");
    if (!metrics.is_object()) q.damaged("metrics_json", "is not an object of metric values");
    std::map<std::string, double> out;
    for (const auto& [name, value] : metrics.items()) {
        if (value.is_null()) {
            out[name] = std::numeric_limits<double>::quiet_NaN();
        } else if (value.is_number()) {
            out[name] = value.get<double>();
        } else {
            q.damaged("metrics_json",
                      "holds " + value.dump() + " for metric " + name + ", not a number or null");
        }
    }
    return out;
}

StoredSample sample_of(Query& q) {
    StoredSample out;
    SampleResult& r = out.sample;
    out.row = q.integer("id");
    r.cell_hash = q.text("cell_hash");
    r.sample_index = q.integer("sample_index");
    q.name_row(" of cell " + r.cell_hash + " sample " + std::to_string(r.sample_index));
    r.sample_id = q.text("sample_id");
    r.run_id = q.optional_integer("run_id");
    r.prediction = q.text("prediction");
    r.references = q.json_value("references_json");
    r.metrics = metrics_of(q);
    r.prompt_tokens = q.integer("prompt_tokens");
    r.output_tokens = q.integer("output_tokens");
    r.prefill_ms = q.optional_real("prefill_ms");
    r.decode_ms = q.optional_real("decode_ms");
    r.total_ms = q.optional_real("total_ms");
    r.peak_bytes = q.optional_integer("peak_bytes");
    r.kv_bytes = q.optional_integer("kv_bytes");
    r.kv_full_entries = q.optional_integer("kv_full_entries");
    r.kv_kept_entries = q.optional_integer("kv_kept_entries");
    r.retention_nominal = q.optional_real("retention_nominal");
    r.retention_realised = q.optional_real("retention_realised");
    r.extra = q.json_value("extra_json");
    return out;
}

std::vector<std::int64_t> indices(Query& q) {
    std::vector<std::int64_t> out;
    while (q.step()) out.push_back(q.integer("sample_index"));
    return out;
}

}  // namespace

std::vector<StoredCell> ResultReader::cells() const {
    Query q(db_, cell_columns(kMostPlanned), "FROM cells ORDER BY " + std::string(kPlanOrder),
            "reading the cells");
    return all_cells(q);
}

std::vector<StoredCell> ResultReader::sweep_cells(std::int64_t sweep_id) const {
    Query q(db_, cell_columns("sweep_cells.samples"),
            "FROM sweep_cells JOIN cells ON cells.hash = sweep_cells.cell_hash "
            "WHERE sweep_cells.sweep_id = ? ORDER BY sweep_cells.position",
            "reading the cells of a sweep");
    q.bind(1, sweep_id);
    return all_cells(q);
}

std::optional<StoredCell> ResultReader::cell(const std::string& hash) const {
    Query q(db_, cell_columns(kMostPlanned), "FROM cells WHERE cells.hash = ?", "reading a cell");
    q.bind(1, hash);
    if (!q.step()) return std::nullopt;
    return cell_of(q);
}

std::vector<StoredCell> ResultReader::failed_cells() const {
    Query q(db_, cell_columns(kMostPlanned),
            "FROM cells WHERE cells.status = 'failed' ORDER BY cells.updated_at, cells.hash",
            "listing the failed cells");
    return all_cells(q);
}

std::vector<std::int64_t> ResultReader::sample_indices(const std::string& hash) const {
    Query q(db_, {{"samples.sample_index"}},
            "FROM samples WHERE samples.cell_hash = ? ORDER BY samples.sample_index",
            "reading the stored samples of a cell");
    q.bind(1, hash);
    return indices(q);
}

std::vector<StoredSample> ResultReader::samples(const std::string& hash) const {
    Query q(db_, sample_columns(),
            "FROM samples WHERE samples.cell_hash = ? ORDER BY samples.sample_index",
            "reading the samples of a cell");
    q.bind(1, hash);
    std::vector<StoredSample> out;
    while (q.step()) out.push_back(sample_of(q));
    return out;
}

std::optional<StoredSample> ResultReader::sample(const std::string& hash,
                                                 std::int64_t index) const {
    Query q(db_, sample_columns(),
            "FROM samples WHERE samples.cell_hash = ? AND samples.sample_index = ?",
            "reading a sample");
    q.bind(1, hash).bind(2, index);
    if (!q.step()) return std::nullopt;
    return sample_of(q);
}

std::map<std::string, double> ResultReader::metrics(std::int64_t row) const {
    Query q(db_, {{"metrics.name"}, {"metrics.value"}},
            "FROM metrics WHERE metrics.sample_row = ? ORDER BY metrics.name",
            "reading the metrics of a sample");
    q.bind(1, row);
    std::map<std::string, double> out;
    while (q.step()) out[q.text("name")] = q.real_or_nan("value");
    return out;
}

std::vector<LayerStat> ResultReader::layer_stats(std::int64_t row) const {
    Query q(db_, {{"layer_stats.layer"}, {"layer_stats.name"}, {"layer_stats.value"}},
            "FROM layer_stats WHERE layer_stats.sample_row = ? "
            "ORDER BY layer_stats.layer, layer_stats.name",
            "reading the layer statistics of a sample");
    q.bind(1, row);
    std::vector<LayerStat> out;
    while (q.step()) out.push_back({q.integer("layer"), q.text("name"), q.real_or_nan("value")});
    return out;
}

std::vector<HeadStat> ResultReader::head_stats(std::int64_t row) const {
    Query q(db_,
            {{"head_stats.layer"}, {"head_stats.head"}, {"head_stats.name"}, {"head_stats.value"}},
            "FROM head_stats WHERE head_stats.sample_row = ? "
            "ORDER BY head_stats.layer, head_stats.head, head_stats.name",
            "reading the head statistics of a sample");
    q.bind(1, row);
    std::vector<HeadStat> out;
    while (q.step()) {
        out.push_back(
            {q.integer("layer"), q.integer("head"), q.text("name"), q.real_or_nan("value")});
    }
    return out;
}

std::optional<KeptRecord> ResultReader::kept(const std::string& hash, std::int64_t index) const {
    Query q(db_,
            {{"kept_tokens.query_start"},
             {"kept_tokens.positions"},
             {"kept_tokens.token_ids"},
             {"kept_tokens.token_text"}},
            "FROM kept_tokens JOIN samples ON kept_tokens.sample_row = samples.id "
            "WHERE samples.cell_hash = ? AND samples.sample_index = ?",
            "reading kept positions");
    q.bind(1, hash).bind(2, index);
    if (!q.step()) return std::nullopt;
    q.name_row(" of cell " + hash + " sample " + std::to_string(index));
    KeptRecord k;
    k.query_start = q.optional_integer("query_start");
    try {
        k.positions = decode_kept_positions(q.blob("positions"));
    } catch (const std::invalid_argument& e) {
        q.damaged("positions", std::string("does not decode (") + e.what() + ")");
    }
    k.token_ids = q.json_value<std::vector<std::int32_t>>("token_ids");
    k.token_text = q.json_value<std::vector<std::string>>("token_text");
    if (k.token_text.size() != static_cast<std::size_t>(k.positions.tokens)) {
        q.damaged("token_text", "has " + std::to_string(k.token_text.size()) + " token texts for " +
                                    std::to_string(k.positions.tokens) + " tokens");
    }
    return k;
}

std::vector<std::int64_t> ResultReader::kept_sample_indices(const std::string& hash) const {
    Query q(db_, {{"samples.sample_index"}},
            "FROM kept_tokens JOIN samples ON kept_tokens.sample_row = samples.id "
            "WHERE samples.cell_hash = ? ORDER BY samples.sample_index",
            "reading kept positions");
    q.bind(1, hash);
    return indices(q);
}

std::map<std::string, std::map<std::string, double>> ResultReader::metric_means() const {
    Query q(db_, {{"samples.cell_hash"}, {"metrics.name"}, {"mean", "avg(metrics.value)"}},
            "FROM metrics JOIN samples ON metrics.sample_row = samples.id "
            "WHERE metrics.value IS NOT NULL GROUP BY samples.cell_hash, metrics.name",
            "averaging the metrics");
    std::map<std::string, std::map<std::string, double>> out;
    while (q.step()) out[q.text("cell_hash")][q.text("name")] = q.real("mean");
    return out;
}

std::vector<StoredMetric> ResultReader::metric_values() const {
    Query q(db_,
            {{"samples.cell_hash"},
             {"samples.sample_index"},
             {"samples.sample_id"},
             {"metrics.name"},
             {"metrics.value"}},
            "FROM metrics JOIN samples ON metrics.sample_row = samples.id "
            "WHERE metrics.value IS NOT NULL ORDER BY samples.cell_hash, samples.sample_index",
            "reading the metric values");
    std::vector<StoredMetric> out;
    while (q.step()) {
        out.push_back({q.text("cell_hash"), q.integer("sample_index"), q.text("sample_id"),
                       q.text("name"), q.real("value")});
    }
    return out;
}

std::vector<std::string> ResultReader::head_stat_names(const std::string& hash) const {
    Query q(db_, {{"head_stats.name"}},
            "FROM head_stats JOIN samples ON head_stats.sample_row = samples.id "
            "WHERE samples.cell_hash = ? GROUP BY head_stats.name ORDER BY head_stats.name",
            "reading head statistics");
    q.bind(1, hash);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.text("name"));
    return out;
}

std::vector<HeadStatMean> ResultReader::head_stat_means(
    const std::string& hash, const std::string& stat,
    std::optional<std::int64_t> sample_index) const {
    Query q(db_, {{"head_stats.layer"}, {"head_stats.head"}, {"mean", "avg(head_stats.value)"}},
            "FROM head_stats JOIN samples ON head_stats.sample_row = samples.id "
            "WHERE samples.cell_hash = ? AND head_stats.name = ? "
            "AND (? IS NULL OR samples.sample_index = ?) "
            "GROUP BY head_stats.layer, head_stats.head",
            "reading head statistics");
    q.bind(1, hash).bind(2, stat).bind(3, sample_index).bind(4, sample_index);
    std::vector<HeadStatMean> out;
    while (q.step()) {
        out.push_back({q.integer("layer"), q.integer("head"), q.optional_real("mean")});
    }
    return out;
}

std::map<std::string, std::string> ResultReader::manifest(std::int64_t run_id) const {
    Query q(db_, {{"manifest.key"}, {"manifest.value"}},
            "FROM manifest WHERE manifest.run_id = ? ORDER BY manifest.key",
            "reading the manifest");
    q.bind(1, run_id);
    std::map<std::string, std::string> out;
    while (q.step()) out[q.text("key")] = q.text("value");
    return out;
}

}  // namespace hace::runner
