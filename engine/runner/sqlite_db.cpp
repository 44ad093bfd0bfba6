#include "engine/runner/sqlite_db.h"

#include <cerrno>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <sqlite3.h>

#include "engine/core/error.h"

namespace hace::runner::detail {
namespace {

// The error of a call that failed on connection db (which may be null after a failed open).
[[noreturn]] void throw_for(sqlite3* db, const std::filesystem::path& path, int rc,
                            std::string_view what) {
    const std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    const int sys = db ? sqlite3_system_errno(db) : 0;
    const std::string file = path.string();
    const std::string action(what);
    const int primary = rc & 0xff;
    // errno is only meaningful right after a failed system call.
    const bool io = primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN;
    if (primary == SQLITE_FULL || (io && sys == ENOSPC)) {
        throw_input(file,
                    "disk full while " + action + " (" + detail + "); nothing of it was written");
    }
    if (primary == SQLITE_READONLY || primary == SQLITE_PERM ||
        (io && (sys == EROFS || sys == EACCES || sys == EPERM))) {
        throw_input(file,
                    "cannot write while " + action + ": read-only file or folder (" + detail + ")");
    }
    if (primary == SQLITE_CANTOPEN) {
        throw_input(file, "cannot open the database while " + action + " (" + detail + ")");
    }
    // A header whose schema format number SQLite does not know (damaged, or not ours) comes as a
    // plain SQLITE_ERROR with this message.
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT ||
        (primary == SQLITE_ERROR && detail == "unsupported file format")) {
        throw_input(file, "damaged or not a SQLite database (" + detail + "); refusing to use it");
    }
    // A file that is ours by its tables but lacks a column or table this version reads (a schema
    // edited by hand, or bytes damaged inside sqlite_master) fails only when a statement is
    // prepared; found by fuzz_results_db.
    if (primary == SQLITE_ERROR &&
        (detail.starts_with("no such column:") || detail.starts_with("no such table:"))) {
        throw_input(file, "damaged results database: its schema lacks what " + action + " needs (" +
                              detail + "); refusing to use it");
    }
    throw std::runtime_error(file + ": SQLite error while " + action + ": " + detail);
}

}  // namespace

Db::Db(const std::filesystem::path& path, int flags) : path_(path) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3* failed = db_;
        db_ = nullptr;
        const std::string detail = failed ? sqlite3_errmsg(failed) : sqlite3_errstr(rc);
        if (failed) sqlite3_close_v2(failed);
        throw_for(nullptr, path, rc, "opening (" + detail + ")");
    }
    sqlite3_extended_result_codes(db_, 1);
}

Db::~Db() {
    if (db_) sqlite3_close_v2(db_);
}

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Db& Db::operator=(Db&& other) noexcept {
    if (this != &other) {
        if (db_) sqlite3_close_v2(db_);
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
    }
    return *this;
}

void Db::fail(int rc, std::string_view what) const {
    throw_for(db_, path_, rc, what);
}

void Db::exec(std::string_view sql, std::string_view what) {
    const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, what);
}

Statement Db::prepare(std::string_view sql, std::string_view what) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) fail(rc, what);
    return Statement(*this, stmt, std::string(what));
}

std::int64_t Db::query_int(std::string_view sql, std::string_view what) {
    Statement s = prepare(sql, what);
    return s.step() ? s.column_int(0) : 0;
}

std::string Db::query_text(std::string_view sql, std::string_view what) {
    Statement s = prepare(sql, what);
    return s.step() ? s.column_text(0) : std::string();
}

std::int64_t Db::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}
std::int64_t Db::changes() const {
    return sqlite3_changes(db_);
}
bool Db::in_transaction() const {
    return sqlite3_get_autocommit(db_) == 0;
}

Statement::Statement(Db& db, sqlite3_stmt* stmt, std::string what)
    : db_(&db), stmt_(stmt), what_(std::move(what)) {}

Statement::~Statement() {
    if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), what_(std::move(other.what_)) {}

Statement& Statement::bind(int i, std::int64_t v) {
    if (const int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) db_->fail(rc, what_);
    return *this;
}

Statement& Statement::bind(int i, double v) {
    if (!std::isfinite(v)) return bind_null(i);
    if (const int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK) db_->fail(rc, what_);
    return *this;
}

Statement& Statement::bind(int i, std::string_view v) {
    if (v.data() == nullptr) v = std::string_view("", 0);  // a null pointer would bind NULL
    const int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_->fail(rc, what_);
    return *this;
}

Statement& Statement::bind(int i, std::optional<double> v) {
    return v ? bind(i, *v) : bind_null(i);
}

Statement& Statement::bind(int i, std::optional<std::int64_t> v) {
    return v ? bind(i, *v) : bind_null(i);
}

Statement& Statement::bind_blob(int i, std::string_view bytes) {
    const int rc = sqlite3_bind_blob64(stmt_, i, bytes.empty() ? "" : bytes.data(), bytes.size(),
                                       SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_->fail(rc, what_);
    return *this;
}

Statement& Statement::bind_null(int i) {
    if (const int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) db_->fail(rc, what_);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_->fail(rc, what_);
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int i) const {
    return sqlite3_column_int64(stmt_, i);
}
double Statement::column_double(int i) const {
    return sqlite3_column_double(stmt_, i);
}
bool Statement::column_is_null(int i) const {
    return sqlite3_column_type(stmt_, i) == SQLITE_NULL;
}

ColumnType Statement::column_type(int i) const {
    switch (sqlite3_column_type(stmt_, i)) {
        case SQLITE_INTEGER:
            return ColumnType::Integer;
        case SQLITE_FLOAT:
            return ColumnType::Real;
        case SQLITE_TEXT:
            return ColumnType::Text;
        case SQLITE_BLOB:
            return ColumnType::Blob;
        default:
            return ColumnType::Null;
    }
}

std::string Statement::column_text(int i) const {
    const auto* p = sqlite3_column_text(stmt_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, i))
             : std::string();
}

std::string Statement::column_blob(int i) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
             : std::string();
}

Transaction::Transaction(Db& db, std::string what) : db_(db), what_(std::move(what)) {
    db_.exec("BEGIN IMMEDIATE", what_);
}

Transaction::~Transaction() {
    // SQLite may already have rolled back on its own (a full disk, an I/O error).
    if (!done_ && db_.in_transaction())
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT", what_);
    done_ = true;
}

}  // namespace hace::runner::detail
