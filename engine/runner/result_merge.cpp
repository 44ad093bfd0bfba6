#include "engine/runner/result_merge.h"

#include <string>
#include <vector>

#include <sqlite3.h>

#include "engine/core/error.h"
#include "engine/runner/db_lock.h"
#include "engine/runner/result_store_impl.h"
#include "engine/runner/result_store_open.h"

namespace hace::runner {
namespace {

namespace fs = std::filesystem;
using Lock = std::lock_guard<std::mutex>;

// Order of cell states when two databases disagree: the more advanced one wins.
std::string rank_of(const std::string& column) {
    return "CASE " + column +
           " WHEN 'done' THEN 3 WHEN 'failed' THEN 2 WHEN 'running' THEN 1 ELSE 0 END";
}

// The sample columns copied as they are (id and run_id are remapped, cell and index are keys).
const std::vector<std::string>& plain_sample_columns() {
    static const std::vector<std::string> cols = {
        "sample_id",       "prediction",        "references_json",    "metrics_json",
        "prompt_tokens",   "output_tokens",     "prefill_ms",         "decode_ms",
        "total_ms",        "peak_bytes",        "kv_bytes",           "kv_full_entries",
        "kv_kept_entries", "retention_nominal", "retention_realised", "extra_json",
        "created_at"};
    return cols;
}

std::string column_list(const std::string& alias) {
    std::string out;
    for (const auto& c : plain_sample_columns()) {
        if (!out.empty()) out.append(", ");
        if (!alias.empty()) out.append(alias).append(".");
        out.append(c);
    }
    return out;
}

// SQLite URI of a file opened read-only: %, ? and # in the path must be escaped.
std::string read_only_uri(const fs::path& path) {
    std::string uri = "file:";
    for (const char c : path.string()) {
        if (c == '%')
            uri += "%25";
        else if (c == '?')
            uri += "%3f";
        else if (c == '#')
            uri += "%23";
        else
            uri += c;
    }
    return uri + "?mode=ro";
}

// Detaches the input when the merge ends, also after an error (the transaction guard, declared
// later, has rolled back by then).
struct Detach {
    detail::Db& db;
    ~Detach() { sqlite3_exec(db.handle(), "DETACH DATABASE src", nullptr, nullptr, nullptr); }
};

bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code ec;
    return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

// The statements of one merge, on a connection with the input attached as "src".
MergeCounts copy_attached(detail::Db& db, const std::string& what) {
    MergeCounts counts;
    const auto conflicts = db.query_int(
        "SELECT count(*) FROM src.cells s JOIN main.cells m ON m.hash = s.hash "
        "WHERE m.config_json <> s.config_json",
        what);
    if (conflicts > 0) {
        throw_input(what, std::to_string(conflicts) +
                              " cells have the same key but a different config; refusing to merge");
    }
    db.exec(
        "INSERT OR IGNORE INTO main.sweeps(name, spec_hash, spec_json, created_at) "
        "SELECT name, spec_hash, spec_json, created_at FROM src.sweeps ORDER BY id",
        what);
    db.exec(
        "INSERT OR IGNORE INTO main.runs(uid, sweep_id, started_at) "
        "SELECT r.uid, ms.id, r.started_at FROM src.runs r "
        "JOIN src.sweeps ss ON ss.id = r.sweep_id JOIN main.sweeps ms ON ms.spec_hash = "
        "ss.spec_hash "
        "ORDER BY r.id",
        what);
    db.exec(
        "INSERT OR IGNORE INTO main.manifest(run_id, key, value) "
        "SELECT mr.id, x.key, x.value FROM src.manifest x "
        "JOIN src.runs sr ON sr.id = x.run_id JOIN main.runs mr ON mr.uid = sr.uid",
        what);
    counts.cells = db.query_int(
        "SELECT count(*) FROM src.cells WHERE hash NOT IN (SELECT hash FROM main.cells)", what);
    db.exec(
        "INSERT OR IGNORE INTO main.cells(hash, config_json, status, failure_reason, "
        "created_at, updated_at) SELECT hash, config_json, status, failure_reason, created_at, "
        "updated_at FROM src.cells",
        what);
    db.exec(
        "UPDATE main.cells SET status = s.status, failure_reason = s.failure_reason, "
        "updated_at = s.updated_at FROM src.cells s WHERE s.hash = cells.hash AND " +
            rank_of("s.status") + " > " + rank_of("cells.status"),
        what);
    db.exec(
        "INSERT OR IGNORE INTO main.sweep_cells(sweep_id, cell_hash, position, samples) "
        "SELECT ms.id, sc.cell_hash, sc.position, sc.samples FROM src.sweep_cells sc "
        "JOIN src.sweeps ss ON ss.id = sc.sweep_id JOIN main.sweeps ms ON ms.spec_hash = "
        "ss.spec_hash",
        what);
    db.exec(
        "CREATE TEMP TABLE merge_new AS SELECT s.id AS src_id FROM src.samples s "
        "WHERE NOT EXISTS (SELECT 1 FROM main.samples m "
        "WHERE m.cell_hash = s.cell_hash AND m.sample_index = s.sample_index)",
        what);
    counts.samples = db.query_int("SELECT count(*) FROM temp.merge_new", what);
    counts.duplicates_skipped =
        db.query_int("SELECT count(*) FROM src.samples", what) - counts.samples;
    db.exec("INSERT INTO main.samples(cell_hash, sample_index, run_id, " + column_list("") +
                ") SELECT s.cell_hash, s.sample_index, (SELECT mr.id FROM src.runs sr "
                "JOIN main.runs mr ON mr.uid = sr.uid WHERE sr.id = s.run_id), " +
                column_list("s") +
                " FROM src.samples s JOIN temp.merge_new n ON n.src_id = s.id ORDER BY s.id",
            what);
    db.exec(
        "CREATE TEMP TABLE merge_map AS SELECT s.id AS src_id, m.id AS dst_id "
        "FROM src.samples s JOIN temp.merge_new n ON n.src_id = s.id "
        "JOIN main.samples m ON m.cell_hash = s.cell_hash AND m.sample_index = s.sample_index",
        what);
    db.exec(
        "INSERT INTO main.metrics(sample_row, name, value) SELECT mm.dst_id, x.name, x.value "
        "FROM src.metrics x JOIN temp.merge_map mm ON mm.src_id = x.sample_row",
        what);
    db.exec(
        "INSERT INTO main.layer_stats(sample_row, layer, name, value) "
        "SELECT mm.dst_id, x.layer, x.name, x.value "
        "FROM src.layer_stats x JOIN temp.merge_map mm ON mm.src_id = x.sample_row",
        what);
    db.exec(
        "INSERT INTO main.head_stats(sample_row, layer, head, name, value) "
        "SELECT mm.dst_id, x.layer, x.head, x.name, x.value "
        "FROM src.head_stats x JOIN temp.merge_map mm ON mm.src_id = x.sample_row",
        what);
    db.exec(
        "INSERT INTO main.kept_tokens(sample_row, tokens, layers, heads, query_start, positions, "
        "token_ids, token_text) SELECT mm.dst_id, x.tokens, x.layers, x.heads, x.query_start, "
        "x.positions, x.token_ids, x.token_text "
        "FROM src.kept_tokens x JOIN temp.merge_map mm ON mm.src_id = x.sample_row",
        what);
    db.exec("DROP TABLE temp.merge_new; DROP TABLE temp.merge_map", what);
    return counts;
}

}  // namespace

MergeCounts ResultStore::merge_from(const std::filesystem::path& input) {
    if (same_file(input, path())) throw_input(input.string(), "is the output database itself");
    { detail::Db check = detail::open_results_for_reading(input); }
    Lock lock(impl_->mutex);
    detail::Db& db = impl_->db;
    const std::string what = "merging " + input.string();
    auto attach = db.prepare("ATTACH DATABASE ? AS src", what);
    attach.bind(1, read_only_uri(input));
    attach.run();
    const Detach detach{db};
    detail::Transaction tx(db, what);
    const MergeCounts counts = copy_attached(db, input.string());
    tx.commit();
    return counts;
}

MergeCounts merge_databases(const std::filesystem::path& out,
                            const std::vector<std::filesystem::path>& inputs,
                            const StoreOptions& options) {
    for (const auto& in : inputs) {
        if (same_file(in, out)) throw_input(in.string(), "is the output database itself");
        detail::Db check = detail::open_results_for_reading(in);
    }
    const DbWriterLock lock = DbWriterLock::acquire(out);  // no run writes it meanwhile
    ResultStore store = ResultStore::open(out, options);
    MergeCounts total;
    for (const auto& in : inputs) {
        const MergeCounts c = store.merge_from(in);
        total.cells += c.cells;
        total.samples += c.samples;
        total.duplicates_skipped += c.duplicates_skipped;
    }
    return total;
}

}  // namespace hace::runner
