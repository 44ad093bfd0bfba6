// A thin RAII layer over the SQLite C API for the results store: a connection, prepared
// statements and a transaction guard, with every failure turned into an error that names the
// database file. A full disk, a read-only file or folder and a damaged file are InputError (the
// user can fix them); anything else is std::runtime_error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace hace::runner::detail {

class Statement;

// The storage class of a value in a result row (SQLite's dynamic typing: a column's declared type
// does not bind what a row holds).
enum class ColumnType { Integer, Real, Text, Blob, Null };

class Db {
public:
    // flags: SQLITE_OPEN_* (READONLY or READWRITE [| CREATE]).
    Db(const std::filesystem::path& path, int flags);
    ~Db();
    Db(Db&& other) noexcept;
    Db& operator=(Db&& other) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    void exec(std::string_view sql, std::string_view what);
    Statement prepare(std::string_view sql, std::string_view what);
    // First column of the first row of a query returning one value.
    std::int64_t query_int(std::string_view sql, std::string_view what);
    std::string query_text(std::string_view sql, std::string_view what);

    std::int64_t last_insert_rowid() const;
    std::int64_t changes() const;
    bool in_transaction() const;

    // Throws for a failed call with result code rc; what: the action ("writing sample 3 ...").
    [[noreturn]] void fail(int rc, std::string_view what) const;

    sqlite3* handle() const { return db_; }
    const std::filesystem::path& path() const { return path_; }

private:
    sqlite3* db_ = nullptr;
    std::filesystem::path path_;
};

class Statement {
public:
    Statement(Db& db, sqlite3_stmt* stmt, std::string what);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;

    // Parameters are 1-based, as in SQL.
    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, double v);  // non-finite -> NULL
    Statement& bind(int i, std::string_view v);
    Statement& bind(int i, std::optional<double> v);
    Statement& bind(int i, std::optional<std::int64_t> v);
    Statement& bind_null(int i);
    Statement& bind_blob(int i, std::string_view bytes);  // stored as a BLOB, not text

    bool step();  // true: a row is ready; false: done
    void run();   // step() that expects no row
    void reset();

    std::int64_t column_int(int i) const;
    double column_double(int i) const;
    std::string column_text(int i) const;
    std::string column_blob(int i) const;
    bool column_is_null(int i) const;
    // Ask before reading the value: reading text from a number converts the value in place.
    ColumnType column_type(int i) const;

private:
    Db* db_;
    sqlite3_stmt* stmt_;
    std::string what_;
};

// BEGIN IMMEDIATE now; ROLLBACK in the destructor unless commit() ran.
class Transaction {
public:
    Transaction(Db& db, std::string what);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Db& db_;
    std::string what_;
    bool done_ = false;
};

}  // namespace hace::runner::detail
