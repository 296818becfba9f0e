// Monitoring end to end: a Kiln with monitoring on, over the in-process emulator.
#include <catch2/catch.hpp>
#include <set>

#include "platform/monitor/faulty_store_testing.h"
#include "platform/runtime/test_world.h"

namespace kiln::monitor {
namespace {

using fakedb::testing::kHour;
using fakedb::testing::kMinute;
using nlohmann::json;
using runtime::testing::World;

const std::string kHourly =
    "  schedule: {quartz_cron_expression: \"0 0 * * * ?\", timezone_id: UTC}\n";

runtime::KilnOptions monitored_options(core::DurationMs interval_ms = kMinute) {
  auto options = World::default_options();
  MonitorOptions m;
  m.interval_ms = interval_ms;
  m.saved_jobs_limit = 4;
  m.quota_warning_fraction = 0.5;
  options.monitor = m;
  return options;
}

World monitored(json overrides = json::object()) {
  return World(monitored_options(), std::move(overrides));
}

// Replaces the world's metadata DB by a FaultyStore over it (before anything ran on it).
store::testing::FaultyStore& faulty_store(World& world) {
  world.crash();
  auto faulty = std::make_unique<store::testing::FaultyStore>(std::move(world.store));
  auto& ref = *faulty;
  world.store = std::move(faulty);
  world.restart();
  return ref;
}

// Points the job's only task at another notebook, by hand (the workspace's settings, not a
// deploy: kiln's tags stay).
void repoint(World& world, std::int64_t job_id, const std::string& notebook_path) {
  json settings = world.w.job(job_id)["settings"];
  settings["tasks"][0]["notebook_task"]["notebook_path"] = notebook_path;
  world.w.ok(world.w.post("reset", {{"job_id", job_id}, {"new_settings", settings}}));
}

// Records kiln's monitoring events as they are published.
class Seen {
 public:
  explicit Seen(core::EventLog& log) : log_(log) {
    id_ = log.subscribe([this](const core::Event& e) {
      if (e.type.rfind("job.", 0) == 0 || e.type.rfind("workspace.", 0) == 0) events_.push_back(e);
    });
  }
  ~Seen() { log_.unsubscribe(id_); }
  Seen(const Seen&) = delete;
  Seen& operator=(const Seen&) = delete;
  // "type run_id" of every job.run_* event, in publication order.
  std::vector<std::string> run_events() const {
    std::vector<std::string> out;
    for (const auto& e : events_) {
      if (e.type.rfind("job.run_", 0) == 0) {
        out.push_back(e.type + " " + std::to_string(e.fields.value("run_id", std::int64_t{0})));
      }
    }
    return out;
  }
  std::vector<json> of(const std::string& type, const std::string& job = "") const {
    std::vector<json> out;
    for (const auto& e : events_) {
      if (e.type == type && (job.empty() || e.fields.value("job", "") == job))
        out.push_back(e.fields);
    }
    return out;
  }

 private:
  core::EventLog& log_;
  core::EventLog::SubscriptionId id_ = 0;
  std::vector<core::Event> events_;
};

void deploy_ok(World& world, const std::string& job, const std::string& build) {
  REQUIRE(world.run_until_finished(world.deploy(job, "production", build)).status ==
          store::DeploymentStatus::kSucceeded);
}

}  // namespace

TEST_CASE("Scheduled runs are recorded so the DB's latest run is the workspace's", "[monitor]") {
  World world = monitored();
  const std::string every_10m =
      "  schedule: {quartz_cron_expression: \"0 */10 * * * ?\", timezone_id: UTC}\n";
  deploy_ok(world, "orders",
            world.build({{"orders", "production", 1, "/Workspace/etl/nb", every_10m}}));
  world.w.advance(2 * kHour + 5 * kMinute);
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  const auto runs = world.runs_of(job_id);  // newest first
  REQUIRE(runs.size() >= 12);
  CHECK(runs.front()["trigger"] == "PERIODIC");
  const auto known = world.store->list_runs("orders", "production", 1000).value();
  REQUIRE(known.size() == runs.size());
  CHECK(known.front().run_id == runs.front()["run_id"].get<std::int64_t>());
  for (const auto& r : known) {
    INFO(r.run_id);
    CHECK(r.end_ms.has_value());
    CHECK(r.result_state == "SUCCESS");
  }
}

TEST_CASE("Retries are attempts of one run; a run failed for good alerts once and recovers once",
          "[monitor]") {
  // flaky fails its first two attempts: with two retries each run succeeds in the end.
  // broken fails its first three: each run fails for good, until v2 (a fixed path) works.
  const json rules =
      json::array({{{"match", {{"path", "*flaky*"}}},
                    {"model", {{"kind", "scripted"}, {"fail_on_attempts", {0, 1}}}}},
                   {{"match", {{"path", "*broken*"}}},
                    {"model", {{"kind", "scripted"}, {"fail_on_attempts", {0, 1, 2}}}}}});
  World world = monitored({{"workloads", {{"rules", rules}}}});
  Seen seen(world.w.events);
  const std::string retries = "      max_retries: 2\n      min_retry_interval_millis: 60000\n";
  const auto b1 = world.build({{"flaky", "production", 1, "/Workspace/flaky", kHourly, retries},
                               {"broken", "production", 1, "/Workspace/broken", kHourly, retries}});
  deploy_ok(world, "flaky", b1);
  deploy_ok(world, "broken", b1);
  world.w.advance(3 * kHour);
  CHECK(seen.of("job.run_failed", "flaky").empty());
  const auto failed = seen.of("job.run_failed", "broken");
  REQUIRE(failed.size() >= 3);  // the deploy's run and each hourly run, once each
  std::set<std::int64_t> run_ids;
  for (const auto& f : failed) run_ids.insert(f["run_id"].get<std::int64_t>());
  CHECK(run_ids.size() == failed.size());
  CHECK(failed[0]["result"] == "FAILED");
  CHECK(failed[0]["owner"] == "data-team");
  CHECK(seen.of("job.run_recovered", "broken").empty());

  deploy_ok(world, "broken",
            world.build({{"flaky", "production", 1, "/Workspace/flaky", kHourly, retries},
                         {"broken", "production", 2, "/Workspace/fixed", kHourly, retries}},
                        2));
  world.w.advance(3 * kHour);
  const auto recovered = seen.of("job.run_recovered", "broken");
  REQUIRE(recovered.size() == 1);
  CHECK(recovered[0]["version"] == 2);
  CHECK(seen.of("job.run_failed", "broken").size() == failed.size());
}

TEST_CASE("A managed job deleted outside kiln is reported as drift once", "[monitor]") {
  World world = monitored();
  Seen seen(world.w.events);
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/stream"}}));
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  world.w.ok(world.w.post("delete", {{"job_id", job_id}}));
  world.w.advance(10 * kMinute);
  const auto drift = seen.of("job.drift", "orders");
  REQUIRE(drift.size() == 1);
  CHECK(drift[0]["kind"] == "deleted");
  CHECK_THAT(drift[0]["detail"].get<std::string>(), Catch::Contains(std::to_string(job_id)));
}

TEST_CASE("The runs of a managed job deleted outside kiln are recorded as ended", "[monitor]") {
  World world = monitored();
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/stream"}}));
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  world.w.advance(5 * kMinute);
  auto runs = world.store->list_runs("orders", "production", 10).value();
  REQUIRE(runs.size() == 1);
  REQUIRE_FALSE(runs[0].end_ms);  // the stream runs
  world.w.ok(world.w.post("delete", {{"job_id", job_id}}));
  world.w.advance(10 * kMinute);
  runs = world.store->list_runs("orders", "production", 10).value();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].end_ms.has_value());
  CHECK(runs[0].life_cycle_state == "TERMINATED");
  CHECK(world.store->list_unfinished_runs(100).value().empty());
}

TEST_CASE("A run queued behind the active one is not drift", "[monitor]") {
  World world = monitored();
  Seen seen(world.w.events);
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/stream"}}));
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  const auto queued = world.w.run_now(job_id);  // API 2.2: queueing on, one run at a time
  REQUIRE(world.w.life_cycle(queued) == "QUEUED");
  world.w.advance(10 * kMinute);
  REQUIRE(world.w.life_cycle(queued) == "QUEUED");
  CHECK(seen.of("job.drift", "orders").empty());
}

TEST_CASE("A managed job edited outside kiln is reported as drift once per edit", "[monitor]") {
  World world = monitored();
  Seen seen(world.w.events);
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/stream"}}));
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  world.w.advance(10 * kMinute);  // passes that see the job as deployed: no drift
  CHECK(seen.of("job.drift", "orders").empty());
  repoint(world, job_id, "/Workspace/etl/stream_v2");  // a task edited by hand
  world.w.advance(10 * kMinute);
  auto drift = seen.of("job.drift", "orders");
  REQUIRE(drift.size() == 1);
  CHECK(drift[0]["kind"] == "edited");
  CHECK_THAT(drift[0]["detail"].get<std::string>(),
             Catch::StartsWith("job " + std::to_string(job_id) +
                               "'s settings were changed outside kiln (fingerprint "));
  // A second, different edit is reported again; a deploy is not drift.
  world.w.ok(
      world.w.post("update", {{"job_id", job_id}, {"new_settings", {{"max_concurrent_runs", 3}}}}));
  world.w.advance(10 * kMinute);
  CHECK(seen.of("job.drift", "orders").size() == 2);
  deploy_ok(world, "orders",
            world.build({{"orders", "production", 2, "/Workspace/etl/stream"}}, 2));
  world.w.advance(10 * kMinute);
  CHECK(seen.of("job.drift", "orders").size() == 2);
}

TEST_CASE("A job whose config says onDrift redeploy is deployed again after drift", "[monitor]") {
  World world = monitored();
  Seen seen(world.w.events);
  runtime::testing::JobFile job("orders", "production", 1, "/Workspace/etl/stream");
  job.kiln_extra = "onDrift: redeploy\n";
  deploy_ok(world, "orders", world.build({job}));
  const auto first = *world.store->get_job("orders", "production").value().databricks_job_id;
  world.w.advance(5 * kMinute);
  repoint(world, first, "/Workspace/etl/stream_by_hand");
  world.w.advance(10 * kMinute);  // edited: redeployed (the job reset to the build's settings)
  REQUIRE(seen.of("job.drift", "orders").size() == 1);
  auto history = world.store->deployment_history("orders", "production", 10).value();
  REQUIRE(history.size() == 2);
  CHECK(history[0].request.requested_by == "kiln:repair");
  CHECK(history[0].request.reason == "repair drift (edited) of deployVersion 1");
  CHECK(history[0].status == store::DeploymentStatus::kSucceeded);
  CHECK(world.w.job(first)["settings"]["tasks"][0]["notebook_task"]["notebook_path"] ==
        "/Workspace/etl/stream");
  // Deleted: redeployed as a new job.
  world.w.ok(world.w.post("delete", {{"job_id", first}}));
  world.w.advance(10 * kMinute);
  history = world.store->deployment_history("orders", "production", 10).value();
  REQUIRE(history.size() == 3);
  CHECK(history[0].request.reason == "repair drift (deleted) of deployVersion 1");
  CHECK(history[0].status == store::DeploymentStatus::kSucceeded);
  const auto row = world.store->get_job("orders", "production").value();
  CHECK(row.databricks_job_id != first);
  CHECK(world.managed_jobs("orders", "production").size() == 1);
}

TEST_CASE("Two active runs of a job allowed one are reported as drift", "[monitor]") {
  World world = monitored();
  Seen seen(world.w.events);
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/stream"}}));
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  // Someone raises the limit by hand and starts a second run.
  world.w.ok(
      world.w.post("update", {{"job_id", job_id}, {"new_settings", {{"max_concurrent_runs", 2}}}}));
  world.w.run_now(job_id);
  world.w.ok(
      world.w.post("update", {{"job_id", job_id}, {"new_settings", {{"max_concurrent_runs", 1}}}}));
  world.w.advance(10 * kMinute);
  const auto drift = seen.of("job.drift", "orders");
  REQUIRE(drift.size() == 1);
  CHECK(drift[0]["kind"] == "extra_run");
}

TEST_CASE("Quota pressure is reported when saved jobs pass the warning fraction", "[monitor]") {
  World world = monitored();  // limit 4, warn at half
  Seen seen(world.w.events);
  deploy_ok(world, "a", world.build({{"a", "production", 1, "/Workspace/etl/stream"}}));
  world.w.advance(2 * kMinute);
  CHECK(seen.of("workspace.quota").empty());
  world.w.create_job(fakedb::testing::job_spec("not-kiln"));
  world.w.advance(2 * kMinute);
  const auto quota = seen.of("workspace.quota");
  REQUIRE(quota.size() == 1);
  CHECK(quota[0]["saved_jobs"] == 2);
  CHECK(quota[0]["high"] == true);
}

TEST_CASE("A 429 storm on the list endpoints is absorbed by monitoring", "[monitor]") {
  World world = monitored();
  deploy_ok(
      world, "orders",
      world.build(
          {{"orders", "production", 1, "/Workspace/etl/nb",
            "  schedule: {quartz_cron_expression: \"0 */10 * * * ?\", timezone_id: UTC}\n"}}));
  databricks::faults::ApiFaultRule storm;
  storm.pattern = "GET /api/2.2/jobs/*list";
  storm.status = 429;
  storm.error_code = "REQUEST_LIMIT_EXCEEDED";
  storm.retry_after_s = 2;
  storm.from_ms = world.w.loop.now_ms();
  storm.until_ms = world.w.loop.now_ms() + 20 * kMinute;
  world.w.ws.add_api_fault(storm);
  world.w.advance(kHour);
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  CHECK(world.store->list_runs("orders", "production", 1000).value().size() ==
        world.runs_of(job_id).size());
  CHECK(world.kiln->workspace_counters().retries > 0);
}

TEST_CASE("A failure and the recovery after it first seen in one pass publish both in order",
          "[monitor]") {
  World world(monitored_options(kHour));  // passes at 0h and 1h: both runs end in between
  Seen seen(world.w.events);
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/fail"}}));
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  world.w.advance(15 * kMinute);
  const auto failed_run = world.runs_of(job_id).front()["run_id"].get<std::int64_t>();
  REQUIRE(world.w.result(failed_run) == "FAILED");
  repoint(world, job_id, "/Workspace/etl/nb");  // someone fixes it by hand and runs it again
  const auto fixed_run = world.w.run_now(job_id);
  world.w.advance(15 * kMinute);
  REQUIRE(world.w.result(fixed_run) == "SUCCESS");
  CHECK(seen.run_events().empty());  // no pass since the deploy

  world.w.advance(kHour);
  CHECK(seen.run_events() ==
        std::vector<std::string>{"job.run_failed " + std::to_string(failed_run),
                                 "job.run_recovered " + std::to_string(fixed_run)});
  world.w.advance(3 * kHour);  // later passes see both again and say nothing more
  CHECK(seen.run_events().size() == 2);
}

TEST_CASE("A deploy's own failed run is alerted once although the deploy recorded its end first",
          "[monitor]") {
  auto options = monitored_options(kHour);
  options.deploy.wait_for = deploy::WaitFor::kFirstRunEnd;
  World world(options);
  Seen seen(world.w.events);
  const auto id = world.deploy("orders", "production",
                               world.build({{"orders", "production", 1, "/Workspace/etl/fail"}}));
  const auto d = world.run_until_finished(id);
  REQUIRE(d.status == store::DeploymentStatus::kFailed);
  const auto runs = world.store->list_runs("orders", "production", 10).value();
  REQUIRE(runs.size() == 1);
  REQUIRE(runs[0].end_ms.has_value());  // recorded as ended by the deploy, not by monitoring
  REQUIRE(runs[0].result_state == "FAILED");

  world.w.advance(4 * kHour);
  const auto failed = seen.of("job.run_failed", "orders");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["run_id"] == runs[0].run_id);
  CHECK(failed[0]["owner"] == "data-team");
  CHECK(failed[0]["version"] == 1);
}

TEST_CASE("A long run that its deploy recorded as failed is still alerted", "[monitor]") {
  // The run outlives the listing window of recent runs: monitoring follows the runs it saw
  // unfinished until it sees them end, whatever the DB says.
  const json slow_failure = {
      {"kind", "batch"}, {"duration_ms", {{"fixed", 40 * kMinute}}}, {"failure_probability", 1}};
  auto options = monitored_options(7 * kMinute);  // passes land between the deploy's polls
  options.deploy.wait_for = deploy::WaitFor::kFirstRunEnd;
  World world(
      options,
      {{"workloads",
        {{"rules", json::array({{{"match", {{"path", "*slow*"}}}, {"model", slow_failure}}})}}}});
  Seen seen(world.w.events);
  const auto id = world.deploy("orders", "production",
                               world.build({{"orders", "production", 1, "/Workspace/etl/slow"}}));
  REQUIRE(world.run_until_finished(id).status == store::DeploymentStatus::kFailed);
  CHECK(seen.of("job.run_failed").empty());  // the deploy saw the end before monitoring did
  world.w.advance(20 * kMinute);
  const auto failed = seen.of("job.run_failed", "orders");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["result"] == "FAILED");
}

TEST_CASE("A storage error reading the owner fails the pass instead of alerting without one",
          "[monitor]") {
  World world = monitored();
  auto& store = faulty_store(world);
  Seen seen(world.w.events);
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/nb"}}));
  const auto job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  world.w.advance(10 * kMinute);
  store.fail("get_job");  // the owner of a failed run cannot be read
  repoint(world, job_id, "/Workspace/etl/fail");
  const auto run = world.w.run_now(job_id);
  world.w.advance(20 * kMinute);
  REQUIRE(world.w.result(run) == "FAILED");
  CHECK(store.failures("get_job") > 0);
  CHECK(seen.of("job.run_failed").empty());  // not published with an empty owner

  store.heal();
  world.w.advance(20 * kMinute);  // the next try (or pass) catches up
  const auto failed = seen.of("job.run_failed", "orders");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["run_id"] == run);
  CHECK(failed[0]["owner"] == "data-team");
}

}  // namespace kiln::monitor

namespace kiln::monitor {
namespace {

// The reason the monitor workflow last gave up a pass with ("" if none).
std::string last_error(World& world) {
  const auto workflow = world.store->find_open_workflow(kMonitorKind, kMonitorKey);
  REQUIRE(workflow.ok());
  return workflow->state.value("last_error", "");
}

}  // namespace

TEST_CASE("A failing jobs listing fails the pass, naming the request", "[monitor]") {
  World world = monitored();
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/nb"}}));
  databricks::faults::ApiFaultRule broken;
  broken.pattern = "GET /api/2.2/jobs/list";
  broken.status = 500;
  broken.error_code = "INTERNAL_ERROR";
  broken.message = "boom";
  world.w.ws.add_api_fault(broken);
  world.w.advance(10 * kMinute);
  CHECK(last_error(world) ==
        "gave up after 8 attempts: GET /api/2.2/jobs/list: listing GET /api/2.2/jobs/list, page "
        "1: HTTP 500 INTERNAL_ERROR: boom");
}

TEST_CASE("A followed run runs/get cannot read fails the pass; once it answers, the run ends",
          "[monitor]") {
  World world = monitored();
  deploy_ok(world, "orders", world.build({{"orders", "production", 1, "/Workspace/etl/nb"}}));
  world.w.advance(5 * kMinute);
  // A run the DB holds as unfinished that no listing shows (deleted, or past retention).
  store::Run row;
  row.run_id = 987'654;
  row.job_name = "orders";
  row.target = "production";
  row.databricks_job_id = *world.store->get_job("orders", "production").value().databricks_job_id;
  row.version = 1;
  row.life_cycle_state = "RUNNING";
  row.start_ms = world.w.loop.now_ms() - kMinute;
  row.updated_ms = world.w.loop.now_ms();
  REQUIRE(world.store->upsert_run(row).ok());
  databricks::faults::ApiFaultRule broken;
  broken.pattern = "GET /api/2.2/jobs/runs/get";
  broken.status = 500;
  broken.error_code = "INTERNAL_ERROR";
  broken.message = "boom";  // not a message the client retries at once
  broken.until_ms = world.w.loop.now_ms() + 10 * kMinute;
  world.w.ws.add_api_fault(broken);
  world.w.advance(10 * kMinute);
  CHECK(last_error(world) == "gave up after 8 attempts: GET runs/get 987654: HTTP 500");
  CHECK_FALSE(world.store->get_run(987'654).value().end_ms);
  world.w.advance(5 * kMinute);  // runs/get answers "does not exist": the run is gone
  const auto ended = world.store->get_run(987'654).value();
  CHECK(ended.end_ms.has_value());
  CHECK(ended.life_cycle_state == "TERMINATED");
}

}  // namespace kiln::monitor
