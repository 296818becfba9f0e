#include "platform/store/sqlite.h"

#include <sqlite3.h>

#include <cctype>
#include <string>
#include <unordered_map>
#include <utility>

namespace kiln::store {

// One prepared statement kept for reuse, and whether a Statement is using it now.
struct CachedStatement {
  sqlite3_stmt* stmt = nullptr;
  bool in_use = false;
};

struct SqliteConnection {
  // A bound on the statements kept; past it, new SQL texts are prepared and finalized per use
  // (our store has a few dozen fixed texts; this only guards against SQL built from data).
  static constexpr std::size_t kCachedMax = 256;

  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };

  explicit SqliteConnection(sqlite3* handle) : db(handle) {}
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  // Runs when the Database and every Statement are gone, so no cached statement is in use:
  // each is finalized before the close. An open transaction rolls back.
  ~SqliteConnection() {
    for (auto& [sql, cached] : statements) sqlite3_finalize(cached.stmt);
    sqlite3_close_v2(db);
  }

  sqlite3* db;
  // By SQL text. Entries are never erased before the destructor, so a Statement may keep a
  // pointer to its entry (unordered_map nodes do not move).
  std::unordered_map<std::string, CachedStatement, TextHash, std::equal_to<>> statements;
};

namespace {

constexpr std::size_t kNameMax = 100;  // characters of SQL quoted in an error

ErrorCode code_of(int rc) {
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return ErrorCode::kAlreadyExists;
  }
  // Our triggers state which transitions a row's current state allows.
  if (rc == SQLITE_CONSTRAINT_TRIGGER) return ErrorCode::kConflict;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return ErrorCode::kConstraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::kBusy;
    case SQLITE_NOTADB:
      return ErrorCode::kNotADatabase;
    case SQLITE_CORRUPT:
      return ErrorCode::kCorrupt;
    default:
      return ErrorCode::kStorage;
  }
}

// "<what>: <SQLite's message> (<the code's generic text>)". Read before anything else touches
// the connection: the message belongs to the most recent call.
Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += detail;
  const std::string generic = sqlite3_errstr(rc);
  if (generic != detail) message += " (" + generic + ")";
  return {code_of(rc), std::move(message)};
}

std::string collapse(std::string_view sql) {
  std::string out;
  for (const char c : sql) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
    if (out.size() > kNameMax) return out.substr(0, kNameMax) + "...";
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

// --- Statement -----------------------------------------------------------------------------

Statement::Statement(std::shared_ptr<SqliteConnection> connection, sqlite3_stmt* stmt)
    : connection_(std::move(connection)), db_(connection_->db), stmt_(stmt) {}

Statement::Statement(Statement&& other) noexcept
    : connection_(std::move(other.connection_)),
      db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      cached_(std::exchange(other.cached_, nullptr)),
      bind_error_(std::move(other.bind_error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    release();
    connection_ = std::move(other.connection_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    cached_ = std::exchange(other.cached_, nullptr);
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

Statement::~Statement() {
  release();
}

void Statement::release() noexcept {
  if (cached_ != nullptr) {
    // Reset now, not when handed out again: a statement left mid-rows keeps its read open.
    sqlite3_reset(stmt_);
    cached_->in_use = false;
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
  cached_ = nullptr;
  connection_.reset();  // may close the connection, after the statement is back in the cache
}

Statement& Statement::note_bind(int index, int rc) {
  if (rc != SQLITE_OK && !bind_error_) {
    bind_error_ = sqlite_error(db_, rc, name() + " [bind ?" + std::to_string(index) + "]");
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  return note_bind(index, sqlite3_bind_int64(stmt_, index, value));
}

Statement& Statement::bind(int index, std::string_view text) {
  return note_bind(index, sqlite3_bind_text64(stmt_, index, text.data(), text.size(),
                                              SQLITE_TRANSIENT, SQLITE_UTF8));
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  return note_bind(index, sqlite3_bind_null(stmt_, index));
}

Result<bool> Statement::step() {
  if (bind_error_) return *bind_error_;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = sqlite_error(db_, rc, name());
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::run() {
  while (true) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) return {};
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  bind_error_.reset();
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return {reinterpret_cast<const char*>(text), size};
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_int64(column);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_text(column);
}

std::string Statement::name() const {
  const char* sql = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return sql != nullptr ? collapse(sql) : std::string("(no statement)");
}

// --- Database ------------------------------------------------------------------------------

Result<Database> Database::open(const std::string& path, const DatabaseOptions& options) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(db, rc, "open " + path);
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  Database database(db, path);
  if (auto configured = database.configure(options); !configured) {
    return Error{configured.code(), "open " + path + ": " + configured.error().message};
  }
  return database;
}

Status Database::configure(const DatabaseOptions& options) {
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  // Reading the header first: a file that is not SQLite fails here, before any write.
  if (auto version = query_int64("PRAGMA schema_version"); !version) return version.error();
  auto mode = query_text("PRAGMA journal_mode=WAL");
  if (!mode) return mode.error();
  const bool in_memory = path_ == ":memory:";
  if (*mode != (in_memory ? "memory" : "wal")) {
    return Error{ErrorCode::kStorage, "journal_mode is '" + *mode + "', not WAL"};
  }
  // FULL: each COMMIT fsyncs the WAL before returning, so an acknowledged transaction survives
  // power loss too (NORMAL would defer that to the next checkpoint). See docs/metadata-db.md.
  if (auto s = exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"); !s) return s;
  auto foreign_keys = query_int64("PRAGMA foreign_keys");
  if (!foreign_keys) return foreign_keys.error();
  if (*foreign_keys != 1) return Error{ErrorCode::kStorage, "foreign_keys could not be enabled"};
  return {};
}

Database::Database(sqlite3* db, std::string path)
    : connection_(std::make_shared<SqliteConnection>(db)), db_(db), path_(std::move(path)) {}

Database::Database(Database&& other) noexcept
    : connection_(std::move(other.connection_)),
      db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      depth_(std::exchange(other.depth_, 0)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    connection_ = std::move(other.connection_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    depth_ = std::exchange(other.depth_, 0);
  }
  return *this;
}

// The connection closes when the last Statement is gone too; an open transaction rolls back.
Database::~Database() = default;

Result<Statement> Database::prepare(std::string_view sql) {
  auto& cache = connection_->statements;
  const auto found = cache.find(sql);
  if (found != cache.end() && !found->second.in_use) {
    CachedStatement& cached = found->second;
    sqlite3_reset(cached.stmt);
    sqlite3_clear_bindings(cached.stmt);
    cached.in_use = true;
    Statement statement(connection_, cached.stmt);
    statement.cached_ = &cached;
    return statement;
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, collapse(sql));
  Statement statement(connection_, stmt);
  // Kept unless this text's cached statement is in use, the cache is full, or `sql` holds no
  // statement (only whitespace or comments).
  if (found == cache.end() && cache.size() < SqliteConnection::kCachedMax && stmt != nullptr) {
    statement.cached_ =
        &cache.try_emplace(std::string(sql), CachedStatement{stmt, true}).first->second;
  }
  return statement;
}

Status Database::exec(std::string_view sql) {
  const std::string script(sql);
  const int rc = sqlite3_exec(db_, script.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, collapse(sql));
  return {};
}

Result<std::int64_t> Database::query_int64(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) return statement.error();
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(collapse(sql) + ": no row");
  return statement->column_int64(0);
}

Result<std::string> Database::query_text(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) return statement.error();
  auto row = statement->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(collapse(sql) + ": no row");
  return statement->column_text(0);
}

Status Database::transaction(const std::function<Status()>& body) {
  const bool outer = depth_ == 0;
  const std::string savepoint = "kiln_" + std::to_string(depth_);
  if (auto begun = run_cached(outer ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT " + savepoint);
      !begun) {
    return begun;
  }
  ++depth_;
  // Undoes this level on every way out but a successful commit (a failure, or a throw).
  bool finished = false;
  auto undo = [&] {
    if (finished) return;
    finished = true;
    --depth_;
    // SQLite rolls a transaction back by itself after some errors (I/O, full disk); then there
    // is nothing left to undo.
    if (sqlite3_get_autocommit(db_) != 0) return;
    if (outer) {
      (void)run_cached("ROLLBACK");
    } else if (run_cached("ROLLBACK TO " + savepoint)) {
      (void)run_cached("RELEASE " + savepoint);
    }
  };
  struct Guard {
    std::function<void()> undo;
    ~Guard() { undo(); }
  } guard{undo};

  Status result = body();
  if (!result) return result;  // the guard rolls back
  Status committed = run_cached(outer ? std::string("COMMIT") : "RELEASE " + savepoint);
  if (!committed) return committed;  // the guard rolls back what is left
  finished = true;
  --depth_;
  return {};
}

Status Database::run_cached(std::string_view sql) {
  auto statement = prepare(sql);
  if (!statement) return statement.error();
  return statement->run();
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}

std::int64_t Database::changes() const {
  return sqlite3_changes64(db_);
}

Status Database::integrity_check() {
  auto statement = prepare("PRAGMA integrity_check");
  if (!statement) return statement.error();
  std::string problems;
  for (int rows = 0; rows < 10; ++rows) {  // the first few complaints are enough to act on
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) break;
    const std::string line = statement->column_text(0);
    if (line == "ok") return {};
    problems += (problems.empty() ? "" : "; ") + line;
  }
  return Error::corrupt("integrity_check of " + path_ + ": " + problems);
}

}  // namespace kiln::store
