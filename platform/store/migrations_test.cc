#include "platform/store/migrations.h"

#include <catch2/catch.hpp>

#include "platform/store/store_testing.h"

namespace kiln::store {
namespace {

using testing::open_store;
using testing::TempDir;

Database open_db(const std::string& path) {
  auto db = Database::open(path);
  INFO((db ? std::string() : db.error().describe()));
  REQUIRE(db.ok());
  return std::move(db).value();
}

std::int64_t schema_objects(Database& db) {
  return db.query_int64("SELECT count(*) FROM sqlite_schema").value();
}

TEST_CASE("migration versions are consecutive from one", "[migrations]") {
  int expected = 1;
  for (const Migration& m : schema_migrations()) CHECK(m.version == expected++);
  CHECK(latest_schema_version() == expected - 1);
}

TEST_CASE("a fresh database migrates to the latest version", "[migrations]") {
  auto db = open_db(":memory:");
  CHECK(schema_version(db).value() == 0);
  STORE_REQUIRE_OK(migrate(db));
  CHECK(schema_version(db).value() == latest_schema_version());
  CHECK(db.query_int64("PRAGMA application_id").value() == kApplicationId);
  CHECK(db.integrity_check().ok());
}

TEST_CASE("reopening a migrated database is a no-op", "[migrations]") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  { open_store(path); }
  auto db = open_db(path);
  const auto objects = schema_objects(db);
  const auto data_version = db.query_int64("PRAGMA schema_version").value();
  STORE_REQUIRE_OK(migrate(db));
  CHECK(schema_objects(db) == objects);
  CHECK(db.query_int64("PRAGMA schema_version").value() == data_version);  // nothing rewritten
}

TEST_CASE("a version 1 database upgrades to the latest keeping its rows", "[migrations]") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  {
    auto db = open_db(path);
    STORE_REQUIRE_OK(migrate(db, 1));
    CHECK(schema_version(db).value() == 1);
    CHECK(db.query_int64("SELECT count(*) FROM sqlite_schema WHERE name = 'workflows'").value() ==
          0);
    STORE_REQUIRE_OK(db.exec(
        "INSERT INTO builds (build_id, commit_sha, created_ms, status, job_count) "
        "VALUES ('b1', 'abc', 10, 'succeeded', 2);"
        "INSERT INTO deployments (name, target, build_id, version, strategy, requested_by, "
        "created_ms, status) VALUES ('etl', 'prod', 'b1', 1, 'simple', 'cd:prod', 11, 'queued')"));
  }
  auto store = open_store(path);
  CHECK(store->get_build("b1").value().job_count == 2);
  CHECK(store->open_deployment("etl", "prod").value().request.build_id == "b1");
  auto workflow = store->create_workflow({"deploy", "deploy:etl:prod", {{"step", 0}}, 20, 20});
  STORE_REQUIRE_OK(workflow);
  auto db = open_db(path);
  CHECK(schema_version(db).value() == latest_schema_version());
}

TEST_CASE("a version 4 database upgrades to 5 with empty stream and parked job tables",
          "[migrations]") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  {
    auto db = open_db(path);
    STORE_REQUIRE_OK(migrate(db, 4));
    STORE_REQUIRE_OK(
        db.exec("INSERT INTO builds (build_id, commit_sha, created_ms, status, job_count) "
                "VALUES ('b1', 'abc', 10, 'succeeded', 2)"));
  }
  auto store = open_store(path);
  CHECK(store->get_build("b1").ok());
  CHECK(store->list_streams(10).value().empty());
  CHECK(store->list_parked_jobs(10).value().empty());
  streams::LockState state;
  state.stream = "orders";
  STORE_REQUIRE_OK(store->put_stream(state, 1));
  CHECK(store->get_stream("orders").ok());
  auto db = open_db(path);
  CHECK(schema_version(db).value() == latest_schema_version());
}

TEST_CASE("a database newer than the code is a clear error", "[migrations]") {
  TempDir dir;
  const std::string path = dir.file("kiln.db");
  {
    auto db = open_db(path);
    STORE_REQUIRE_OK(migrate(db));
    STORE_REQUIRE_OK(
        db.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1)));
  }
  auto store = open_sqlite_store(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.code() == ErrorCode::kSchemaTooNew);
  CHECK_THAT(store.error().message,
             Catch::Contains(path) && Catch::Contains("newer") && Catch::Contains("upgrade"));
  auto db = open_db(path);
  CHECK(schema_version(db).value() == latest_schema_version() + 1);  // left as it was
}

TEST_CASE("another application's SQLite database is refused", "[migrations]") {
  TempDir dir;
  const std::string path = dir.file("other.db");
  {
    auto db = open_db(path);
    STORE_REQUIRE_OK(db.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY)"));
  }
  auto store = open_sqlite_store(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.code() == ErrorCode::kNotADatabase);
  CHECK_THAT(store.error().message, Catch::Contains("not a kiln metadata DB"));
}

TEST_CASE("migrating to an unknown version is an invalid argument", "[migrations]") {
  auto db = open_db(":memory:");
  CHECK(migrate(db, latest_schema_version() + 1).code() == ErrorCode::kInvalidArgument);
  CHECK(schema_version(db).value() == 0);
}

}  // namespace
}  // namespace kiln::store
