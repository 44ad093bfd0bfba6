#include "engine/runner/result_store_open.h"

#include <algorithm>
#include <fstream>
#include <string>

#include <sqlite3.h>
#include <unistd.h>

#include "engine/core/error.h"
#include "engine/runner/result_schema.h"

namespace hace::runner::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};

// Refuses what SQLite must not even open: a folder, a device, a non-SQLite file.
void check_existing_file(const fs::path& path) {
    std::error_code ec;
    const auto st = fs::status(path, ec);
    if (fs::is_directory(st)) throw_input(path.string(), "is a folder, not a results database");
    if (!fs::is_regular_file(st)) throw_input(path.string(), "is not a regular file");
    if (fs::file_size(path, ec) == 0) return;  // nothing to lose: SQLite treats it as empty
    std::ifstream in(path, std::ios::binary);
    if (!in) throw_input(path.string(), "cannot read the file");
    std::string header(kSqliteMagic.size(), '\0');
    in.read(header.data(), std::streamsize(header.size()));
    if (header != kSqliteMagic) {
        throw_input(path.string(),
                    "not a SQLite database (no SQLite header); refusing to open or overwrite it");
    }
}

// The folder must take SQLite's -wal and -shm files, and the file must be writable.
void check_writable_location(const fs::path& path, bool exists) {
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::exists(folder, ec))
        throw_input(path.string(), "folder does not exist: " + folder.string());
    if (!fs::is_directory(folder, ec))
        throw_input(path.string(), "not a folder: " + folder.string());
    if (::access(folder.c_str(), W_OK) != 0) {
        throw_input(path.string(), "cannot write in folder " + folder.string() +
                                       " (read-only folder; the database and its journal need it)");
    }
    if (exists && ::access(path.c_str(), W_OK) != 0) {
        throw_input(path.string(), "cannot write: read-only file");
    }
}

// Verifies an existing HACE database; returns its schema version. `fresh` is set instead for
// an empty SQLite database (no tables, no ids), which is ours to initialise.
int verify_results_db(Db& db, bool& fresh) {
    const std::string file = db.path().string();
    const auto app = db.query_int("PRAGMA application_id", "reading the application id");
    const auto version = db.query_int("PRAGMA user_version", "reading the schema version");
    const auto objects = db.query_int("SELECT count(*) FROM sqlite_master", "listing the tables");
    fresh = app == 0 && version == 0 && objects == 0;
    if (fresh) return 0;
    const std::string check =
        db.query_text("PRAGMA quick_check", "checking the file (quick_check)");
    if (check != "ok") throw_input(file, "damaged database (quick_check: " + check + ")");
    if (app != kApplicationId) {
        throw_input(file, "a SQLite database of another program (application_id " +
                              std::to_string(app) + ", " + std::to_string(objects) +
                              " schema objects), not a HACE results database; refusing to use it");
    }
    if (version > kSchemaVersion) {
        throw_input(file, "results schema version " + std::to_string(version) +
                              " is newer than this hace supports (version " +
                              std::to_string(kSchemaVersion) + "); use a newer hace");
    }
    if (version < 1) throw_input(file, "HACE database without a schema version; damaged");
    // An older file must hold exactly its own version's tables before it is migrated: one that
    // already has a later version's table (a damaged or hand-edited user_version) would fail
    // half-way through the migration (found by fuzz_results_db).
    const auto own = schema_tables(int(version));
    for (const auto table : schema_tables()) {
        // Any object of that name counts: an index or view named like a later table would stop
        // its CREATE TABLE just the same.
        auto s = db.prepare(
            "SELECT count(*), count(CASE WHEN type = 'table' THEN 1 END) "
            "FROM sqlite_master WHERE name = ?",
            "listing the tables");
        s.bind(1, table);
        const bool step = s.step();
        const bool named = step && s.column_int(0) > 0;
        const bool is_table = step && s.column_int(1) > 0;
        const bool expected = std::find(own.begin(), own.end(), table) != own.end();
        if (expected && !is_table) {
            throw_input(file, "damaged database: table " + std::string(table) + " is missing");
        }
        if (!expected && named) {
            throw_input(file, "damaged database: schema version " + std::to_string(version) +
                                  " but it already has " + std::string(table) +
                                  ", a table of a later version");
        }
    }
    return int(version);
}

}  // namespace

Db open_results_for_writing(const std::filesystem::path& path, const StoreOptions& options) {
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (exists) check_existing_file(path);
    check_writable_location(path, exists);
    int version = 0;
    if (exists && fs::file_size(path, ec) > 0) {
        // Verified on a read-only connection first, so that a file that is not ours is never
        // written, not even by a checkpoint when our connection closes.
        Db check(path, SQLITE_OPEN_READONLY);
        sqlite3_busy_timeout(check.handle(), options.busy_timeout_ms);
        bool fresh = false;
        version = verify_results_db(check, fresh);
    }
    Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI);
    sqlite3_busy_timeout(db.handle(), options.busy_timeout_ms);
    db.exec("PRAGMA journal_mode = WAL", "switching to WAL mode");
    db.exec("PRAGMA foreign_keys = ON", "enabling foreign keys");
    db.exec("PRAGMA synchronous = FULL", "setting synchronous writes");
    if (options.max_page_count > 0) {
        db.exec("PRAGMA max_page_count = " + std::to_string(options.max_page_count),
                "limiting the database size");
    }
    if (version < kSchemaVersion) migrate(db, version);
    return db;
}

Db open_results_for_reading(const std::filesystem::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw_input(path.string(), "no such file");
    check_existing_file(path);
    Db db(path, SQLITE_OPEN_READONLY);
    bool fresh = false;
    const int version = verify_results_db(db, fresh);
    if (fresh) throw_input(path.string(), "empty database, not a HACE results database");
    if (version != kSchemaVersion) {
        throw_input(path.string(), "results schema version " + std::to_string(version) +
                                       " differs from this hace's (" +
                                       std::to_string(kSchemaVersion) +
                                       "); open it once with `hace run` to upgrade it");
    }
    return db;
}

}  // namespace hace::runner::detail
