// The run state machine: lifecycle, retries, roll-up, timeouts, cancel.
#include "fake-databricks/runs/engine_fixture.h"
#include "fake-databricks/runs/run_json.h"

using namespace fakedb::runs;
using namespace fakedb::runs::testing;
using Strings = std::vector<std::string>;

TEST_CASE("a task passes through PENDING RUNNING TERMINATING to TERMINATED SUCCESS") {
  Engine e;
  const auto id = e.start({{"tasks", {task("a")}}});
  CHECK(e.run(id).state.life_cycle == LifeCycle::pending);
  e.hours(1);
  CHECK(e.task_states("a") == Strings{"PENDING", "RUNNING", "TERMINATING", "TERMINATED/SUCCESS"});
  const JobRun& run = e.run(id);
  CHECK(run.state.life_cycle == LifeCycle::terminated);
  CHECK(run.state.result == Result::success);
  CHECK(run.state.termination->code == "SUCCESS");
  CHECK(run.end_time > run.start_time);
  const TaskRun& t = run.tasks.front();
  // Setup (the job cluster's start) and execution are both spent, in order.
  CHECK(t.running_since - t.start_time >= 180'000);
  CHECK(t.terminating_since > t.running_since);
  CHECK(t.end_time >= t.terminating_since);
}

TEST_CASE("a task's job cluster ends with JOB_FINISHED after the run") {
  Engine e;
  e.start({{"tasks", {task("a")}}});
  e.hours(1);
  CHECK(e.clusters.count_in_state("TERMINATED") == 1);
  CHECK(e.clusters.count_in_state("RUNNING") == 0);
}

TEST_CASE("run JSON shows legacy state and new status with end_time 0 while running") {
  Engine e;
  const auto id = e.start({{"tasks", {task("a")}}});
  e.loop.run_until(kStart + 1000);
  auto j = run_json(e.ctx, e.run(id), RenderOptions{});
  CHECK(j["state"]["life_cycle_state"] == "PENDING");
  CHECK(j["status"]["state"] == "PENDING");
  CHECK(j["end_time"] == 0);
  CHECK(j["number_in_job"] == id);
  CHECK(j["tasks"][0]["state"]["life_cycle_state"] == "PENDING");
  e.hours(1);
  j = run_json(e.ctx, e.run(id), RenderOptions{});
  CHECK(j["state"]["result_state"] == "SUCCESS");
  CHECK(j["status"]["termination_details"]["code"] == "SUCCESS");
  CHECK(j["run_page_url"].get<std::string>().find("#job/42/run/" + std::to_string(id)) !=
        std::string::npos);
}

TEST_CASE("a failed task is retried as new attempts with new run ids") {
  Engine e({}, Engine::rule(
                   "*flaky*",
                   {{"kind", "scripted"}, {"fail_on_attempts", {0, 1}}, {"duration_ms", 60000}}));
  const auto id = e.start(
      {{"tasks",
        {with(task("a", "/flaky"), {{"max_retries", 3}, {"min_retry_interval_millis", 600000}})}}});
  e.hours(3);
  const JobRun& run = e.run(id);
  REQUIRE(run.tasks.size() == 3);
  CHECK(run.tasks[0].state.result == Result::failed);
  CHECK(run.tasks[1].state.result == Result::failed);
  CHECK(run.tasks[2].state.result == Result::success);
  for (int i = 0; i < 3; ++i) {
    CHECK(run.tasks[i].attempt_number == i);
    CHECK(run.tasks[i].original_attempt_run_id == run.tasks[0].run_id);
  }
  CHECK(run.tasks[1].run_id != run.tasks[0].run_id);
  CHECK(e.task_states("a", 1).front() == "WAITING_FOR_RETRY");
  // min_retry_interval_millis counts from the start of the failed attempt.
  CHECK(run.tasks[1].start_time == run.tasks[0].start_time + 600'000);
  CHECK(run.state.result == Result::success);
}

TEST_CASE("max_retries -1 retries until the task succeeds") {
  Engine e({}, Engine::rule("*", {{"kind", "scripted"},
                                  {"fail_on_attempts", {0, 1, 2, 3, 4}},
                                  {"duration_ms", 1000}}));
  const auto id = e.start({{"tasks", {with(task("a"), {{"max_retries", -1}})}}});
  e.hours(5);
  CHECK(e.run(id).tasks.size() == 6);
  CHECK(e.run(id).state.result == Result::success);
}

TEST_CASE("retries exhausted fail the run with the observed roll-up") {
  Engine e({},
           Engine::rule(
               "*", {{"kind", "scripted"}, {"fail_on_attempts", {0, 1}}, {"duration_ms", 1000}}));
  const auto id = e.start({{"tasks", {with(task("a"), {{"max_retries", 1}})}}});
  e.hours(2);
  const JobRun& run = e.run(id);
  CHECK(run.tasks.size() == 2);
  CHECK(run.state.life_cycle == LifeCycle::internal_error);
  CHECK(run.state.result == Result::failed);
  CHECK(run.state.message ==
        "Task a failed with message: Workload failed, see run output for details. This caused all "
        "downstream tasks to get skipped.");
  CHECK(run.state.termination->code == "RUN_EXECUTION_ERROR");
  auto j = run_json(e.ctx, run, RenderOptions{});
  CHECK(j["status"]["state"] == "TERMINATED");
}

TEST_CASE("a downstream task waits BLOCKED and is skipped when its upstream fails") {
  Engine e({},
           Engine::rule("*bad*",
                        {{"kind", "scripted"}, {"fail_on_attempts", {0}}, {"duration_ms", 1000}}));
  const auto id = e.start({{"tasks", {task("a", "/bad"), after(task("b"), {"a"})}}});
  e.loop.run_until(kStart + 1);
  CHECK(e.run(id).tasks[1].state.life_cycle == LifeCycle::blocked);
  e.hours(1);
  const JobRun& run = e.run(id);
  CHECK(run.tasks[1].state.result == Result::upstream_failed);
  CHECK(run.tasks[1].state.termination->code == "SKIPPED");
  CHECK(run.state.result == Result::failed);
}

TEST_CASE(
    "run_if ALL_DONE runs after a failure and a successful leaf gives SUCCESS_WITH_FAILURES") {
  Engine e({},
           Engine::rule("*bad*",
                        {{"kind", "scripted"}, {"fail_on_attempts", {0}}, {"duration_ms", 1000}}));
  const auto id = e.start(
      {{"tasks",
        {task("a", "/bad"), with(after(task("cleanup"), {"a"}), {{"run_if", "ALL_DONE"}})}}});
  e.hours(1);
  const JobRun& run = e.run(id);
  CHECK(run.tasks[1].state.result == Result::success);
  CHECK(run.state.life_cycle == LifeCycle::terminated);
  CHECK(run.state.result == Result::success_with_failures);
}

TEST_CASE("run_if AT_LEAST_ONE_FAILED is excluded when everything succeeded") {
  Engine e;
  const auto id = e.start(
      {{"tasks",
        {task("a"), with(after(task("alert"), {"a"}), {{"run_if", "AT_LEAST_ONE_FAILED"}})}}});
  e.hours(1);
  CHECK(e.run(id).tasks[1].state.result == Result::excluded);
  CHECK(e.run(id).state.result == Result::success);
}

TEST_CASE("condition task outcomes choose the branch that runs") {
  Engine e;
  json cond = {{"task_key", "check"},
               {"condition_task", {{"op", "GREATER_THAN"}, {"left", "12"}, {"right", "3"}}}};
  json yes = task("yes");
  yes["depends_on"] = {{{"task_key", "check"}, {"outcome", "true"}}};
  json no = task("no");
  no["depends_on"] = {{{"task_key", "check"}, {"outcome", "false"}}};
  const auto id = e.start({{"tasks", {cond, yes, no}}});
  e.hours(1);
  const JobRun& run = e.run(id);
  CHECK(run.tasks[0].condition_outcome == "true");
  CHECK(run.tasks[1].state.result == Result::success);
  CHECK(run.tasks[2].state.result == Result::excluded);
}

TEST_CASE("condition EQUAL_TO compares as strings") {
  Engine e;
  const auto id =
      e.start({{"tasks",
                {{{"task_key", "c"},
                  {"condition_task", {{"op", "EQUAL_TO"}, {"left", "12.0"}, {"right", "12"}}}}}}});
  e.hours(1);
  CHECK(e.run(id).tasks[0].condition_outcome == "false");
}

TEST_CASE("a disabled task ends DISABLED and does not block its downstream") {
  Engine e;
  const auto id =
      e.start({{"tasks", {with(task("a"), {{"disabled", true}}), after(task("b"), {"a"})}}});
  e.hours(1);
  CHECK(e.run(id).tasks[0].state.result == Result::disabled);
  CHECK(e.run(id).tasks[1].state.result == Result::success);
}

TEST_CASE("a task timeout ends it TIMEDOUT and it is retried only with retry_on_timeout") {
  Engine e({}, Engine::rule("*", {{"kind", "streaming"}}));
  const auto plain = e.start(
      {{"tasks", {with(task("a"), {{"timeout_seconds", 600}, {"max_retries", 2}})}}}, "ONE_TIME");
  e.hours(1);
  CHECK(e.run(plain).tasks.size() == 1);
  CHECK(e.run(plain).tasks[0].state.result == Result::timedout);
  CHECK(e.run(plain).tasks[0].state.user_cancelled_or_timedout);
  CHECK(e.run(plain).tasks[0].end_time - e.run(plain).tasks[0].start_time < 700'000);

  Engine r({}, Engine::rule("*", {{"kind", "streaming"}}));
  const auto retried = r.start(
      {{"tasks",
        {with(task("a"),
              {{"timeout_seconds", 600}, {"max_retries", 2}, {"retry_on_timeout", true}})}}});
  r.hours(2);
  CHECK(r.run(retried).tasks.size() == 3);
}

TEST_CASE("a job timeout ends the run TIMEDOUT") {
  Engine e({}, Engine::rule("*", {{"kind", "streaming"}}));
  const auto id = e.start({{"timeout_seconds", 900}, {"tasks", {task("a")}}});
  e.hours(1);
  CHECK(e.run(id).state.result == Result::timedout);
  CHECK(e.run(id).state.user_cancelled_or_timedout);
  CHECK(e.run(id).end_time - e.run(id).start_time < 960'000);
}

TEST_CASE("a streaming task runs until it is cancelled then passes TERMINATING to CANCELED") {
  Engine e({}, Engine::rule("*", {{"kind", "streaming"}}));
  const auto id = e.start({{"tasks", {task("a"), after(task("b"), {"a"})}}});
  e.hours(24);
  CHECK(e.run(id).state.life_cycle == LifeCycle::running);
  REQUIRE(e.engine.cancel(id).ok());
  CHECK(e.run(id).tasks[0].state.life_cycle == LifeCycle::terminating);  // asynchronous
  e.hours(1);
  const JobRun& run = e.run(id);
  CHECK(run.state.result == Result::canceled);
  CHECK(run.state.user_cancelled_or_timedout);
  CHECK(run.state.termination->code == "USER_CANCELED");
  CHECK(run.tasks[1].state.result == Result::canceled);
  CHECK(e.engine.cancel(id).ok());  // cancelling a finished run is a no-op
}

TEST_CASE("max_concurrent_runs 0 skips every run") {
  Engine e;
  const auto id = e.start({{"max_concurrent_runs", 0}, {"tasks", {task("a")}}});
  CHECK(e.run(id).state.life_cycle == LifeCycle::skipped);
  CHECK(e.run(id).state.message ==
        "Skipping this run because the limit of 0 maximum concurrent runs has been reached.");
}

TEST_CASE(
    "the workspace task-run limit queues runs when queueing is on and refuses them when off") {
  EngineConfig c;
  c.max_active_task_runs = 1;
  Engine e(c);
  const auto first = e.start({{"tasks", {task("a")}}});
  // Another job: its own max_concurrent_runs is free, the workspace is not.
  StartRequest r;
  r.job_id = 43;
  r.settings = {{"max_concurrent_runs", 1}, {"tasks", {task("a")}}};
  r.queue_enabled = true;
  const auto queued = e.engine.start(r).value();
  CHECK(e.run(queued).state.life_cycle == LifeCycle::queued);
  CHECK(e.run(queued).state.queue_code == "ACTIVE_RUNS_LIMIT_REACHED");
  r.queue_enabled = false;
  auto refused = e.engine.start(r);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().http_status == 429);
  CHECK(refused.error().message == "There are already 1 active runs (limit: 1).");
  e.hours(2);
  CHECK(e.run(first).state.result == Result::success);
  CHECK(e.run(queued).state.result == Result::success);
  CHECK(e.run(queued).queue_duration > 0);
}

TEST_CASE("a cluster launch failure fails the attempt with the cloud reason and a retry recovers") {
  Engine e;
  e.clusters.fail_next_launches(1, {"CLOUD_PROVIDER_LAUNCH_FAILURE", "CLOUD_FAILURE", {}});
  const auto id = e.start({{"tasks", {with(task("a"), {{"max_retries", 1}})}}});
  e.hours(2);
  const JobRun& run = e.run(id);
  REQUIRE(run.tasks.size() == 2);
  CHECK(run.tasks[0].state.life_cycle == LifeCycle::internal_error);
  CHECK(run.tasks[0].state.message.find("CLOUD_PROVIDER_LAUNCH_FAILURE") != std::string::npos);
  CHECK(run.tasks[0].state.termination->code == "CLUSTER_ERROR");
  CHECK(run.state.result == Result::success);
}

TEST_CASE("a lost driver fails the running attempt") {
  Engine e({}, Engine::rule("*", {{"kind", "streaming"}}));
  const auto id = e.start({{"tasks", {task("a")}}});
  e.hours(1);
  REQUIRE(e.engine.lose_driver(e.run(id).tasks[0].run_id));
  e.hours(1);
  CHECK(e.run(id).tasks[0].state.termination->code == "DRIVER_ERROR");
  CHECK(e.run(id).state.life_cycle == LifeCycle::internal_error);
}

TEST_CASE("an internal error of the Jobs service ends the run INTERNAL_ERROR") {
  Engine e({}, Engine::rule("*", {{"kind", "streaming"}}));
  const auto id = e.start({{"tasks", {task("a")}}});
  e.hours(1);
  REQUIRE(e.engine.inject_internal_error(id));
  e.hours(1);
  CHECK(e.run(id).state.life_cycle == LifeCycle::internal_error);
  CHECK(e.run(id).state.termination->code == "INTERNAL_ERROR");
}

TEST_CASE("runs submitted once do not retry") {
  Engine e({}, Engine::rule(
                   "*", {{"kind", "scripted"}, {"fail_on_attempts", {0}}, {"duration_ms", 1000}}));
  StartRequest r;
  r.job_id = 99;
  r.run_type = "SUBMIT_RUN";
  r.settings = {{"max_concurrent_runs", 1000}, {"tasks", {with(task("a"), {{"max_retries", 3}})}}};
  const auto id = e.engine.start(r).value();
  e.hours(1);
  CHECK(e.run(id).tasks.size() == 1);
  CHECK(e.run(id).state.result == Result::failed);
}

TEST_CASE("only the selected tasks run") {
  Engine e;
  StartRequest r;
  r.job_id = 5;
  r.settings = {{"max_concurrent_runs", 1},
                {"tasks", {task("a"), after(task("b"), {"a"}), task("c")}}};
  r.selected = {"b", "c"};
  const auto id = e.engine.start(r).value();
  e.hours(1);
  CHECK(e.run(id).tasks.size() == 2);
  CHECK(e.run(id).tasks[0].task_key == "b");  // its upstream a was not selected
  CHECK(e.run(id).state.result == Result::success);
}

TEST_CASE("an idempotency token returns the same run and a deleted run's token is refused") {
  Engine e;
  StartRequest r;
  r.job_id = 5;
  r.settings = {{"max_concurrent_runs", 5}, {"tasks", {task("a")}}};
  r.idempotency_token = "tok";
  const auto first = e.engine.start(r).value();
  CHECK(e.engine.start(r).value() == first);
  CHECK(e.engine.run_ids_of_job(5).size() == 1);
  e.hours(1);
  REQUIRE(e.engine.remove(first).ok());
  auto again = e.engine.start(r);
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().error_code == "INVALID_STATE");
}

TEST_CASE("repair reruns failed tasks in the same run with new attempts") {
  Engine e({},
           Engine::rule("*bad*",
                        {{"kind", "scripted"}, {"fail_on_attempts", {0}}, {"duration_ms", 1000}}));
  const json settings = {{"tasks", {task("a", "/bad"), after(task("b"), {"a"})}}};
  const auto id = e.start(settings);
  e.hours(1);
  REQUIRE(e.run(id).state.result == Result::failed);
  auto repaired = e.engine.repair(id, settings, {{"rerun_all_failed_tasks", true}});
  REQUIRE(repaired.ok());
  CHECK((*repaired)["repair_id"] == 1);
  CHECK_FALSE(is_terminal(e.run(id).state.life_cycle));
  e.hours(1);
  const JobRun& run = e.run(id);
  CHECK(run.tasks.size() == 4);  // a, b (skipped), then a and b again
  CHECK(run.tasks[2].attempt_number == 1);
  CHECK(run.state.result == Result::success);
  REQUIRE(run.repairs.size() == 2);
  auto second = e.engine.repair(id, settings, {{"rerun_tasks", {"b"}}});
  REQUIRE_FALSE(second.ok());  // latest_repair_id is required now
  CHECK(e.engine.repair(id, settings, {{"rerun_tasks", {"b"}}, {"latest_repair_id", 1}}).ok());
}

TEST_CASE("runs that ended longer ago than the retention period are forgotten") {
  EngineConfig c;
  c.run_retention_ms = 3'600'000;
  Engine e(c);
  const auto id = e.start({{"tasks", {task("a")}}});
  e.hours(1);
  e.engine.expire_old_runs();
  REQUIRE(e.engine.find(id) != nullptr);
  e.hours(1);
  e.engine.expire_old_runs();
  CHECK(e.engine.find(id) == nullptr);
  CHECK(e.engine.run_ids_of_job(42).empty());
}
