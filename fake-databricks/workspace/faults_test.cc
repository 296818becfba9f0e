// Faults drawn from the seed or placed at given times, configured on the workspace.
#include <catch2/catch.hpp>

#include "fake-databricks/workspace/testing.h"

namespace fakedb::testing {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

std::string task_code(Workspace& w, std::int64_t run_id) {
  const json run = w.run(run_id);
  return run["tasks"][0]["status"]["termination_details"].value("code", "");
}

TEST_CASE("a scheduled cluster launch failure fails the next launches with the cloud reason") {
  const auto at = Workspace().config.start_time_ms + kHour;
  Workspace w(
      json{{"faults",
            {{"scheduled", {{{"at", at}, {"kind", "cluster_launch_failure"}, {"count", 1}}}}}}});
  const auto job = w.create_job(job_spec("etl"));
  const auto before = w.run_now(job);
  w.advance(kHour);  // the fault is armed now
  const auto hit = w.run_now(job);
  w.advance(kHour);
  const auto after = w.run_now(job);
  w.advance(kHour);
  CHECK(w.result(before) == "SUCCESS");
  CHECK(w.life_cycle(hit) == "INTERNAL_ERROR");
  CHECK(task_code(w, hit) == "CLUSTER_ERROR");
  CHECK(w.run(hit)["tasks"][0]["state"]["state_message"].get<std::string>().find(
            "CLOUD_PROVIDER_LAUNCH_FAILURE") != std::string::npos);
  CHECK(w.result(after) == "SUCCESS");  // count 1: only one launch failed
}

TEST_CASE("a scheduled lost driver fails the running runs of the jobs it names") {
  const auto at = Workspace().config.start_time_ms + kHour;
  Workspace w(json{
      {"faults", {{"scheduled", {{{"at", at}, {"kind", "driver_lost"}, {"job", "orders-*"}}}}}}});
  const auto orders = w.create_job(job_spec("orders-stream", {notebook_task("s", "/stream")}));
  const auto other = w.create_job(job_spec("clicks-stream", {notebook_task("s", "/stream")}));
  const auto hit = w.run_now(orders);
  const auto spared = w.run_now(other);
  w.advance(2 * kHour);
  CHECK(task_code(w, hit) == "DRIVER_ERROR");
  CHECK(w.life_cycle(spared) == "RUNNING");
}

TEST_CASE("a scheduled internal error ends the named job's run INTERNAL_ERROR") {
  const auto at = Workspace().config.start_time_ms + kHour;
  Workspace w(json{
      {"faults", {{"scheduled", {{{"at", at}, {"kind", "internal_error"}, {"job", "etl"}}}}}}});
  const auto run = w.run_now(w.create_job(job_spec("etl", {notebook_task("s", "/stream")})));
  w.advance(2 * kHour);
  CHECK(w.life_cycle(run) == "INTERNAL_ERROR");
  CHECK(w.run(run)["status"]["termination_details"]["code"] == "INTERNAL_ERROR");
}

TEST_CASE("fault probabilities drawn from the seed hit some runs and replay with the seed") {
  auto outcomes = [](std::uint64_t seed) {
    Workspace w(json{{"faults", {{"cluster_launch_failure_probability", 0.5}}}}, seed);
    std::string out;
    for (int i = 0; i < 20; ++i) {
      const auto job = w.create_job(job_spec("j" + std::to_string(i)));
      const auto run = w.run_now(job);
      w.advance(kHour);
      out += w.result(run) == "SUCCESS" ? 'S' : 'F';
    }
    return out;
  };
  const std::string a = outcomes(5);
  CHECK(a == outcomes(5));
  CHECK(a.find('S') != std::string::npos);
  CHECK(a.find('F') != std::string::npos);
  CHECK(a != outcomes(6));
}

TEST_CASE("an internal error probability of 1 fails every run") {
  Workspace w(json{{"faults", {{"internal_error_probability", 1.0}}}});
  const auto run = w.run_now(w.create_job(job_spec("etl")));
  w.advance(kHour);
  CHECK(w.life_cycle(run) == "INTERNAL_ERROR");
}

TEST_CASE("a driver lost probability of 1 fails every attempt and retries replace it") {
  Workspace w(json{{"faults", {{"driver_lost_probability", 1.0}}}});
  json task = notebook_task("main");
  task["max_retries"] = 2;
  const auto run = w.run_now(w.create_job(job_spec("etl", {task})));
  w.advance(3 * kHour);
  const json r = w.run(run);
  REQUIRE(r["tasks"].size() == 3);
  for (const auto& t : r["tasks"])
    CHECK(t["status"]["termination_details"]["code"] == "DRIVER_ERROR");
  CHECK(r["state"]["result_state"] == "FAILED");
}

TEST_CASE("a bad scheduled fault names its field") {
  auto c = WorkspaceConfig::from_json(
      {{"faults", {{"scheduled", {{{"at", "soon"}, {"kind", "driver_lost"}}}}}}});
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("faults.scheduled[0].at: expected epoch milliseconds") == 0);
  c = WorkspaceConfig::from_json({{"faults", {{"scheduled", {{{"at", 0}, {"kind", "meteor"}}}}}}});
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message.find("faults.scheduled[0].kind") == 0);
}

}  // namespace
}  // namespace fakedb::testing
