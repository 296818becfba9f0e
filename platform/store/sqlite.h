// A thin RAII layer over SQLite's C API: a Database (one connection) and its Statements. Every
// SQLite failure becomes an Error naming the statement and SQLite's message; nothing throws.
// A Database and its Statements belong to one thread at a time.
//
// Database::prepare keeps each statement it compiles, keyed by its SQL text, and hands it out
// again (reset, bindings cleared) once the Statement using it is gone: SQLite's parser and
// planner run once per SQL text and connection, not once per call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "platform/store/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace kiln::store {

// The connection and its cache of prepared statements; internal to sqlite.cc. Shared by the
// Database and its Statements, so a Statement outliving its Database still works and the
// connection closes (after finalizing every statement) when the last of them is gone.
struct SqliteConnection;
struct CachedStatement;

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based. A bind failure is remembered and reported by the next step().
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, std::int64_t{value}); }
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind_null(int index);
  // Binds the arguments to parameters 1, 2, ... in order.
  template <class... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Advances: true when a row is ready to read, false when the statement is done.
  Result<bool> step();
  // Steps to the end, for statements that return no rows (or whose rows are not wanted).
  Status run();
  // Makes the statement ready to step again; bindings are kept.
  void reset();

  // Columns are 0-based and read the current row; NULL reads as 0, "" or nullopt.
  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  bool column_is_null(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::optional<std::string> column_optional_text(int column) const;

  // The statement's SQL with whitespace collapsed and cut to a readable length.
  std::string name() const;

 private:
  friend class Database;
  Statement(std::shared_ptr<SqliteConnection> connection, sqlite3_stmt* stmt);
  Statement& note_bind(int index, int rc);
  // Gives the statement back to the cache (reset, so it holds no lock) or finalizes it.
  void release() noexcept;

  std::shared_ptr<SqliteConnection> connection_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  CachedStatement* cached_ = nullptr;  // the cache entry stmt_ belongs to; null if uncached
  std::optional<Error> bind_error_;
};

struct DatabaseOptions {
  // How long a writer waits for another connection's lock before failing with kBusy.
  int busy_timeout_ms = 5000;
};

class Database {
 public:
  // Opens (creating if absent) the database at `path`, or a private in-memory database for
  // ":memory:", and configures the connection: journal_mode=WAL (files), synchronous=FULL,
  // foreign_keys=ON, busy_timeout. A file that is not SQLite fails with kNotADatabase.
  static Result<Database> open(const std::string& path, const DatabaseOptions& options = {});

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // The first statement of `sql`, ready to bind and step. A statement of the same SQL text
  // that is not in use is reused (reset, bindings cleared); if it is in use (nested use, or
  // a Statement still held), this one is compiled afresh.
  Result<Statement> prepare(std::string_view sql);
  // Runs one or more parameterless statements (a script), discarding rows.
  Status exec(std::string_view sql);
  // The first column of the first row of a one-row query (e.g. "PRAGMA user_version").
  Result<std::int64_t> query_int64(std::string_view sql);
  Result<std::string> query_text(std::string_view sql);

  // Runs `body` in a write transaction: commits if it returns ok, rolls back (and returns its
  // error) otherwise, also if it throws. The outermost call is BEGIN IMMEDIATE ... COMMIT, so
  // the write lock is taken up front and COMMIT returning ok means the transaction is durable;
  // nested calls are savepoints, so a failing inner body undoes only its own writes.
  Status transaction(const std::function<Status()>& body);
  bool in_transaction() const { return depth_ > 0; }

  std::int64_t last_insert_rowid() const;
  // Rows changed by the most recent INSERT, UPDATE or DELETE.
  std::int64_t changes() const;
  // PRAGMA integrity_check: ok, or kCorrupt with SQLite's first complaints.
  Status integrity_check();
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path);
  Status configure(const DatabaseOptions& options);
  // Runs one parameterless statement through the statement cache (exec() parses each time).
  Status run_cached(std::string_view sql);

  std::shared_ptr<SqliteConnection> connection_;
  sqlite3* db_ = nullptr;  // connection_'s handle
  std::string path_;
  int depth_ = 0;  // open transaction levels: 1 = BEGIN, more = savepoints
};

}  // namespace kiln::store
