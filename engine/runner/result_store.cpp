#include "engine/runner/result_store.h"

#include <random>
#include <stdexcept>

#include "engine/runner/canonical_json.h"
#include "engine/runner/result_reader.h"
#include "engine/runner/result_schema.h"
#include "engine/runner/result_store_impl.h"
#include "engine/runner/result_store_open.h"

namespace hace::runner {
namespace {

using nlohmann::json;
using Lock = std::lock_guard<std::mutex>;

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

std::string short_hash(const std::string& hash) {
    return hash.substr(0, 12);
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
    return ResultReader(impl_->db).manifest(run_id);
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
    std::vector<CellProgress> out;
    for (StoredCell& c : ResultReader(impl_->db).sweep_cells(sweep_id)) {
        out.push_back({std::move(c.hash), c.status, c.samples_planned, c.samples_stored,
                       std::move(c.failure_reason)});
    }
    return out;
}

CellStatus ResultStore::cell_status(const std::string& hash) const {
    Lock lock(impl_->mutex);
    const auto c = ResultReader(impl_->db).cell(hash);
    if (!c) throw std::invalid_argument(path().string() + ": unknown cell " + hash);
    return c->status;
}

nlohmann::json ResultStore::cell_config(const std::string& hash) const {
    Lock lock(impl_->mutex);
    auto c = ResultReader(impl_->db).cell(hash);
    if (!c) throw std::invalid_argument(path().string() + ": unknown cell " + hash);
    return std::move(c->config);
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
    return ResultReader(impl_->db).sample_indices(hash);
}

// The metrics come from the metrics table (the copy SQL users query), the rest of the row from
// the samples table.
std::optional<SampleResult> ResultStore::read_sample(const std::string& hash,
                                                     std::int64_t index) const {
    Lock lock(impl_->mutex);
    const ResultReader reader(impl_->db);
    auto stored = reader.sample(hash, index);
    if (!stored) return std::nullopt;
    SampleResult r = std::move(stored->sample);
    r.metrics = reader.metrics(stored->row);
    r.layer_stats = reader.layer_stats(stored->row);
    r.head_stats = reader.head_stats(stored->row);
    r.kept = reader.kept(hash, index);
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
    std::vector<FailedCell> out;
    for (StoredCell& c : ResultReader(impl_->db).failed_cells()) {
        out.push_back({std::move(c.hash), std::move(c.failure_reason)});
    }
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
