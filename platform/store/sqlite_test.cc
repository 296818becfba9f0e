#include "platform/store/sqlite.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "platform/store/store_testing.h"

namespace kiln::store {
namespace {

using testing::TempDir;

Database memory_db() {
  auto db = Database::open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL CHECK (v <> ''))"));
  return std::move(db).value();
}

std::int64_t count(Database& db) {
  auto n = db.query_int64("SELECT count(*) FROM t");
  REQUIRE(n.ok());
  return *n;
}

TEST_CASE("a statement error names the statement and SQLite's message", "[sqlite]") {
  auto db = memory_db();
  auto bad = db.prepare("SELEC v FROM t");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.code() == ErrorCode::kStorage);
  CHECK_THAT(bad.error().message,
             Catch::Contains("SELEC v FROM t") && Catch::Contains("syntax error"));
}

TEST_CASE("constraint failures map to clear codes", "[sqlite]") {
  auto db = memory_db();
  REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a')"));
  auto duplicate = db.exec("INSERT INTO t VALUES (1, 'b')");
  CHECK(duplicate.code() == ErrorCode::kAlreadyExists);
  CHECK_THAT(duplicate.error().message, Catch::Contains("UNIQUE constraint failed: t.k"));
  CHECK(db.exec("INSERT INTO t VALUES (2, '')").code() == ErrorCode::kConstraint);
}

TEST_CASE("statements bind and read typed values and nulls", "[sqlite]") {
  auto db = memory_db();
  REQUIRE(db.exec("CREATE TABLE n (a INTEGER, b TEXT)"));
  auto insert = db.prepare("INSERT INTO n VALUES (?, ?)");
  REQUIRE(insert.ok());
  REQUIRE(insert->bind_all(std::optional<std::int64_t>{}, std::optional<std::string>{"x"}).run());
  insert->reset();
  REQUIRE(insert->bind_all(std::int64_t{1} << 40, std::string_view("y\0z", 3)).run());
  auto select = db.prepare("SELECT a, b FROM n ORDER BY rowid");
  REQUIRE(select.ok());
  REQUIRE(*select->step());
  CHECK(select->column_optional_int64(0) == std::nullopt);
  CHECK(select->column_optional_text(1) == std::optional<std::string>("x"));
  REQUIRE(*select->step());
  CHECK(select->column_int64(0) == (std::int64_t{1} << 40));
  CHECK(select->column_text(1) == std::string("y\0z", 3));
  CHECK_FALSE(*select->step());
}

TEST_CASE("a bind to a missing parameter is reported by step", "[sqlite]") {
  auto db = memory_db();
  auto s = db.prepare("SELECT ?");
  REQUIRE(s.ok());
  auto stepped = s->bind(2, 7).step();
  REQUIRE_FALSE(stepped.ok());
  CHECK_THAT(stepped.error().message, Catch::Contains("bind ?2"));
}

TEST_CASE("the same sql prepared again in sequence starts with fresh bindings", "[sqlite]") {
  auto db = memory_db();
  const std::string insert = "INSERT INTO t VALUES (?, ?)";
  for (std::int64_t k = 1; k <= 3; ++k) {
    auto s = db.prepare(insert);
    REQUIRE(s.ok());
    REQUIRE(s->bind_all(k, "v" + std::to_string(k)).run());
  }
  CHECK(count(db) == 3);
  // A reused statement has no bindings left over: an unbound parameter is NULL.
  auto s = db.prepare(insert);
  REQUIRE(s.ok());
  auto stepped = s->bind(1, 4).step();
  REQUIRE_FALSE(stepped.ok());
  CHECK(stepped.code() == ErrorCode::kConstraint);
  CHECK_THAT(stepped.error().message, Catch::Contains("NOT NULL constraint failed: t.v"));
}

TEST_CASE("a statement abandoned mid rows is reused from its first row", "[sqlite]") {
  auto db = memory_db();
  REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')"));
  const std::string select = "SELECT v FROM t WHERE k >= ? ORDER BY k";
  {
    auto s = db.prepare(select);
    REQUIRE(s.ok());
    REQUIRE(*s->bind(1, 1).step());
    CHECK(s->column_text(0) == "a");
  }
  // Its read ended when it was given back: SQLite refuses to drop a table while any statement
  // of the connection is still reading.
  REQUIRE(db.exec("CREATE TABLE other (x INTEGER)"));
  REQUIRE(db.exec("DROP TABLE other"));
  auto s = db.prepare(select);
  REQUIRE(s.ok());
  REQUIRE(*s->bind(1, 2).step());
  CHECK(s->column_text(0) == "b");
}

TEST_CASE("the same sql prepared while a statement of it is in use gets its own", "[sqlite]") {
  auto db = memory_db();
  REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')"));
  const std::string select = "SELECT v FROM t WHERE k = ?";
  REQUIRE(db.transaction([&]() -> Status {
    auto outer = db.prepare(select);
    REQUIRE(outer.ok());
    REQUIRE(*outer->bind(1, 1).step());
    {
      auto inner = db.prepare(select);
      REQUIRE(inner.ok());
      REQUIRE(*inner->bind(1, 2).step());
      CHECK(inner->column_text(0) == "b");
      CHECK(outer->column_text(0) == "a");  // the inner statement did not disturb the outer
    }
    CHECK(outer->column_text(0) == "a");
    CHECK_FALSE(*outer->step());
    return {};
  }));
  // Both are gone; the text prepares again, and a third use nested in a second still works.
  auto first = db.prepare(select);
  auto second = db.prepare(select);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(*first->bind(1, 2).step());
  REQUIRE(*second->bind(1, 1).step());
  CHECK(first->column_text(0) == "b");
  CHECK(second->column_text(0) == "a");
}

TEST_CASE("a moved statement keeps working and a bad sql still fails each time", "[sqlite]") {
  auto db = memory_db();
  REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a')"));
  auto prepared = db.prepare("SELECT v FROM t");
  REQUIRE(prepared.ok());
  Statement moved = std::move(prepared).value();
  REQUIRE(*moved.step());
  CHECK(moved.column_text(0) == "a");
  moved = db.prepare("SELECT k FROM t").value();  // gives the first back to the cache
  REQUIRE(*moved.step());
  CHECK(moved.column_int64(0) == 1);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto bad = db.prepare("SELEC v FROM t");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message,
               Catch::Contains("SELEC v FROM t") && Catch::Contains("syntax error"));
  }
  CHECK(db.query_text("SELECT v FROM t").value() == "a");
}

TEST_CASE("a statement may outlive its database", "[sqlite]") {
  std::optional<Statement> kept;
  {
    auto db = memory_db();
    REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a')"));
    REQUIRE(db.query_int64("SELECT count(*) FROM t").value() == 1);  // cached, then idle
    kept = db.prepare("SELECT v FROM t").value();
  }
  REQUIRE(*kept->step());
  CHECK(kept->column_text(0) == "a");
  kept.reset();  // the connection closes here, after its statements are finalized
}

TEST_CASE("a failing transaction body rolls back its writes", "[sqlite]") {
  auto db = memory_db();
  auto result = db.transaction([&]() -> Status {
    REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a')"));
    return Error::conflict("changed my mind");
  });
  CHECK(result.code() == ErrorCode::kConflict);
  CHECK(count(db) == 0);
  CHECK_FALSE(db.in_transaction());
}

TEST_CASE("a failing nested transaction undoes only its own writes", "[sqlite]") {
  auto db = memory_db();
  REQUIRE(db.transaction([&]() -> Status {
    REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a')"));
    auto inner = db.transaction([&]() -> Status {
      REQUIRE(db.exec("INSERT INTO t VALUES (2, 'b')"));
      return db.exec("INSERT INTO t VALUES (1, 'duplicate')");
    });
    CHECK(inner.code() == ErrorCode::kAlreadyExists);
    return {};
  }));
  CHECK(count(db) == 1);
}

TEST_CASE("a transaction body that throws rolls back", "[sqlite]") {
  auto db = memory_db();
  CHECK_THROWS_AS(db.transaction([&]() -> Status {
    REQUIRE(db.exec("INSERT INTO t VALUES (1, 'a')"));
    throw std::runtime_error("body failed");
  }),
                  std::runtime_error);
  CHECK(count(db) == 0);
  REQUIRE(db.transaction([&] { return db.exec("INSERT INTO t VALUES (1, 'a')"); }));
  CHECK(count(db) == 1);
}

TEST_CASE("a file opens in WAL mode with synchronous FULL and foreign keys on", "[sqlite]") {
  TempDir dir;
  auto db = Database::open(dir.file("kiln.db"));
  REQUIRE(db.ok());
  CHECK(db->query_text("PRAGMA journal_mode").value() == "wal");
  CHECK(db->query_int64("PRAGMA synchronous").value() == 2);  // FULL
  CHECK(db->query_int64("PRAGMA foreign_keys").value() == 1);
  CHECK(db->query_int64("PRAGMA busy_timeout").value() == 5000);
}

TEST_CASE("a file that is not SQLite is a clear error at open", "[sqlite]") {
  TempDir dir;
  const std::string path = dir.file("notes.db");
  std::ofstream(path) << "this is a text file, long enough to have a header of sorts...\n"
                      << std::string(200, 'x');
  auto db = Database::open(path);
  REQUIRE_FALSE(db.ok());
  CHECK(db.code() == ErrorCode::kNotADatabase);
  CHECK_THAT(db.error().message, Catch::Contains(path) && Catch::Contains("not a database"));
}

// Overwrites `size` bytes at `offset` of the file with 0xA5.
void damage(const std::string& path, std::streamoff offset, std::size_t size) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(file.good());
  file.seekp(offset);
  const std::string garbage(size, '\xA5');
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  REQUIRE(file.good());
}

std::string closed_store_file(const TempDir& dir) {
  std::string path = dir.file("kiln.db");
  auto store = testing::open_store(path);
  for (int i = 0; i < 50; ++i) {
    STORE_REQUIRE_OK(store->upsert_build(testing::build("b" + std::to_string(i), i)));
  }
  return path;  // closing the last connection checkpoints the WAL into the file
}

TEST_CASE("a database file with a damaged header is a clear error at open", "[sqlite]") {
  TempDir dir;
  const std::string path = closed_store_file(dir);
  damage(path, 0, 16);  // "SQLite format 3\0"
  auto store = open_sqlite_store(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.code() == ErrorCode::kNotADatabase);
  CHECK_THAT(store.error().message, Catch::Contains(path));
}

TEST_CASE("a database file with a damaged schema page is a clear error at open", "[sqlite]") {
  TempDir dir;
  const std::string path = closed_store_file(dir);
  damage(path, 100, 3000);  // page 1 after the header: the root of sqlite_schema
  auto store = open_sqlite_store(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.code() == ErrorCode::kCorrupt);
  CHECK_THAT(store.error().message, Catch::Contains(path));
}

}  // namespace
}  // namespace kiln::store
