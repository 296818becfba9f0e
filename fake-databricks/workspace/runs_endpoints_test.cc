// The Runs endpoints through the router: run-now, runs/submit, get, cancel, cancel-all, delete,
// get-output, repair, concurrency limits and retention. (runs/list is in runs_list_test.cc; the
// state machine itself is tested in fake-databricks/runs/.)
#include <string>

#include "fake-databricks/workspace/testing.h"

namespace fakedb::testing {
namespace {

json wide_job(const std::string& name, json tasks = json::array({notebook_task("main")})) {
  json s = job_spec(name, std::move(tasks));
  s["max_concurrent_runs"] = 10;
  return s;
}

// A job whose task "a" always fails and whose task "b" depends on it.
json failing_job() {
  return job_spec("broken", {notebook_task("a", "/Workspace/etl/fail_here"),
                             depends_on(notebook_task("b"), {"a"})});
}

TEST_CASE("run-now returns a run_id equal to number_in_job", "[runs]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a"));
  const json r = Workspace::ok(w.post("run-now", {{"job_id", job}}));
  CHECK(r["run_id"] == r["number_in_job"]);
  CHECK(r["run_id"].get<std::int64_t>() > 100'000'000'000'000);
  const json run = w.run(r["run_id"]);
  CHECK(run["number_in_job"] == r["run_id"]);
  CHECK(run["job_id"] == job);
  CHECK(run["run_type"] == "JOB_RUN");
  CHECK(run["trigger"] == "ONE_TIME");
  CHECK(run["run_name"] == "a");
  CHECK(message(w.post("run-now", {{"job_id", 42}})) == "Job 42 does not exist.");
}

TEST_CASE("run-now with a known idempotency token returns the same run", "[runs][idempotency]") {
  Workspace w;
  const auto job = w.create_job(wide_job("a"));
  const auto first = w.run_now(job, {{"idempotency_token", "tok-1"}});
  const auto again = w.run_now(job, {{"idempotency_token", "tok-1"}});
  CHECK(first == again);
  w.advance(kRunTime);  // a finished run's token still deduplicates
  CHECK(w.run_now(job, {{"idempotency_token", "tok-1"}}) == first);
  CHECK(w.listed_runs().size() == 1);
  CHECK(w.run_now(job, {{"idempotency_token", "tok-2"}}) != first);
}

TEST_CASE("an idempotency token over 64 characters is refused", "[runs][idempotency]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a"));
  const auto r = w.post("run-now", {{"job_id", job}, {"idempotency_token", std::string(65, 'x')}});
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  CHECK(w.listed_runs().empty());
  CHECK(w.post("run-now", {{"job_id", job}, {"idempotency_token", std::string(64, 'x')}}).ok());
}

TEST_CASE("the idempotency token of a deleted run is an error", "[runs][idempotency]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a"));
  const auto run_id = w.run_now(job, {{"idempotency_token", "tok"}});
  w.advance(kRunTime);
  Workspace::ok(w.post("runs/delete", {{"run_id", run_id}}));
  const auto r = w.post("run-now", {{"job_id", job}, {"idempotency_token", "tok"}});
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_STATE");
  CHECK(w.listed_runs().empty());
}

TEST_CASE("runs submit makes an Untitled SUBMIT_RUN that no job lists", "[runs][submit]") {
  Workspace w;
  const json r = Workspace::ok(w.post("runs/submit", {{"tasks", {notebook_task("t")}}}));
  REQUIRE(r.contains("run_id"));
  CHECK_FALSE(r.contains("number_in_job"));
  const json run = w.run(r["run_id"]);
  CHECK(run["run_type"] == "SUBMIT_RUN");
  CHECK(run["run_name"] == "Untitled");
  CHECK(run["job_id"].get<std::int64_t>() > 0);  // the hidden job of a one-time run
  CHECK_FALSE(Workspace::ok(w.get("list")).contains("jobs"));
  CHECK(w.ws.job_count() == 0);
  CHECK(w.get("get", {{"job_id", str(run["job_id"])}}).status == 400);

  const json named = Workspace::ok(
      w.post("runs/submit", {{"run_name", "adhoc"}, {"tasks", {notebook_task("t")}}}));
  CHECK(w.run(named["run_id"])["run_name"] == "adhoc");
  const json again = Workspace::ok(
      w.post("runs/submit", {{"idempotency_token", "once"}, {"tasks", {notebook_task("t")}}}));
  CHECK(Workspace::ok(w.post("runs/submit", {{"idempotency_token", "once"},
                                             {"tasks", {notebook_task("t")}}})) == again);
  w.advance(kRunTime);
  CHECK(w.result(r["run_id"]) == "SUCCESS");
}

TEST_CASE("runs get of a task run id returns that attempt", "[runs]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a", {notebook_task("x"), notebook_task("y")}));
  const auto run_id = w.run_now(job);
  const json run = w.run(run_id);
  REQUIRE(run["tasks"].size() == 2);
  const auto task_id = run["tasks"][1]["run_id"].get<std::int64_t>();
  CHECK(task_id != run_id);
  const json task_run = w.run(task_id);
  CHECK(task_run["run_id"] == task_id);
  CHECK(task_run["job_run_id"] == run_id);
  CHECK(task_run["job_id"] == job);
  CHECK(task_run["task_key"] == "y");
  REQUIRE(task_run["tasks"].size() == 1);
  CHECK(task_run["tasks"][0]["task_key"] == "y");
  const auto missing = w.get("runs/get", {{"run_id", "77"}});
  CHECK(missing.status == 400);
  CHECK(message(missing) == "Run 77 does not exist.");
}

TEST_CASE("runs cancel ends the run TERMINATED CANCELED", "[runs][cancel]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a"));
  const auto run_id = w.run_now(job);
  w.advance(kSecond);
  CHECK(Workspace::ok(w.post("runs/cancel", {{"run_id", run_id}})) == json::object());
  w.advance(kMinute);
  const json run = w.run(run_id);
  CHECK(run["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(run["state"]["result_state"] == "CANCELED");
  CHECK(run["state"]["user_cancelled_or_timedout"] == true);
  CHECK(run["status"]["state"] == "TERMINATED");
  CHECK(run["status"]["termination_details"]["code"] == "USER_CANCELED");
  CHECK(run["end_time"].get<std::int64_t>() > 0);
  // Cancelling a finished run is a no-op.
  CHECK(w.post("runs/cancel", {{"run_id", run_id}}).ok());
  CHECK(w.post("runs/cancel", {{"run_id", 5}}).status == 400);
}

TEST_CASE("runs cancel-all cancels every run of the job", "[runs][cancel]") {
  Workspace w;
  const auto job = w.create_job(wide_job("a"));
  const auto other = w.create_job(job_spec("b"));
  const std::vector<std::int64_t> runs{w.run_now(job), w.run_now(job), w.run_now(job)};
  const auto bystander = w.run_now(other);
  w.advance(kSecond);
  Workspace::ok(w.post("runs/cancel-all", {{"job_id", job}}));
  w.advance(kRunTime);
  for (auto id : runs) CHECK(w.result(id) == "CANCELED");
  CHECK(w.result(bystander) == "SUCCESS");
  // New runs are not blocked.
  const auto later = w.run_now(job);
  w.advance(kRunTime);
  CHECK(w.result(later) == "SUCCESS");
}

TEST_CASE("runs cancel-all with all_queued_runs cancels only queued runs", "[runs][cancel]") {
  Workspace w;
  const auto job = w.create_job(job_spec("q"));  // 2.2: queueing on, max 1 concurrent run
  const auto running = w.run_now(job);
  const auto queued = w.run_now(job);
  REQUIRE(w.life_cycle(queued) == "QUEUED");
  Workspace::ok(w.post("runs/cancel-all", {{"all_queued_runs", true}}));
  const json q = w.run(queued);
  CHECK(q["state"]["life_cycle_state"] == "TERMINATED");
  CHECK(q["state"]["result_state"] == "CANCELED");
  w.advance(kRunTime);
  CHECK(w.result(running) == "SUCCESS");
}

TEST_CASE("runs cancel-all needs a job_id or all_queued_runs", "[runs][cancel]") {
  Workspace w;
  const auto r = w.post("runs/cancel-all", json::object());
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  CHECK(message(r) == "Either job_id or all_queued_runs must be specified.");
  CHECK(message(w.post("runs/cancel-all", {{"job_id", 9}})) == "Job 9 does not exist.");
}

TEST_CASE("runs delete refuses an active run and removes a finished one", "[runs][delete]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a"));
  const auto run_id = w.run_now(job);
  const auto active = w.post("runs/delete", {{"run_id", run_id}});
  CHECK(active.status == 400);
  CHECK(error_code(active) == "INVALID_STATE");
  w.advance(kRunTime);
  const auto task_id = w.run(run_id)["tasks"][0]["run_id"].get<std::int64_t>();
  CHECK(w.post("runs/delete", {{"run_id", run_id}}).ok());
  const auto gone = w.get("runs/get", {{"run_id", str(run_id)}});
  CHECK(gone.status == 400);
  CHECK(error_code(gone) == "INVALID_PARAMETER_VALUE");
  CHECK(message(gone) == "Run " + str(run_id) + " does not exist.");
  CHECK(w.get("runs/get", {{"run_id", str(task_id)}}).status == 400);
  CHECK(w.listed_runs().empty());
  CHECK(message(w.post("runs/delete", {{"run_id", run_id}})) ==
        "Run " + str(run_id) + " does not exist.");
}

TEST_CASE("runs get-output of a multi-task run is refused", "[runs][output]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a", {notebook_task("x"), notebook_task("y")}));
  const auto run_id = w.run_now(job);
  w.advance(kRunTime);
  const auto r = w.get("runs/get-output", {{"run_id", str(run_id)}});
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  CHECK(message(r) ==
        "Retrieving the output of runs with multiple tasks is not supported. Please retrieve "
        "the output of each individual task run instead.");
}

TEST_CASE("runs get-output of a task run has its notebook output or its error", "[runs][output]") {
  Workspace w;
  const auto job = w.create_job(failing_job());
  const auto run_id = w.run_now(job);
  const auto good_job = w.create_job(job_spec("good"));
  const auto good_run = w.run_now(good_job);
  w.advance(kRunTime);

  const auto good_task = w.run(good_run)["tasks"][0]["run_id"].get<std::int64_t>();
  const json ok = Workspace::ok(w.get("runs/get-output", {{"run_id", str(good_task)}}));
  CHECK(ok["notebook_output"]["result"] == "nb-result");
  CHECK(ok["notebook_output"]["truncated"] == false);
  CHECK_FALSE(ok.contains("error"));
  CHECK(ok["metadata"]["run_id"] == good_task);
  CHECK(ok["metadata"]["job_run_id"] == good_run);

  const auto failed_task = w.run(run_id)["tasks"][0]["run_id"].get<std::int64_t>();
  const json bad = Workspace::ok(w.get("runs/get-output", {{"run_id", str(failed_task)}}));
  CHECK(bad["error"] == "Workload failed, see run output for details");
  CHECK(bad.contains("error_trace"));
  CHECK_FALSE(bad.contains("notebook_output"));
  CHECK(bad["metadata"]["state"]["result_state"] == "FAILED");
}

TEST_CASE("runs repair refuses duplicate rerun_tasks", "[runs][repair]") {
  Workspace w;
  const auto run_id = w.run_now(w.create_job(failing_job()));
  const auto early = w.post("runs/repair", {{"run_id", run_id}, {"rerun_tasks", {"a"}}});
  CHECK(early.status == 400);
  CHECK(error_code(early) == "INVALID_STATE");  // still in progress
  w.advance(kRunTime);
  REQUIRE(w.result(run_id) == "FAILED");
  const auto r = w.post("runs/repair", {{"run_id", run_id}, {"rerun_tasks", {"a", "a"}}});
  CHECK(r.status == 400);
  CHECK(error_code(r) == "INVALID_PARAMETER_VALUE");
  CHECK(message(r) == "rerun_tasks cannot contain duplicate task keys.");
}

TEST_CASE("runs repair needs latest_repair_id on the second repair", "[runs][repair]") {
  Workspace w;
  const auto run_id = w.run_now(w.create_job(failing_job()));
  w.advance(kRunTime);
  const json first = Workspace::ok(
      w.post("runs/repair",
             {{"run_id", run_id}, {"rerun_tasks", {"a"}}, {"rerun_dependent_tasks", true}}));
  CHECK(first["repair_id"] == 1);
  w.advance(kRunTime);
  REQUIRE(w.life_cycle(run_id) != "RUNNING");
  const auto without =
      w.post("runs/repair", {{"run_id", run_id}, {"rerun_all_failed_tasks", true}});
  CHECK(without.status == 400);
  CHECK(error_code(without) == "INVALID_PARAMETER_VALUE");
  const auto stale =
      w.post("runs/repair",
             {{"run_id", run_id}, {"rerun_all_failed_tasks", true}, {"latest_repair_id", 7}});
  CHECK(stale.status == 400);
  const json second = Workspace::ok(
      w.post("runs/repair",
             {{"run_id", run_id}, {"rerun_all_failed_tasks", true}, {"latest_repair_id", 1}}));
  CHECK(second["repair_id"] == 2);
}

TEST_CASE("runs get include_history lists ORIGINAL then each REPAIR", "[runs][repair]") {
  Workspace w;
  const auto run_id = w.run_now(w.create_job(failing_job()));
  w.advance(kRunTime);
  CHECK_FALSE(w.run(run_id).contains("repair_history"));
  Workspace::ok(w.post("runs/repair", {{"run_id", run_id}, {"rerun_tasks", {"a", "b"}}}));
  w.advance(kRunTime);
  const json run = w.run(run_id, {{"include_history", "true"}});
  const json& history = run["repair_history"];
  REQUIRE(history.size() == 2);
  CHECK(history[0]["type"] == "ORIGINAL");
  CHECK_FALSE(history[0].contains("id"));
  CHECK(history[0]["task_run_ids"].size() == 2);
  CHECK(history[1]["type"] == "REPAIR");
  CHECK(history[1]["id"] == 1);
  CHECK(history[1]["task_run_ids"].size() == 2);
  CHECK(history[1]["start_time"].get<std::int64_t>() >= history[0]["end_time"].get<std::int64_t>());
  CHECK(history[1]["end_time"].get<std::int64_t>() > history[1]["start_time"].get<std::int64_t>());
  CHECK(run["tasks"].size() == 4);  // two attempts of each task
}

TEST_CASE("runs repair refuses flags that are not booleans", "[runs][repair]") {
  Workspace w;
  const auto run_id = w.run_now(w.create_job(failing_job()));
  w.advance(kRunTime);
  for (const char* flag : {"rerun_all_failed_tasks", "rerun_dependent_tasks"}) {
    const auto r =
        w.post("runs/repair", {{"run_id", run_id}, {"rerun_tasks", {"a"}}, {flag, "yes"}});
    CHECK(r.status == 400);
    CHECK(message(r) == std::string("Invalid value for field ") + flag + ": expected a boolean");
  }
  CHECK(w.result(run_id) == "FAILED");  // nothing was repaired
}

TEST_CASE("runs repair refuses a run that never started", "[runs][repair]") {
  Workspace w;
  const auto job = w.create_job(job_spec("old"), "2.1");
  w.run_now(job);
  const auto skipped = w.run_now(job);
  REQUIRE(w.life_cycle(skipped) == "SKIPPED");
  for (const json& how :
       {json{{"rerun_tasks", {"main"}}}, json{{"rerun_all_failed_tasks", true}}}) {
    json body = how;
    body["run_id"] = skipped;
    const auto r = w.post("runs/repair", body);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "INVALID_STATE");
  }
  CHECK(w.life_cycle(skipped) == "SKIPPED");
  const json history = w.run(skipped, {{"include_history", "true"}})["repair_history"];
  REQUIRE(history.size() == 1);
  CHECK(history[0]["end_time"] == w.config.start_time_ms);
  CHECK(history[0]["state"]["life_cycle_state"] == "SKIPPED");
  // get-output of the skipped single-task run: its metadata, no output.
  const json out = Workspace::ok(w.get("runs/get-output", {{"run_id", str(skipped)}}));
  CHECK(out["metadata"]["state"]["life_cycle_state"] == "SKIPPED");
  CHECK_FALSE(out.contains("notebook_output"));
}

TEST_CASE("max_concurrent_runs with queueing off skips the next run", "[runs][limits]") {
  Workspace w;
  const auto job = w.create_job(job_spec("old"), "2.1");
  const auto first = w.run_now(job);
  const auto second = w.run_now(job);
  const json state = w.run(second)["state"];
  CHECK(state["life_cycle_state"] == "SKIPPED");
  CHECK(state["state_message"] ==
        "Skipping this run because the limit of 1 maximum concurrent runs has been reached.");
  w.advance(kRunTime);
  CHECK(w.result(first) == "SUCCESS");
}

TEST_CASE("max_concurrent_runs with queueing on queues the next run until the first ends",
          "[runs][limits]") {
  Workspace w;
  const auto job = w.create_job(job_spec("new"));  // 2.2
  const auto first = w.run_now(job);
  const auto second = w.run_now(job);
  const json queued = w.run(second);
  CHECK(queued["state"]["life_cycle_state"] == "QUEUED");
  CHECK(queued["status"]["state"] == "QUEUED");
  CHECK(queued["status"]["queue_details"]["code"] == "MAX_CONCURRENT_RUNS_REACHED");
  // Wait until the first run ends: the second starts then.
  for (int i = 0; i < 60 && w.life_cycle(first) != "TERMINATED"; ++i) w.advance(10 * kSecond);
  REQUIRE(w.life_cycle(first) == "TERMINATED");
  CHECK(w.life_cycle(second) != "QUEUED");
  w.advance(kRunTime);
  const json done = w.run(second);
  CHECK(done["state"]["result_state"] == "SUCCESS");
  CHECK(done["queue_duration"].get<std::int64_t>() > 0);

  // A run-now can turn queueing off for itself.
  const auto third = w.run_now(job);
  const auto fourth = w.run_now(job, {{"queue", {{"enabled", false}}}});
  CHECK(w.life_cycle(fourth) == "SKIPPED");
  w.advance(kRunTime);
  CHECK(w.result(third) == "SUCCESS");
}

TEST_CASE("a run that ended over 60 days ago disappears", "[runs][retention]") {
  Workspace w;
  const auto job = w.create_job(job_spec("a"));
  const auto run_id = w.run_now(job);
  w.advance(kRunTime);
  const auto task_id = w.run(run_id)["tasks"][0]["run_id"].get<std::int64_t>();
  w.advance(59 * kDay);
  CHECK(w.life_cycle(run_id) == "TERMINATED");
  w.advance(2 * kDay);
  const auto gone = w.get("runs/get", {{"run_id", str(run_id)}});
  CHECK(gone.status == 400);
  CHECK(message(gone) == "Run " + str(run_id) + " does not exist.");
  CHECK(w.get("runs/get", {{"run_id", str(task_id)}}).status == 400);
  CHECK(w.listed_runs().empty());
  CHECK(w.listed_runs({{"job_id", str(job)}}).empty());
  CHECK(w.job(job)["job_id"] == job);  // the job itself stays
}

}  // namespace
}  // namespace fakedb::testing
