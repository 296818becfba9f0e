// Stale-job cleanup end to end: a Kiln with cleanup on, over the in-process emulator, for 100
// virtual days.
#include <catch2/catch.hpp>

#include "platform/monitor/faulty_store_testing.h"
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

namespace kiln::cleanup {

TEST_CASE("A parked blue is kept until its time is up and then deleted", "[cleanup]") {
  // Hourly passes and a three-hour park keep the streaming world short.
  constexpr core::DurationMs kHour = 3'600'000;
  auto options = World::default_options();
  CleanupOptions cleanup;
  cleanup.interval_ms = kHour;
  options.cleanup = cleanup;
  options.deploy.park_blue_ms = 3 * kHour;
  World world(options);
  std::vector<core::Event> seen;
  world.w.events.subscribe([&](const core::Event& e) {
    if (e.type == "cleanup.deleted") seen.push_back(e);
  });
  using runtime::testing::blue_green_job;
  deploy_ok(world, "orders", world.build({blue_green_job("orders", "production", 1, 60)}));
  const auto blue = *world.store->get_job("orders", "production").value().databricks_job_id;
  deploy_ok(world, "orders", world.build({blue_green_job("orders", "production", 2, 60)}, 2));
  REQUIRE(world.store->list_parked_jobs(10).value().size() == 1);

  world.w.advance(2 * kHour + kHour / 2);  // two passes: parked, however stale it looks
  CHECK(seen.empty());
  CHECK(world.w.get("get", {{"job_id", std::to_string(blue)}}).ok());
  world.w.advance(2 * kHour);  // passes at hour 3 (not yet up) and hour 4 (up)
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].fields["job_id"] == blue);
  CHECK(seen[0].fields["why"] == "parked_expired");
  CHECK_FALSE(world.w.get("get", {{"job_id", std::to_string(blue)}}).ok());
  CHECK(world.store->list_parked_jobs(10).value().empty());
  // The live (green) job is untouched and its row still names it.
  CHECK(world.managed_jobs("orders", "production").size() == 1);
  CHECK(world.store->get_job("orders", "production")->state == store::JobState::kDeployed);
}

}  // namespace kiln::cleanup

namespace kiln::cleanup {
namespace {

// A world whose job "stale" left the repository with build 2 and has been idle for 89 and a
// half days: the next daily pass (day 90) deletes it.
struct StaleWorld {
  StaleWorld() : world(with_cleanup()) {
    world.w.events.subscribe([this](const core::Event& e) {
      if (e.type.rfind("cleanup.", 0) == 0) seen.push_back(e);
    });
    world.crash();
    auto wrapped = std::make_unique<store::testing::FaultyStore>(std::move(world.store));
    faulty = wrapped.get();
    world.store = std::move(wrapped);
    world.restart();
    const auto b1 = world.build({{"stale", "production", 1}, {"kept", "production", 1}});
    deploy_ok(world, "stale", b1);
    deploy_ok(world, "kept", b1);
    world.build({{"kept", "production", 1}}, 2);
    job_id = *world.store->get_job("stale", "production").value().databricks_job_id;
    world.w.advance(89 * kDay + kDay / 2);
    std::string got;
    for (const auto& e : seen) got += e.type + " " + e.fields.dump() + "\n";
    INFO(got);
    REQUIRE(seen.empty());
  }
  std::vector<core::Event> of(const std::string& type) const {
    std::vector<core::Event> out;
    for (const auto& e : seen) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }
  store::JobState row_state() { return world.store->get_job("stale", "production")->state; }

  World world;
  store::testing::FaultyStore* faulty = nullptr;
  std::vector<core::Event> seen;
  std::int64_t job_id = 0;
};

}  // namespace

TEST_CASE("A delete whose answer was lost is recorded as removed by the next try", "[cleanup]") {
  StaleWorld s;
  // jobs/delete acts, then every answer is lost: the retrying client and the step give up.
  databricks::faults::ApiFaultRule lost;
  lost.pattern = "POST /api/2.2/jobs/delete";
  lost.status = 500;
  lost.error_code = "INTERNAL_ERROR";
  lost.after_handler = true;
  s.world.w.ws.add_api_fault(lost);
  s.world.w.advance(kDay);
  CHECK(s.world.managed_jobs("stale", "production").empty());  // the delete landed
  const auto deleted = s.of("cleanup.deleted");
  REQUIRE(deleted.size() == 1);
  CHECK(deleted[0].fields["job"] == "stale");
  CHECK(deleted[0].fields["job_id"] == s.job_id);
  CHECK(deleted[0].fields["why"] == "gone");
  CHECK(deleted[0].fields["owner"] == "data-team");
  CHECK(s.row_state() == store::JobState::kRemoved);
  s.world.w.advance(5 * kDay);  // idempotent: later passes find nothing to record
  CHECK(s.of("cleanup.deleted").size() == 1);
  CHECK(s.world.managed_jobs("kept", "production").size() == 1);
  CHECK(s.world.store->get_job("kept", "production")->state == store::JobState::kDeployed);
}

TEST_CASE("A storage error reading the job row fails the cleanup pass", "[cleanup]") {
  StaleWorld s;
  s.faulty->fail("get_job", 2);  // the first two tries cannot read the owner
  s.world.w.advance(kDay);
  CHECK(s.faulty->failures("get_job") == 2);
  const auto deleted = s.of("cleanup.deleted");
  REQUIRE(deleted.size() == 1);
  CHECK(deleted[0].fields["owner"] == "data-team");
  CHECK(deleted[0].fields["why"] == "stale");
  CHECK(s.row_state() == store::JobState::kRemoved);
  CHECK(s.world.managed_jobs("stale", "production").empty());
}

TEST_CASE("A deleted job whose row could not be read or written is announced once", "[cleanup]") {
  for (const char* method : {"get_job", "upsert_job"}) {
    DYNAMIC_SECTION(method) {
      StaleWorld s;
      // The delete is answered, then its row cannot be read (or written): the pass fails; its
      // retry finds the job gone and records it.
      s.faulty->fail(method, 1, std::string(method) == "get_job" ? 1 : 0);
      s.world.w.advance(kDay);
      CHECK(s.faulty->failures(method) == 1);
      CHECK(s.world.managed_jobs("stale", "production").empty());
      const auto deleted = s.of("cleanup.deleted");
      REQUIRE(deleted.size() == 1);
      CHECK(deleted[0].fields["job_id"] == s.job_id);
      CHECK(s.row_state() == store::JobState::kRemoved);
      s.world.w.advance(3 * kDay);
      CHECK(s.of("cleanup.deleted").size() == 1);
    }
  }
}

TEST_CASE("A failing runs/list or jobs/delete fails the pass, naming the call and its status",
          "[cleanup]") {
  for (const char* call : {"GET runs/list", "POST jobs/delete"}) {
    DYNAMIC_SECTION(call) {
      StaleWorld s;
      const bool list = std::string(call) == "GET runs/list";
      databricks::faults::ApiFaultRule broken;
      broken.pattern = list ? "GET /api/2.2/jobs/runs/list" : "POST /api/2.2/jobs/delete";
      broken.status = 500;
      broken.error_code = "INTERNAL_ERROR";
      broken.message = "boom";  // not a message the client retries at once
      s.world.w.ws.add_api_fault(broken);
      s.world.w.advance(kDay);
      const auto workflow = s.world.store->find_open_workflow(kCleanupKind, kCleanupKey);
      REQUIRE(workflow.ok());
      CHECK(workflow->state.value("last_error", "") ==
            "gave up after 8 attempts: " + std::string(call) + " of job " +
                std::to_string(s.job_id) + ": HTTP 500");
      CHECK(s.of("cleanup.deleted").empty());
      CHECK(s.world.managed_jobs("stale", "production").size() == 1);
    }
  }
}

TEST_CASE("A delete answered RESOURCE_DOES_NOT_EXIST counts as done", "[cleanup]") {
  StaleWorld s;
  // The job is gone by the time the delete arrives (a delete by hand, a lost answer): the
  // error code says so, whatever the message.
  databricks::faults::ApiFaultRule missing;
  missing.pattern = "POST /api/2.2/jobs/delete";
  missing.status = 404;
  missing.error_code = "RESOURCE_DOES_NOT_EXIST";
  missing.message = "No such job.";
  missing.after_handler = true;
  s.world.w.ws.add_api_fault(missing);
  s.world.w.advance(kDay);
  const auto deleted = s.of("cleanup.deleted");
  REQUIRE(deleted.size() == 1);
  CHECK(deleted[0].fields["job_id"] == s.job_id);
  CHECK(deleted[0].fields["why"] == "stale");
  CHECK(s.row_state() == store::JobState::kRemoved);
}

TEST_CASE("A job deleted by hand whose config is still built keeps its row", "[cleanup]") {
  StaleWorld s;
  const auto kept = *s.world.store->get_job("kept", "production").value().databricks_job_id;
  s.world.w.ok(s.world.w.post("delete", {{"job_id", kept}}));
  s.world.w.advance(3 * kDay);
  // Drift, for monitoring to report and the next deploy to repair: not cleanup's to record.
  CHECK(s.world.store->get_job("kept", "production")->state == store::JobState::kDeployed);
  for (const auto& e : s.seen) CHECK(e.fields.value("job", "") != "kept");
}

}  // namespace kiln::cleanup
