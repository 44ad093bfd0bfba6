#include "engine/runner/result_store.h"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <type_traits>

#include "engine/core/error.h"
#include "engine/runner/canonical_json.h"
#include "engine/runner/result_schema.h"
#include "engine/runner/result_store_impl.h"
#include "engine/runner/result_store_open.h"

namespace hace::runner {
namespace {

// A JSON column read back from the file. Text that does not parse (or has the wrong shape) is
// a damaged database, named as such, never an internal error (found by fuzz_results_db).
template <class T = nlohmann::json>
T stored_json(const std::filesystem::path& db, const std::string& text, const char* column) {
    try {
        if constexpr (std::is_same_v<T, nlohmann::json>) {
            return nlohmann::json::parse(text);
        } else {
            return nlohmann::json::parse(text).get<T>();
        }
    } catch (const nlohmann::json::exception& e) {
        throw_input(db.string(), std::string("damaged results database: ") + column +
                                     " is not the JSON this version wrote (" + e.what() + ")");
    }
}

using nlohmann::json;
using Lock = std::lock_guard<std::mutex>;

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

std::string short_hash(const std::string& hash) {
    return hash.substr(0, 12);
}

CellStatus status_from_name(const std::string& s) {
    if (s == "running") return CellStatus::Running;
    if (s == "done") return CellStatus::Done;
    if (s == "failed") return CellStatus::Failed;
    return CellStatus::Pending;
}

// 128 random bits as hex: a run id that stays unique when databases are merged.
std::string random_uid() {
    std::random_device rd;
    std::mt19937_64 gen((std::uint64_t(rd()) << 32) ^ rd());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string uid;
    for (int word = 0; word < 2; ++word) {
        std::uint64_t x = gen();
        for (int i = 0; i < 16; ++i, x >>= 4) uid.push_back(kHex[x & 0xf]);
    }
    return uid;
}

std::optional<double> column_optional_double(const detail::Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_double(i);
}

std::optional<std::int64_t> column_optional_int(const detail::Statement& s, int i) {
    if (s.column_is_null(i)) return std::nullopt;
    return s.column_int(i);
}

double column_value(const detail::Statement& s, int i) {
    return s.column_is_null(i) ? std::numeric_limits<double>::quiet_NaN() : s.column_double(i);
}

void insert_sample_row(detail::Db& db, const SampleResult& r, const std::string& what) {
    auto s = db.prepare(
        "INSERT INTO samples(cell_hash, sample_index, sample_id, run_id, prediction, "
        "references_json, metrics_json, prompt_tokens, output_tokens, prefill_ms, decode_ms, "
        "total_ms, peak_bytes, kv_bytes, kv_full_entries, kv_kept_entries, retention_nominal, "
        "retention_realised, extra_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        what);
    json metrics = json::object();
    for (const auto& [name, value] : r.metrics) metrics[name] = value;  // NaN -> null
    s.bind(1, r.cell_hash).bind(2, r.sample_index).bind(3, r.sample_id).bind(4, r.run_id);
    s.bind(5, r.prediction).bind(6, r.references.dump()).bind(7, metrics.dump());
    s.bind(8, r.prompt_tokens).bind(9, r.output_tokens);
    s.bind(10, r.prefill_ms).bind(11, r.decode_ms).bind(12, r.total_ms);
    s.bind(13, r.peak_bytes).bind(14, r.kv_bytes).bind(15, r.kv_full_entries);
    s.bind(16, r.kv_kept_entries).bind(17, r.retention_nominal).bind(18, r.retention_realised);
    s.bind(19, r.extra.dump());
    s.run();
}

void insert_sample_details(detail::Db& db, std::int64_t row, const SampleResult& r,
                           const std::string& what) {
    auto metric = db.prepare("INSERT INTO metrics(sample_row, name, value) VALUES (?,?,?)", what);
    for (const auto& [name, value] : r.metrics) {
        metric.bind(1, row).bind(2, name).bind(3, value);
        metric.run();
        metric.reset();
    }
    auto layer = db.prepare(
        "INSERT INTO layer_stats(sample_row, layer, name, value) VALUES (?,?,?,?)", what);
    for (const auto& st : r.layer_stats) {
        layer.bind(1, row).bind(2, st.layer).bind(3, st.name).bind(4, st.value);
        layer.run();
        layer.reset();
    }
    auto head = db.prepare(
        "INSERT INTO head_stats(sample_row, layer, head, name, value) VALUES (?,?,?,?,?)", what);
    for (const auto& st : r.head_stats) {
        head.bind(1, row).bind(2, st.layer).bind(3, st.head).bind(4, st.name).bind(5, st.value);
        head.run();
        head.reset();
    }
    if (r.kept) {
        auto kept = db.prepare(
            "INSERT INTO kept_tokens(sample_row, tokens, layers, heads, query_start, positions, "
            "token_ids, token_text) VALUES (?,?,?,?,?,?,?,?)",
            what);
        const KeptPositions& k = r.kept->positions;
        kept.bind(1, row).bind(2, k.tokens).bind(3, k.layers).bind(4, k.heads);
        kept.bind(5, r.kept->query_start).bind_blob(6, encode_kept_positions(k));
        kept.bind(7, json(r.kept->token_ids).dump()).bind(8, json(r.kept->token_text).dump());
        kept.run();
    }
}

}  // namespace

std::string_view cell_status_name(CellStatus s) {
    switch (s) {
        case CellStatus::Pending:
            return "pending";
        case CellStatus::Running:
            return "running";
        case CellStatus::Done:
            return "done";
        case CellStatus::Failed:
            return "failed";
    }
    return "pending";
}

ResultStore::ResultStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ResultStore::~ResultStore() = default;
ResultStore::ResultStore(ResultStore&&) noexcept = default;
ResultStore& ResultStore::operator=(ResultStore&&) noexcept = default;

ResultStore ResultStore::open(const std::filesystem::path& path, const StoreOptions& options) {
    return ResultStore(std::make_unique<Impl>(detail::open_results_for_writing(path, options)));
}

const std::filesystem::path& ResultStore::path() const {
    return impl_->db.path();
}

int ResultStore::schema_version() const {
    Lock lock(impl_->mutex);
    return int(impl_->db.query_int("PRAGMA user_version", "reading the schema version"));
}

std::int64_t ResultStore::register_sweep(const std::string& name, const nlohmann::json& spec) {
    Lock lock(impl_->mutex);
    const std::string what = "registering sweep " + name;
    const std::string hash = config_hash(spec);
    auto insert = impl_->db.prepare(
        "INSERT INTO sweeps(name, spec_hash, spec_json) VALUES (?,?,?) "
        "ON CONFLICT(spec_hash) DO NOTHING",
        what);
    insert.bind(1, name).bind(2, hash).bind(3, canonical_json(spec)).run();
    auto find = impl_->db.prepare("SELECT id FROM sweeps WHERE spec_hash = ?", what);
    find.bind(1, hash);
    if (!find.step()) throw std::runtime_error(path().string() + ": sweep row vanished");
    return find.column_int(0);
}

std::int64_t ResultStore::start_run(std::int64_t sweep_id, const nlohmann::json& manifest) {
    Lock lock(impl_->mutex);
    const std::string what = "starting a run of sweep " + std::to_string(sweep_id);
    if (!manifest.is_object()) throw std::invalid_argument("start_run: manifest must be an object");
    detail::Db& db = impl_->db;
    detail::Transaction tx(db, what);
    auto run = db.prepare("INSERT INTO runs(uid, sweep_id) VALUES (?,?)", what);
    run.bind(1, random_uid()).bind(2, sweep_id).run();
    const std::int64_t run_id = db.last_insert_rowid();
    auto entry = db.prepare("INSERT INTO manifest(run_id, key, value) VALUES (?,?,?)", what);
    for (const auto& [key, value] : manifest.items()) {
        entry.bind(1, run_id).bind(2, key);
        entry.bind(3, value.is_string() ? value.get<std::string>() : value.dump());
        entry.run();
        entry.reset();
    }
    tx.commit();
    return run_id;
}

std::map<std::string, std::string> ResultStore::manifest(std::int64_t run_id) const {
    Lock lock(impl_->mutex);
    auto s = impl_->db.prepare("SELECT key, value FROM manifest WHERE run_id = ? ORDER BY key",
                               "reading the manifest");
    s.bind(1, run_id);
    std::map<std::string, std::string> out;
    while (s.step()) out[s.column_text(0)] = s.column_text(1);
    return out;
}

std::vector<std::string> ResultStore::add_cells(std::int64_t sweep_id,
                                                const std::vector<CellRecord>& cells) {
    Lock lock(impl_->mutex);
    const std::string what = "registering the cells of sweep " + std::to_string(sweep_id);
    detail::Db& db = impl_->db;
    detail::Transaction tx(db, what);
    auto cell = db.prepare(
        "INSERT INTO cells(hash, config_json) VALUES (?,?) ON CONFLICT(hash) DO NOTHING", what);
    auto link = db.prepare(
        "INSERT INTO sweep_cells(sweep_id, cell_hash, position, samples) VALUES (?,?,?,?) "
        "ON CONFLICT(sweep_id, cell_hash) DO UPDATE SET position = excluded.position, "
        "samples = excluded.samples",
        what);
    std::vector<std::string> hashes;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string text = canonical_json(cells[i].config);
        hashes.push_back(config_hash(cells[i].config));
        cell.bind(1, hashes.back()).bind(2, text).run();
        cell.reset();
        link.bind(1, sweep_id).bind(2, hashes.back()).bind(3, std::int64_t(i));
        link.bind(4, cells[i].samples).run();
        link.reset();
    }
    tx.commit();
    return hashes;
}

std::vector<CellProgress> ResultStore::sweep_progress(std::int64_t sweep_id) const {
    Lock lock(impl_->mutex);
    auto s = impl_->db.prepare(
        "SELECT c.hash, c.status, sc.samples, "
        "(SELECT count(*) FROM samples s WHERE s.cell_hash = c.hash), "
        "coalesce(c.failure_reason, '') FROM sweep_cells sc JOIN cells c ON c.hash = sc.cell_hash "
        "WHERE sc.sweep_id = ? ORDER BY sc.position",
        "reading the progress of a sweep");
    s.bind(1, sweep_id);
    std::vector<CellProgress> out;
    while (s.step()) {
        out.push_back({s.column_text(0), status_from_name(s.column_text(1)), s.column_int(2),
                       s.column_int(3), s.column_text(4)});
    }
    return out;
}

CellStatus ResultStore::cell_status(const std::string& hash) const {
    Lock lock(impl_->mutex);
    auto s = impl_->db.prepare("SELECT status FROM cells WHERE hash = ?", "reading a cell");
    s.bind(1, hash);
    if (!s.step()) throw std::invalid_argument(path().string() + ": unknown cell " + hash);
    return status_from_name(s.column_text(0));
}

nlohmann::json ResultStore::cell_config(const std::string& hash) const {
    Lock lock(impl_->mutex);
    auto s = impl_->db.prepare("SELECT config_json FROM cells WHERE hash = ?", "reading a cell");
    s.bind(1, hash);
    if (!s.step()) throw std::invalid_argument(path().string() + ": unknown cell " + hash);
    return stored_json(path(), s.column_text(0), "cells.config_json");
}

WriteOutcome ResultStore::write_sample(const SampleResult& r) {
    Lock lock(impl_->mutex);
    const std::string what =
        "writing sample " + std::to_string(r.sample_index) + " of cell " + short_hash(r.cell_hash);
    detail::Db& db = impl_->db;
    detail::Transaction tx(db, what);
    auto cell = db.prepare("SELECT 1 FROM cells WHERE hash = ?", what);
    cell.bind(1, r.cell_hash);
    if (!cell.step()) throw std::invalid_argument(path().string() + ": " + what + ": unknown cell");
    auto stored =
        db.prepare("SELECT 1 FROM samples WHERE cell_hash = ? AND sample_index = ?", what);
    stored.bind(1, r.cell_hash).bind(2, r.sample_index);
    if (stored.step()) return WriteOutcome::Duplicate;  // the guard rolls back (nothing written)
    insert_sample_row(db, r, what);
    insert_sample_details(db, db.last_insert_rowid(), r, what);
    auto touch =
        db.prepare(std::string("UPDATE cells SET updated_at = ") + kNow + " WHERE hash = ?", what);
    touch.bind(1, r.cell_hash).run();
    tx.commit();
    return WriteOutcome::Written;
}

std::vector<std::int64_t> ResultStore::done_samples(const std::string& hash) const {
    Lock lock(impl_->mutex);
    auto s = impl_->db.prepare(
        "SELECT sample_index FROM samples WHERE cell_hash = ? ORDER BY sample_index",
        "reading the stored samples of a cell");
    s.bind(1, hash);
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.column_int(0));
    return out;
}

std::optional<SampleResult> ResultStore::read_sample(const std::string& hash,
                                                     std::int64_t index) const {
    Lock lock(impl_->mutex);
    const std::string what = "reading a sample";
    detail::Db& db = impl_->db;
    auto s = db.prepare(
        "SELECT id, sample_id, run_id, prediction, references_json, prompt_tokens, "
        "output_tokens, prefill_ms, decode_ms, total_ms, peak_bytes, kv_bytes, kv_full_entries, "
        "kv_kept_entries, retention_nominal, retention_realised, extra_json FROM samples "
        "WHERE cell_hash = ? AND sample_index = ?",
        what);
    s.bind(1, hash).bind(2, index);
    if (!s.step()) return std::nullopt;
    SampleResult r;
    const std::int64_t row = s.column_int(0);
    r.cell_hash = hash;
    r.sample_index = index;
    r.sample_id = s.column_text(1);
    r.run_id = column_optional_int(s, 2);
    r.prediction = s.column_text(3);
    r.references = stored_json(db.path(), s.column_text(4), "samples.references_json");
    r.prompt_tokens = s.column_int(5);
    r.output_tokens = s.column_int(6);
    r.prefill_ms = column_optional_double(s, 7);
    r.decode_ms = column_optional_double(s, 8);
    r.total_ms = column_optional_double(s, 9);
    r.peak_bytes = column_optional_int(s, 10);
    r.kv_bytes = column_optional_int(s, 11);
    r.kv_full_entries = column_optional_int(s, 12);
    r.kv_kept_entries = column_optional_int(s, 13);
    r.retention_nominal = column_optional_double(s, 14);
    r.retention_realised = column_optional_double(s, 15);
    r.extra = stored_json(db.path(), s.column_text(16), "samples.extra_json");
    auto m = db.prepare("SELECT name, value FROM metrics WHERE sample_row = ? ORDER BY name", what);
    m.bind(1, row);
    while (m.step()) r.metrics[m.column_text(0)] = column_value(m, 1);
    auto l = db.prepare(
        "SELECT layer, name, value FROM layer_stats WHERE sample_row = ? ORDER BY layer, name",
        what);
    l.bind(1, row);
    while (l.step())
        r.layer_stats.push_back({l.column_int(0), l.column_text(1), column_value(l, 2)});
    auto h = db.prepare(
        "SELECT layer, head, name, value FROM head_stats WHERE sample_row = ? "
        "ORDER BY layer, head, name",
        what);
    h.bind(1, row);
    while (h.step()) {
        r.head_stats.push_back(
            {h.column_int(0), h.column_int(1), h.column_text(2), column_value(h, 3)});
    }
    auto k = db.prepare(
        "SELECT query_start, positions, token_ids, token_text FROM kept_tokens "
        "WHERE sample_row = ?",
        what);
    k.bind(1, row);
    if (k.step()) {
        KeptRecord kept;
        kept.query_start = column_optional_int(k, 0);
        kept.positions = decode_kept_positions(k.column_blob(1));
        kept.token_ids = stored_json<std::vector<std::int32_t>>(db.path(), k.column_text(2),
                                                                "kept_tokens.token_ids");
        kept.token_text = stored_json<std::vector<std::string>>(db.path(), k.column_text(3),
                                                                "kept_tokens.token_text");
        r.kept = std::move(kept);
    }
    return r;
}

namespace {

void set_status(detail::Db& db, const std::string& hash, CellStatus status,
                const std::optional<std::string>& reason, bool clear_reason) {
    const std::string what =
        "marking cell " + short_hash(hash) + " " + std::string(cell_status_name(status));
    std::string sql = std::string("UPDATE cells SET status = ?, updated_at = ") + kNow;
    if (reason || clear_reason) sql += ", failure_reason = ?3";
    sql += " WHERE hash = ?2";
    auto s = db.prepare(sql, what);
    s.bind(1, cell_status_name(status)).bind(2, hash);
    if (reason)
        s.bind(3, *reason);
    else if (clear_reason)
        s.bind_null(3);
    s.run();
    if (db.changes() == 0)
        throw std::invalid_argument(db.path().string() + ": unknown cell " + hash);
}

}  // namespace

void ResultStore::mark_cell_running(const std::string& hash) {
    Lock lock(impl_->mutex);
    set_status(impl_->db, hash, CellStatus::Running, std::nullopt, false);
}

void ResultStore::mark_cell_done(const std::string& hash) {
    Lock lock(impl_->mutex);
    set_status(impl_->db, hash, CellStatus::Done, std::nullopt, true);
}

void ResultStore::mark_cell_failed(const std::string& hash, const std::string& reason) {
    Lock lock(impl_->mutex);
    set_status(impl_->db, hash, CellStatus::Failed, reason, false);
}

std::vector<FailedCell> ResultStore::failed_cells() const {
    Lock lock(impl_->mutex);
    auto s = impl_->db.prepare(
        "SELECT hash, coalesce(failure_reason, '') FROM cells WHERE status = 'failed' "
        "ORDER BY updated_at, hash",
        "listing the failed cells");
    std::vector<FailedCell> out;
    while (s.step()) out.push_back({s.column_text(0), s.column_text(1)});
    return out;
}

std::int64_t ResultStore::reset_failed() {
    Lock lock(impl_->mutex);
    impl_->db.exec(std::string("UPDATE cells SET status = 'pending', updated_at = ") + kNow +
                       " WHERE status = 'failed'",
                   "resetting the failed cells");
    return impl_->db.changes();
}

StoreCounts ResultStore::counts() const {
    Lock lock(impl_->mutex);
    detail::Db& db = impl_->db;
    auto count = [&db](const char* table) {
        return db.query_int(std::string("SELECT count(*) FROM ") + table, "counting rows");
    };
    return {count("sweeps"),  count("runs"),        count("cells"),      count("samples"),
            count("metrics"), count("layer_stats"), count("head_stats"), count("kept_tokens")};
}

}  // namespace hace::runner
