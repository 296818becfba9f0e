// Deploys with the blue-green strategy, end to end against the in-process emulator whose
// streaming runs follow the writer-lock protocol through kiln's lock service. Every test ends
// by checking the stream invariants (core/streams/invariants.h) over everything that happened.
#include <catch2/catch.hpp>

#include "platform/runtime/test_world.h"

namespace kiln::runtime {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test fixtures
using fakedb::testing::kMinute;
using store::DeploymentStatus;

std::vector<std::string> phase_names(const std::vector<store::DeploymentPhase>& phases) {
  std::vector<std::string> names;
  for (const auto& p : phases) names.push_back(p.phase);
  return names;
}

std::vector<std::int64_t> active_runs(World& world, std::int64_t job_id) {
  std::vector<std::int64_t> out;
  for (const auto& r : world.runs_of(job_id)) {
    const std::string life = r["state"]["life_cycle_state"];
    if (life != "TERMINATED" && life != "SKIPPED" && life != "INTERNAL_ERROR") {
      out.push_back(r["run_id"].get<std::int64_t>());
    }
  }
  return out;
}

// Active runs across every managed job of (name, target).
std::size_t versions_running(World& world, const std::string& name) {
  std::size_t n = 0;
  for (const auto& j : world.managed_jobs(name, "production")) {
    n += active_runs(world, j["job_id"].get<std::int64_t>()).size();
  }
  return n;
}

void require_invariants(World& world) {
  world.invariants.finish(world.w.loop.now_ms());
  for (const auto& v : world.invariants.violations()) FAIL_CHECK(v);
  CHECK(world.invariants.writes() > 0);
}

std::string holder_now(World& world, const std::string& stream) {
  auto state = world.locks->state(stream, nullptr);
  return state ? state->holder_at(world.w.loop.now_ms()) : "";
}

// Deploys v1 and lets it write for a while: blue.
std::int64_t deploy_blue(World& world, const JobFile& job) {
  const auto b = world.build({job});
  const auto id = world.deploy(job.name, job.target, b);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  world.w.loop.run_until(world.w.loop.now_ms() + 5 * kMinute);
  return id;
}

}  // namespace

TEST_CASE("A first blue-green deploy starts green, which takes the free lock", "[blue-green]") {
  World world;
  const auto b1 = world.build({blue_green_job("orders", "production", 1, 60)});
  const auto id = world.deploy("orders", "production", b1);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  CHECK(phase_names(world.phases(id)) ==
        std::vector<std::string>{"prepare", "green", "running", "health", "stop-blue"});
  const auto jobs = world.managed_jobs("orders", "production");
  REQUIRE(jobs.size() == 1);
  const auto params = jobs[0]["settings"]["parameters"];
  CHECK(
      params.dump() ==
      R"([{"default":"orders","name":"kiln_stream"},{"default":"deployment-1","name":"kiln_holder"}])");
  const auto row = world.store->get_job("orders", "production").value();
  CHECK(row.databricks_job_id == jobs[0]["job_id"].get<std::int64_t>());
  CHECK(row.state == store::JobState::kDeployed);
  CHECK(holder_now(world, "orders") == "deployment-1");
  world.w.loop.run_until(world.w.loop.now_ms() + 10 * kMinute);
  require_invariants(world);
}

TEST_CASE("An upgrade hands the lock to a caught-up green, then stops blue", "[blue-green]") {
  World world;
  deploy_blue(world, blue_green_job("orders", "production", 1, 120));
  const auto blue_job = world.store->get_job("orders", "production")->databricks_job_id.value();
  const auto b2 = world.build({blue_green_job("orders", "production", 2, 120)}, 2);
  const auto id = world.deploy("orders", "production", b2);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  const auto phases = world.phases(id);
  CHECK(phase_names(phases) ==
        std::vector<std::string>{"prepare", "green", "running", "health", "stop-blue"});
  CHECK_THAT(phases[3].reason, Catch::StartsWith("green held the writer lock (token 2"));
  CHECK_THAT(phases[4].reason, Catch::Contains("deleted blue job " + std::to_string(blue_job)));
  // Blue's job is gone; green is the live job and the one version running.
  const auto jobs = world.managed_jobs("orders", "production");
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0]["job_id"].get<std::int64_t>() != blue_job);
  CHECK(world.store->get_job("orders", "production")->databricks_job_id ==
        jobs[0]["job_id"].get<std::int64_t>());
  CHECK(versions_running(world, "orders") == 1);
  CHECK(holder_now(world, "orders") == "deployment-2");
  world.w.loop.run_until(world.w.loop.now_ms() + 10 * kMinute);
  require_invariants(world);
}

TEST_CASE("A green that fails in its health window is aborted and blue never stops",
          "[blue-green]") {
  World world;
  deploy_blue(world, blue_green_job("orders", "production", 1, 600));
  const auto blue_job = world.store->get_job("orders", "production")->databricks_job_id.value();
  const auto blue_runs = active_runs(world, blue_job);
  // v2 runs a notebook that fails after about a minute.
  const auto b2 = world.build(
      {blue_green_job("orders", "production", 2, 600, "/Workspace/etl/stream_fail")}, 2);
  const auto id = world.deploy("orders", "production", b2);
  const auto done = world.run_until_finished(id);
  REQUIRE(done.status == DeploymentStatus::kAborted);
  CHECK_THAT(done.outcome_reason, Catch::Contains("in its health window"));
  CHECK(phase_names(world.phases(id)).back() == "abort");
  // Blue ran throughout with the same run; green's job is gone; blue writes again.
  CHECK(active_runs(world, blue_job) == blue_runs);
  REQUIRE(world.managed_jobs("orders", "production").size() == 1);
  const auto row = world.store->get_job("orders", "production").value();
  CHECK(row.databricks_job_id == blue_job);
  CHECK(row.deployed_version == 1);
  CHECK(row.state == store::JobState::kDeployed);
  world.w.loop.run_until(world.w.loop.now_ms() + 2 * kMinute);
  CHECK(holder_now(world, "orders") == "deployment-1");
  require_invariants(world);
}

TEST_CASE("A green that never reaches RUNNING is aborted after the start timeout", "[blue-green]") {
  KilnOptions options = World::default_options();
  options.deploy.start_timeout_ms = 10 * kMinute;
  World world(options, {{"faults", {{"cluster_launch_failure_probability", 1.0}}}});
  // Every cluster launch fails: v1's run never starts either, so blue is absent; green is
  // aborted with nothing to hand back.
  const auto b1 = world.build({blue_green_job("orders", "production", 1, 60)});
  const auto id = world.deploy("orders", "production", b1);
  const auto done = world.run_until_finished(id);
  REQUIRE(done.status == DeploymentStatus::kAborted);
  CHECK_THAT(done.outcome_reason, Catch::StartsWith("green run"));
  CHECK(world.managed_jobs("orders", "production").empty());
  CHECK(world.store->get_job("orders", "production")->state == store::JobState::kFailed);
}

TEST_CASE("A newer deploy supersedes a green still in its health window", "[blue-green]") {
  World world;
  deploy_blue(world, blue_green_job("orders", "production", 1, 600));
  const auto b2 = world.build({blue_green_job("orders", "production", 2, 600)}, 2);
  const auto b3 = world.build({blue_green_job("orders", "production", 3, 60)}, 3);
  const auto second = world.deploy("orders", "production", b2);
  world.w.loop.run_until(world.w.loop.now_ms() + 3 * kMinute);  // green 2 is in its window
  const auto third = world.deploy("orders", "production", b3);
  const auto s2 = world.run_until_finished(second);
  CHECK(s2.status == DeploymentStatus::kSuperseded);
  CHECK(s2.outcome_reason == "superseded by deployment " + std::to_string(third));
  const auto s3 = world.run_until_finished(third);
  INFO(s3.outcome_reason);
  REQUIRE(s3.status == DeploymentStatus::kSucceeded);
  CHECK(world.managed_jobs("orders", "production").size() == 1);
  CHECK(versions_running(world, "orders") == 1);
  CHECK(holder_now(world, "orders") == "deployment-" + std::to_string(third));
  require_invariants(world);
}

TEST_CASE("A parked blue is kept stopped and a rollback to its build reuses it", "[blue-green]") {
  KilnOptions options = World::default_options();
  options.deploy.park_blue_ms = 3'600'000;
  World world(options);
  deploy_blue(world, blue_green_job("orders", "production", 1, 60));
  const auto blue_job = world.store->get_job("orders", "production")->databricks_job_id.value();
  const auto b2 = world.build({blue_green_job("orders", "production", 2, 60)}, 2);
  const auto id = world.deploy("orders", "production", b2);
  REQUIRE(world.run_until_finished(id).status == DeploymentStatus::kSucceeded);
  CHECK(world.managed_jobs("orders", "production").size() == 2);
  CHECK(active_runs(world, blue_job).empty());
  const auto parked = world.store->list_parked_jobs(10).value();
  REQUIRE(parked.size() == 1);
  CHECK(parked[0].databricks_job_id == blue_job);
  CHECK(parked[0].version == 1);
  CHECK(parked[0].until_ms == world.deployment(id).finished_ms.value() + 3'600'000);

  // Rolling back to v1's build reuses the parked job as green: no jobs/create.
  const auto b1 = world.deployment(1).request.build_id;
  const auto back = world.deploy("orders", "production", b1, "user:oncall");
  const auto done = world.run_until_finished(back);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  CHECK_THAT(world.phases(back)[1].reason,
             Catch::StartsWith("parked job " + std::to_string(blue_job)));
  CHECK(world.store->get_job("orders", "production")->databricks_job_id == blue_job);
  CHECK(world.managed_jobs("orders", "production").size() == 2);  // v1 live, v2 parked
  const auto now_parked = world.store->list_parked_jobs(10).value();
  REQUIRE(now_parked.size() == 1);
  CHECK(now_parked[0].databricks_job_id != blue_job);
  CHECK(now_parked[0].version == 2);
  CHECK(versions_running(world, "orders") == 1);
  CHECK(holder_now(world, "orders") == "deployment-" + std::to_string(back));
  require_invariants(world);
}

TEST_CASE("A continuous blue is paused before its run is cancelled so it stays stopped",
          "[blue-green]") {
  World world;
  auto job = [](int version) {
    JobFile j = blue_green_job("ticks", "production", version, 60);
    j.extra_settings = "  continuous: {pause_status: UNPAUSED}\n";
    return j;
  };
  deploy_blue(world, job(1));
  const auto blue_job = world.store->get_job("ticks", "production")->databricks_job_id.value();
  const auto id = world.deploy("ticks", "production", world.build({job(2)}, 2));
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  CHECK_THAT(world.phases(id)[1].reason, Catch::EndsWith("(continuous)"));
  world.w.loop.run_until(world.w.loop.now_ms() + 10 * kMinute);
  // Blue's job is gone (and was not restarted by Databricks meanwhile); green runs alone.
  CHECK_FALSE(world.w.get("get", {{"job_id", std::to_string(blue_job)}}).ok());
  CHECK(versions_running(world, "ticks") == 1);
  CHECK(holder_now(world, "ticks") == "deployment-2");
  require_invariants(world);
}

}  // namespace kiln::runtime
