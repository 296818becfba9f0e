// JobsClient over the in-process emulator: each call's request and typed answer.
#include "databricks/client/jobs_client.h"

#include <catch2/catch.hpp>

#include "databricks/client/client_testing.h"
#include "databricks/client/errors.h"

namespace databricks {
namespace {

using fakedb::testing::job_spec;
using nlohmann::json;

struct Fixture : testing::ClientFixture<JobsClient> {
  JobId create(const std::string& name) {
    auto r = wait<JobId>([&](auto done) { client.create(job_spec(name), done); });
    REQUIRE(r.ok());
    return *r;
  }
};

TEST_CASE("create, get, reset and delete a job; a deleted job reads as missing") {
  Fixture f;
  CHECK(f.client.path("runs/get") == "/api/2.2/jobs/runs/get");
  const JobId id = f.create("etl");
  CHECK(id > 0);
  auto got = f.wait<Job>([&](auto done) { f.client.get(id, done); });
  REQUIRE(got.ok());
  CHECK(got->job_id == id);
  CHECK(got->settings["name"] == "etl");
  json renamed = job_spec("etl-2");
  auto reset = f.wait<Done>([&](auto done) { f.client.reset(id, renamed, done); });
  CHECK(reset.ok());
  got = f.wait<Job>([&](auto done) { f.client.get(id, done); });
  CHECK(got->settings["name"] == "etl-2");
  CHECK(f.wait<Done>([&](auto done) { f.client.remove(id, done); }).ok());
  got = f.wait<Job>([&](auto done) { f.client.get(id, done); });
  REQUIRE_FALSE(got.ok());
  CHECK(is_missing(got.error()));
  CHECK(got.error().http_status == 400);
}

TEST_CASE("list follows every page") {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.create("job-" + std::to_string(i));
  JobsQuery query;
  query.limit = 2;  // three pages
  auto all = f.wait<std::vector<Job>>([&](auto done) { f.client.list(query, done); });
  REQUIRE(all.ok());
  CHECK(all->size() == 5);
}

TEST_CASE("run-now starts a run that reads back typed, and cancel ends it") {
  Fixture f;
  const JobId id = f.create("etl");
  auto run_id = f.wait<RunId>([&](auto done) { f.client.run_now(id, json::object(), done); });
  REQUIRE(run_id.ok());
  auto run = f.wait<Run>([&](auto done) { f.client.get_run(*run_id, done); });
  REQUIRE(run.ok());
  CHECK(run->run_id == *run_id);
  CHECK(run->job_id == id);
  CHECK_FALSE(run->state.terminal());
  RunsQuery active;
  active.job_id = id;
  active.active_only = true;
  auto listed = f.wait<std::vector<Run>>([&](auto done) { f.client.list_runs(active, done); });
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().run_id == *run_id);
  CHECK(f.wait<Done>([&](auto done) { f.client.cancel_run(*run_id, done); }).ok());
  f.w.loop.run_until(f.w.loop.now_ms() + fakedb::testing::kRunTime);
  run = f.wait<Run>([&](auto done) { f.client.get_run(*run_id, done); });
  CHECK(run->state.terminal());
  CHECK(run->state.result == ResultState::canceled);
  auto page = f.wait<std::vector<Run>>([&](auto done) { f.client.list_runs_page(active, done); });
  REQUIRE(page.ok());
  CHECK(page->empty());
}

TEST_CASE("a request the service refuses arrives as its ApiError") {
  Fixture f;
  auto r = f.wait<JobId>([&](auto done) { f.client.create(json{{"name", 3}}, done); });
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().http_status == 400);
  CHECK(r.error().error_code == "INVALID_PARAMETER_VALUE");
  CHECK(retry_of(r.error()) == Retry::kNever);
}

}  // namespace
}  // namespace databricks
