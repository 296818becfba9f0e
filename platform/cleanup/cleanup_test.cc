// Stale-job cleanup end to end: a Kiln with cleanup on, over the in-process emulator, for 100
// virtual days.
#include <catch2/catch.hpp>

#include "platform/runtime/test_world.h"

namespace kiln::cleanup {
namespace {

using fakedb::testing::kDay;
using fakedb::testing::kMinute;
using nlohmann::json;
using runtime::testing::World;

World with_cleanup(bool dry_run = false, json overrides = json::object()) {
  auto options = World::default_options();
  CleanupOptions c;
  c.dry_run = dry_run;
  options.cleanup = c;
  return World(options, std::move(overrides));
}

std::vector<std::string> events_of(const std::vector<core::Event>& all, const std::string& type) {
  std::vector<std::string> jobs;
  for (const auto& e : all) {
    if (e.type == type) jobs.push_back(e.fields.value("job", ""));
  }
  return jobs;
}

void deploy_ok(World& world, const std::string& job, const std::string& build) {
  const auto d = world.run_until_finished(world.deploy(job, "production", build));
  INFO(d.outcome_reason);
  REQUIRE(d.status == store::DeploymentStatus::kSucceeded);
}

}  // namespace

TEST_CASE("Cleanup deletes exactly the stale managed jobs whose config is gone", "[cleanup]") {
  World world = with_cleanup();
  std::vector<core::Event> seen;
  world.w.events.subscribe([&](const core::Event& e) {
    if (e.type.rfind("cleanup.", 0) == 0) seen.push_back(e);
  });
  const auto b1 = world.build({{"kept", "production", 1},
                               {"stale", "production", 1},
                               {"streaming", "production", 1, "/Workspace/etl/stream"}});
  for (const auto* job : {"kept", "stale", "streaming"}) deploy_ok(world, job, b1);
  const auto not_kiln = world.w.create_job(fakedb::testing::job_spec("made-by-hand"));
  // The next commit drops stale and streaming from the repository.
  world.build({{"kept", "production", 1}}, 2);
  const auto stale_id = *world.store->get_job("stale", "production").value().databricks_job_id;

  world.w.advance(89 * kDay);
  CHECK(events_of(seen, "cleanup.deleted").empty());  // not 90 days yet
  world.w.advance(3 * kDay);
  CHECK(events_of(seen, "cleanup.deleted") == std::vector<std::string>{"stale"});
  // Kept: a job still in the newest build, a job with an active run, a job kiln does not manage.
  CHECK(world.managed_jobs("kept", "production").size() == 1);
  CHECK(world.managed_jobs("streaming", "production").size() == 1);
  CHECK(world.w.get("get", {{"job_id", std::to_string(not_kiln)}}).ok());
  CHECK(world.managed_jobs("stale", "production").empty());
  CHECK_FALSE(world.w.get("get", {{"job_id", std::to_string(stale_id)}}).ok());
  const auto row = world.store->get_job("stale", "production").value();
  CHECK(row.state == store::JobState::kRemoved);
  // Later passes find nothing more to do.
  world.w.advance(10 * kDay);
  CHECK(events_of(seen, "cleanup.deleted").size() == 1);
}

TEST_CASE("A dry run says what it would delete and deletes nothing", "[cleanup]") {
  World world = with_cleanup(true);
  std::vector<core::Event> seen;
  world.w.events.subscribe([&](const core::Event& e) {
    if (e.type.rfind("cleanup.", 0) == 0) seen.push_back(e);
  });
  deploy_ok(world, "old", world.build({{"old", "production", 1}}));
  world.build({{"new", "production", 1}}, 2);
  world.w.advance(92 * kDay);
  const auto would = events_of(seen, "cleanup.would_delete");
  REQUIRE_FALSE(would.empty());
  CHECK(would.front() == "old");
  CHECK(events_of(seen, "cleanup.deleted").empty());
  CHECK(world.managed_jobs("old", "production").size() == 1);
}

TEST_CASE("A deploy blocked by QUOTA_EXCEEDED waits for cleanup and then succeeds", "[cleanup]") {
  World world = with_cleanup(false, {{"limits", {{"saved_jobs", 2}}}});
  const auto b1 = world.build({{"a", "production", 1}, {"b", "production", 1}});
  deploy_ok(world, "a", b1);
  deploy_ok(world, "b", b1);
  world.w.advance(95 * kDay);  // b has not run for 95 days; cleanup has not run since b left...
  // ...the repository: only now does b leave it, and c arrive.
  const auto b2 = world.build({{"a", "production", 1}, {"c", "production", 1}}, 2);
  const auto id = world.deploy("c", "production", b2);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == store::DeploymentStatus::kSucceeded);
  CHECK(world.managed_jobs("b", "production").empty());
  CHECK(world.managed_jobs("c", "production").size() == 1);
  CHECK(*done.finished_ms - done.request.created_ms < 30 * kMinute);  // not a day's wait
}

}  // namespace kiln::cleanup
