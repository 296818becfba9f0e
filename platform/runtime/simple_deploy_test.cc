// Deploys with the simple strategy, end to end against the in-process emulator.
#include <catch2/catch.hpp>

#include "platform/runtime/test_world.h"

namespace kiln::runtime {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test fixtures
using fakedb::testing::kMinute;
using store::DeploymentStatus;

const std::string kStream = "/Workspace/etl/stream";  // runs until stopped

std::vector<std::string> phase_names(const std::vector<store::DeploymentPhase>& phases) {
  std::vector<std::string> names;
  for (const auto& p : phases) names.push_back(p.phase);
  return names;
}

int active_runs(World& world, std::int64_t job_id) {
  int n = 0;
  for (const auto& r : world.runs_of(job_id)) {
    const std::string life = r["state"]["life_cycle_state"];
    if (life != "TERMINATED" && life != "SKIPPED" && life != "INTERNAL_ERROR") ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("A first deploy creates a tagged job, starts one run and records every phase",
          "[deploy]") {
  World world;
  const auto b1 = world.build({{"orders", "production", 3, kStream}});
  const auto id = world.deploy("orders", "production", b1);
  CHECK(world.deployment(id).status == DeploymentStatus::kQueued);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  CHECK(done.request.version == 3);
  CHECK(done.request.requested_by == "user:test");

  const auto jobs = world.managed_jobs("orders", "production");
  REQUIRE(jobs.size() == 1);
  const auto job_id = jobs[0]["job_id"].get<std::int64_t>();
  const auto tags = jobs[0]["settings"]["tags"];
  CHECK(tags["kiln_managed"] == "true");
  CHECK(tags["kiln_version"] == "3");
  CHECK(tags["kiln_build"] == b1);
  CHECK(tags["kiln_deployment"] == std::to_string(id));
  CHECK(jobs[0]["settings"]["name"] == "orders");

  const auto runs = world.runs_of(job_id);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["state"]["life_cycle_state"] == "RUNNING");

  const auto phases = world.phases(id);
  CHECK(phase_names(phases) == std::vector<std::string>{"prepare", "job", "stop", "start", "wait"});
  for (const auto& p : phases) CHECK(p.outcome == store::PhaseOutcome::kSucceeded);
  CHECK_THAT(phases[1].reason, Catch::StartsWith("created job "));
  CHECK(phases[2].reason == "no run was active");
  CHECK(phases[4].reason == "run " + runs[0]["run_id"].dump() + " RUNNING");

  const auto row = world.store->get_job("orders", "production").value();
  CHECK(row.databricks_job_id == job_id);
  CHECK(row.deployed_version == 3);
  CHECK(row.deployed_build_id == b1);
  CHECK(row.state == store::JobState::kDeployed);
  const auto run_row = world.store->get_run(runs[0]["run_id"].get<std::int64_t>()).value();
  CHECK(run_row.version == 3);
  CHECK(run_row.life_cycle_state == "RUNNING");
}

TEST_CASE("An upgrade resets the same job, stops the old run before starting the new one",
          "[deploy]") {
  World world;
  const auto b1 = world.build({{"orders", "production", 1, kStream}});
  REQUIRE(world.run_until_finished(world.deploy("orders", "production", b1)).status ==
          DeploymentStatus::kSucceeded);
  const auto job_id =
      world.managed_jobs("orders", "production").at(0)["job_id"].get<std::int64_t>();
  const auto old_run = world.runs_of(job_id).at(0)["run_id"].get<std::int64_t>();

  world.w.advance(10 * kMinute);
  const auto b2 = world.build({{"orders", "production", 2, kStream}}, 2);
  const auto id = world.deploy("orders", "production", b2);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);

  REQUIRE(world.managed_jobs("orders", "production").size() == 1);  // the same job, reset
  CHECK(world.w.job(job_id)["settings"]["tags"]["kiln_version"] == "2");
  const auto runs = world.runs_of(job_id);
  REQUIRE(runs.size() == 2);
  CHECK(runs[1]["run_id"] == old_run);
  CHECK(runs[1]["state"]["result_state"] == "CANCELED");
  CHECK(runs[0]["state"]["life_cycle_state"] == "RUNNING");
  // The new run started only after the old one had ended.
  CHECK(runs[0]["start_time"].get<std::int64_t>() >= runs[1]["end_time"].get<std::int64_t>());
  const auto phases = world.phases(id);
  CHECK_THAT(phases[1].reason, Catch::Equals("reset job " + std::to_string(job_id)));
  CHECK(phases[2].reason == "stopped run(s) " + std::to_string(old_run));
  CHECK(world.store->get_job("orders", "production").value().deployed_version == 2);
}

TEST_CASE("A rollback is a deploy of an older build", "[deploy]") {
  World world;
  const auto b1 = world.build({{"orders", "production", 1, kStream}});
  const auto b2 = world.build({{"orders", "production", 2, kStream}}, 2);
  REQUIRE(world.run_until_finished(world.deploy("orders", "production", b1)).status ==
          DeploymentStatus::kSucceeded);
  REQUIRE(world.run_until_finished(world.deploy("orders", "production", b2)).status ==
          DeploymentStatus::kSucceeded);
  const auto back = world.run_until_finished(world.deploy("orders", "production", b1));
  REQUIRE(back.status == DeploymentStatus::kSucceeded);
  const auto row = world.store->get_job("orders", "production").value();
  CHECK(row.deployed_version == 1);
  CHECK(row.deployed_build_id == b1);
  const auto job_id = *row.databricks_job_id;
  CHECK(world.w.job(job_id)["settings"]["tags"]["kiln_build"] == b1);
  CHECK(active_runs(world, job_id) == 1);
  CHECK(world.store->deployment_history("orders", "production", 10).value().size() == 3);
}

TEST_CASE("A run that fails ends the deployment failed with its reason; what was deployed stays",
          "[deploy]") {
  auto options = World::default_options();
  options.deploy.wait_for = deploy::WaitFor::kFirstRunEnd;
  World world(options);
  const auto b1 = world.build({{"orders", "production", 1}});
  REQUIRE(world.run_until_finished(world.deploy("orders", "production", b1)).status ==
          DeploymentStatus::kSucceeded);
  const auto b2 = world.build({{"orders", "production", 2, "/Workspace/etl/fail"}}, 2);
  const auto id = world.deploy("orders", "production", b2);
  const auto done = world.run_until_finished(id);
  REQUIRE(done.status == DeploymentStatus::kFailed);
  CHECK_THAT(done.outcome_reason, Catch::Contains("ended INTERNAL_ERROR FAILED") ||
                                      Catch::Contains("ended TERMINATED FAILED"));
  const auto phases = world.phases(id);
  CHECK(phases.back().phase == "wait");
  CHECK(phases.back().outcome == store::PhaseOutcome::kFailed);
  const auto row = world.store->get_job("orders", "production").value();
  CHECK(row.state == store::JobState::kFailed);
  CHECK(row.deployed_version == 1);  // still what last succeeded
  CHECK(row.deployed_build_id == b1);
}

TEST_CASE("A deploy that fails after changing the job rolls back to the build that was live",
          "[deploy]") {
  auto first_run_end = World::default_options();
  first_run_end.deploy.wait_for = deploy::WaitFor::kFirstRunEnd;
  World world(first_run_end);
  const auto b1 = world.build({{"orders", "production", 1}});
  REQUIRE(world.run_until_finished(world.deploy("orders", "production", b1)).status ==
          DeploymentStatus::kSucceeded);
  const auto b2 = world.build({{"orders", "production", 2, "/Workspace/etl/fail"}}, 2);
  const auto failed = world.deploy("orders", "production", b2);
  REQUIRE(world.run_until_finished(failed).status == DeploymentStatus::kFailed);
  world.w.advance(fakedb::testing::kHour);
  const auto history = world.store->deployment_history("orders", "production", 10).value();
  REQUIRE(history.size() == 3);
  const auto& rollback = history[0];
  CHECK(rollback.request.requested_by == "kiln:rollback");
  CHECK(rollback.request.build_id == b1);
  CHECK_THAT(rollback.request.reason, Catch::StartsWith("rollback after deployment " +
                                                        std::to_string(failed) + " failed: run "));
  CHECK(rollback.status == DeploymentStatus::kSucceeded);
  const auto row = world.store->get_job("orders", "production").value();
  CHECK(row.deployed_version == 1);
  CHECK(row.state == store::JobState::kDeployed);
  CHECK(world.w.job(*row.databricks_job_id)["settings"]["tags"]["kiln_build"] == b1);

  // With rollback_on_failure off a failed deploy is left as it is.
  auto options = first_run_end;
  options.deploy.rollback_on_failure = false;
  World off(options);
  const auto c1 = off.build({{"orders", "production", 1}});
  REQUIRE(off.run_until_finished(off.deploy("orders", "production", c1)).status ==
          DeploymentStatus::kSucceeded);
  REQUIRE(off.run_until_finished(
                 off.deploy("orders", "production",
                            off.build({{"orders", "production", 2, "/Workspace/etl/fail"}}, 2)))
              .status == DeploymentStatus::kFailed);
  off.w.advance(fakedb::testing::kHour);
  CHECK(off.store->deployment_history("orders", "production", 10).value().size() == 2);
}

TEST_CASE("With wait_for first-run-end a batch deploy succeeds when its run succeeds", "[deploy]") {
  auto options = World::default_options();
  options.deploy.wait_for = deploy::WaitFor::kFirstRunEnd;
  World world(options);
  const auto id = world.deploy("orders", "production", world.build({{"orders", "production", 1}}));
  const auto done = world.run_until_finished(id);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  CHECK_THAT(done.outcome_reason, Catch::EndsWith("ended SUCCESS"));
}

TEST_CASE("A deploy request for a missing build or job is refused at once, naming it", "[deploy]") {
  World world;
  const auto b1 = world.build({{"orders", "production", 1}});
  auto no_build = world.kiln->deploy("orders", "production", "b-nope", "user:x");
  CHECK(no_build.code() == store::ErrorCode::kNotFound);
  CHECK_THAT(no_build.error().message, Catch::Contains("b-nope"));
  auto no_job = world.kiln->deploy("payments", "production", b1, "user:x");
  CHECK(no_job.code() == store::ErrorCode::kNotFound);
  CHECK_THAT(no_job.error().message, Catch::Contains("has no job payments (production)") &&
                                         Catch::Contains("orders (production)"));
  auto no_target = world.kiln->deploy("orders", "staging", b1, "user:x");
  CHECK(no_target.code() == store::ErrorCode::kNotFound);
  CHECK(world.store->deployment_history("orders", "production", 10).value().empty());
}

TEST_CASE("A newer request supersedes the queued one; the running one is never interrupted",
          "[deploy]") {
  World world;
  const auto b1 = world.build({{"orders", "production", 1, kStream}});
  const auto b2 = world.build({{"orders", "production", 2, kStream}}, 2);
  const auto b3 = world.build({{"orders", "production", 3, kStream}}, 3);
  const auto first = world.deploy("orders", "production", b1);
  world.w.loop.run_until(world.w.loop.now_ms() + 1);  // first is running now
  REQUIRE(world.deployment(first).status == DeploymentStatus::kRunning);
  const auto second = world.deploy("orders", "production", b2);
  const auto third = world.deploy("orders", "production", b3);
  CHECK(world.deployment(second).status == DeploymentStatus::kSuperseded);
  CHECK_THAT(world.deployment(second).outcome_reason, Catch::Contains("build " + b3));
  CHECK(world.deployment(third).status == DeploymentStatus::kQueued);

  REQUIRE(world.run_until_finished(first).status == DeploymentStatus::kSucceeded);
  const auto done = world.run_until_finished(third);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  CHECK(*done.started_ms >= *world.deployment(first).finished_ms);
  CHECK(world.phases(second).empty());  // never touched the workspace
  CHECK(world.store->get_job("orders", "production").value().deployed_version == 3);
}

TEST_CASE("A job deleted outside kiln is created again by the next deploy", "[deploy]") {
  World world;
  const auto b1 = world.build({{"orders", "production", 1, kStream}});
  REQUIRE(world.run_until_finished(world.deploy("orders", "production", b1)).status ==
          DeploymentStatus::kSucceeded);
  const auto old_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  world.w.ok(world.w.post("delete", {{"job_id", old_id}}));
  const auto id =
      world.deploy("orders", "production", world.build({{"orders", "production", 2, kStream}}, 2));
  REQUIRE(world.run_until_finished(id).status == DeploymentStatus::kSucceeded);
  const auto jobs = world.managed_jobs("orders", "production");
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0]["job_id"] != old_id);
  CHECK_THAT(world.phases(id)[1].reason,
             Catch::StartsWith("job " + std::to_string(old_id) +
                               " was deleted outside kiln; created job"));
}

TEST_CASE("A lost jobs/create answer leads to the job being adopted, not duplicated", "[deploy]") {
  World world;
  databricks::faults::ApiFaultRule lost;
  lost.pattern = "POST /api/2.2/jobs/create";
  lost.drop = true;
  lost.after_handler = true;
  lost.times = 1;
  world.w.ws.add_api_fault(lost);
  const auto id =
      world.deploy("orders", "production", world.build({{"orders", "production", 1, kStream}}));
  const auto done = world.run_until_finished(id);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  REQUIRE(world.managed_jobs("orders", "production").size() == 1);
  CHECK_THAT(world.phases(id)[1].reason, Catch::StartsWith("adopted job "));
  CHECK(world.kiln->engine().counters().retries >= 1);
}

TEST_CASE("A continuous job is paused to stop its run and unpaused to start the new one",
          "[deploy]") {
  World world;
  const std::string continuous = "  continuous: {pause_status: UNPAUSED}\n";
  const auto b1 = world.build({{"ticks", "production", 1, kStream, continuous}});
  REQUIRE(world.run_until_finished(world.deploy("ticks", "production", b1)).status ==
          DeploymentStatus::kSucceeded);
  const auto job_id = *world.store->get_job("ticks", "production").value().databricks_job_id;
  CHECK(active_runs(world, job_id) == 1);
  world.w.advance(5 * kMinute);
  const auto b2 = world.build({{"ticks", "production", 2, kStream, continuous}}, 2);
  const auto id = world.deploy("ticks", "production", b2);
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  CHECK(active_runs(world, job_id) == 1);
  CHECK(world.runs_of(job_id).size() == 2);
  CHECK(world.w.job(job_id)["settings"]["continuous"]["pause_status"] == "UNPAUSED");
  CHECK_THAT(world.phases(id)[3].reason, Catch::StartsWith("unpaused; continuous run "));
}

TEST_CASE("A 503 window longer than the client's retry budget is outlasted by step retries",
          "[deploy]") {
  World world;
  databricks::faults::ApiFaultRule outage;
  outage.pattern = "*";
  outage.status = 503;
  outage.from_ms = world.w.loop.now_ms();
  outage.until_ms = world.w.loop.now_ms() + 8 * kMinute;  // past the 5-minute client budget
  world.w.ws.add_api_fault(outage);
  const auto id =
      world.deploy("orders", "production", world.build({{"orders", "production", 1, kStream}}));
  const auto done = world.run_until_finished(id);
  INFO(done.outcome_reason);
  REQUIRE(done.status == DeploymentStatus::kSucceeded);
  CHECK(world.kiln->engine().counters().retries >= 1);
  CHECK(world.managed_jobs("orders", "production").size() == 1);
}

TEST_CASE("Config tags under kiln_ fail the deploy before the workspace is touched", "[deploy]") {
  World world;
  const auto b1 = world.build({{"orders", "production", 1, kStream, "  tags: {kiln_job: mine}\n"}});
  const auto id = world.deploy("orders", "production", b1);
  const auto done = world.run_until_finished(id);
  REQUIRE(done.status == DeploymentStatus::kFailed);
  CHECK_THAT(done.outcome_reason, Catch::Contains("kiln_ are kiln's own"));
  CHECK(world.managed_jobs("orders", "production").empty());
}

TEST_CASE("A blue-green deploy fails clearly when kiln has no lock service", "[deploy]") {
  World world;
  world.options.locks = nullptr;
  world.restart();
  const auto b1 = world.build({blue_green_job("orders", "production", 1, 60)});
  const auto done = world.run_until_finished(world.deploy("orders", "production", b1));
  REQUIRE(done.status == DeploymentStatus::kFailed);
  CHECK(done.outcome_reason == "blue-green needs a lock service, and this kiln has none");
  CHECK(done.request.strategy == store::Strategy::kBlueGreen);
  CHECK(world.managed_jobs("orders", "production").empty());
}

}  // namespace kiln::runtime

namespace kiln::runtime {

TEST_CASE("The same world and seed give the same deploys to the millisecond", "[deploy]") {
  // Random 503s and latency drawn from the seed; every phase time and id must repeat.
  auto history = [](std::uint64_t seed) {
    auto options = World::default_options();
    options.seed = seed;
    World world(
        options,
        {{"latency_ms", {{"uniform", {20, 400}}}},
         {"faults", {{"api", {{{"pattern", "*"}, {"status", 503}, {"probability", 0.2}}}}}}});
    const auto b1 = world.build({{"orders", "production", 1, "/Workspace/etl/stream"}});
    const auto b2 = world.build({{"orders", "production", 2, "/Workspace/etl/stream"}}, 2);
    std::string out;
    for (const auto& b : {b1, b2, b1}) {
      const auto d = world.run_until_finished(world.deploy("orders", "production", b));
      out += std::string(store::to_string(d.status)) + " " + std::to_string(*d.finished_ms) + "\n";
      for (const auto& p : world.phases(d.id)) {
        out += "  " + p.phase + " " + std::to_string(p.started_ms) + " " +
               std::to_string(p.finished_ms.value_or(-1)) + " " + p.reason + "\n";
      }
    }
    return out;
  };
  const auto first = history(7);
  INFO(first);
  CHECK(first.find("succeeded") != std::string::npos);
  CHECK(history(7) == first);
  CHECK(history(8) != first);
}

}  // namespace kiln::runtime
