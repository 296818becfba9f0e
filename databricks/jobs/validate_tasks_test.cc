// Task rules of validate_settings and validate_submit, one test per rule and message.
#include <catch2/catch.hpp>

#include "databricks/jobs/test_util.h"

using namespace databricks::jobs;           // NOLINT(google-build-using-namespace)
using namespace databricks::jobs::testing;  // NOLINT(google-build-using-namespace)

namespace {
json with(json task, const char* key, json value) {
  task[key] = std::move(value);
  return task;
}
}  // namespace

TEST_CASE("task_key is a required string of at most 100 bytes") {
  json t = notebook("a");
  t.erase("task_key");
  CHECK(check(job({t})) == "Missing required field: tasks[0].task_key");
  CHECK(check(job({with(t, "task_key", 5)})) == "tasks[0].task_key must be a string, got integer.");
  CHECK(check(job({notebook(std::string(101, 'k'))})) ==
        "tasks[0].task_key must be at most 100 bytes, got 101.");
}

TEST_CASE("task keys are unique") {
  CHECK(check(job({notebook("a"), notebook("b"), notebook("b")})) ==
        "Duplicate task key: b (tasks[2].task_key).");
}

TEST_CASE("a task sets exactly one task type") {
  json none = {{"task_key", "a"}};
  CHECK(check(job({none})).rfind("tasks[0] must set exactly one task type (notebook_task, ", 0) ==
        0);
  CHECK(check(job({none})).find("); got none.") != std::string::npos);
  json two = with(notebook("a"), "spark_jar_task", {{"main_class_name", "M"}});
  CHECK(check(job({two})).find("); got notebook_task and spark_jar_task.") != std::string::npos);
}

TEST_CASE("task type bodies are objects with their required fields") {
  CHECK(check(job({{{"task_key", "a"}, {"notebook_task", "nb"}}})) ==
        "tasks[0].notebook_task must be an object, got string.");
  CHECK(check(job({{{"task_key", "a"}, {"notebook_task", json::object()}}})) ==
        "Missing required field: tasks[0].notebook_task.notebook_path");
  CHECK(check(job({{{"task_key", "a"}, {"run_job_task", {{"job_id", "12"}}}}})) ==
        "tasks[0].run_job_task.job_id must be an integer, got string.");
  CHECK(check(job({{{"task_key", "a"}, {"python_wheel_task", {{"package_name", "p"}}}}})) ==
        "Missing required field: tasks[0].python_wheel_task.entry_point");
}

TEST_CASE("python_wheel_task takes parameters or named_parameters, not both") {
  json t = {{"task_key", "w"},
            {"python_wheel_task",
             {{"package_name", "p"},
              {"entry_point", "e"},
              {"parameters", {"x"}},
              {"named_parameters", {{"k", "v"}}}}}};
  CHECK(check(job({t})) ==
        "tasks[0].python_wheel_task must set at most one of parameters, named_parameters.");
}

TEST_CASE("notebook source GIT needs a git_source") {
  json t = notebook("a");
  t["notebook_task"]["source"] = "GIT";
  CHECK(check(job({t})) == "tasks[0].notebook_task.source is GIT but the job has no git_source.");
  json s = job({t});
  s["git_source"] = {{"git_url", "u"}, {"git_provider", "gitHub"}};
  CHECK(check(s) == "<ok>");
}

TEST_CASE("a task can not depend on itself (the real message)") {
  CHECK(check(job({depends(notebook("a"), {"a"})})) ==
        "Invalid dependency graph, task 'a' can not reference itself.");
}

TEST_CASE("a dependency on an unknown task names the field path") {
  CHECK(check(job({notebook("a"), notebook("b"), depends(notebook("c"), {"zzz"})})) ==
        "Invalid dependency graph, task 'c' depends on task 'zzz', which does not exist "
        "(tasks[2].depends_on[0].task_key).");
}

TEST_CASE("a dependency cycle is refused and spelled out") {
  CHECK(check(job({depends(notebook("a"), {"c"}), depends(notebook("b"), {"a"}),
                   depends(notebook("c"), {"b"})})) ==
        "Invalid dependency graph, cycle detected: a -> c -> b -> a (tasks[0].depends_on).");
}

TEST_CASE("depends_on entries need a task_key; outcome only after a condition_task") {
  json t = notebook("b");
  t["depends_on"] = {json::object()};
  CHECK(check(job({notebook("a"), t})) ==
        "Missing required field: tasks[1].depends_on[0].task_key");
  t["depends_on"] = {{{"task_key", "a"}, {"outcome", "true"}}};
  CHECK(check(job({notebook("a"), t})) ==
        "tasks[1].depends_on[0].outcome is only allowed on a dependency on a condition_task; task "
        "'a' is not one.");
  json cond = {{"task_key", "a"},
               {"condition_task", {{"left", "1"}, {"op", "EQUAL_TO"}, {"right", "1"}}}};
  CHECK(check(job({cond, t})) == "<ok>");
  t["depends_on"][0]["outcome"] = "maybe";
  CHECK(check(job({cond, t})) == "tasks[1].depends_on[0].outcome must be one of: true,false");
}

TEST_CASE("run_if takes the six documented values") {
  CHECK(check(job({with(notebook("a"), "run_if", "ALL_DONE")})) == "<ok>");
  CHECK(check(job({with(notebook("a"), "run_if", "SOMETIMES")})) ==
        "tasks[0].run_if must be one of: ALL_SUCCESS,AT_LEAST_ONE_SUCCESS,NONE_FAILED,ALL_DONE,"
        "AT_LEAST_ONE_FAILED,ALL_FAILED");
}

TEST_CASE("max_retries is an integer of at least -1") {
  CHECK(check(job({with(notebook("a"), "max_retries", -1)})) == "<ok>");
  CHECK(check(job({with(notebook("a"), "max_retries", -2)})) ==
        "tasks[0].max_retries must be greater than or equal to -1, got -2.");
  CHECK(check(job({with(notebook("a"), "max_retries", 1.5)})) ==
        "tasks[0].max_retries must be an integer, got number.");
}

TEST_CASE("min_retry_interval_millis and timeout_seconds are not negative") {
  CHECK(check(job({with(notebook("a"), "min_retry_interval_millis", -1)})) ==
        "tasks[0].min_retry_interval_millis must be greater than or equal to 0, got -1.");
  CHECK(check(job({with(notebook("a"), "timeout_seconds", -5)})) ==
        "tasks[0].timeout_seconds must be greater than or equal to 0, got -5.");
}

TEST_CASE("retry_on_timeout is a boolean") {
  CHECK(check(job({with(notebook("a"), "retry_on_timeout", "yes")})) ==
        "tasks[0].retry_on_timeout must be a boolean, got string.");
}

TEST_CASE("a task uses at most one kind of compute") {
  json t = with(notebook("a"), "existing_cluster_id", "0101-abc");
  CHECK(check(job({t})) == "<ok>");
  t["new_cluster"] = {{"num_workers", 1}};
  CHECK(check(job({t})) ==
        "tasks[0] must set at most one of existing_cluster_id, new_cluster, job_cluster_key, "
        "environment_key, compute; got existing_cluster_id and new_cluster.");
}

TEST_CASE("a condition_task runs on no compute") {
  json t = {{"task_key", "c"},
            {"condition_task", {{"left", "1"}, {"op", "GREATER_THAN"}, {"right", "0"}}},
            {"existing_cluster_id", "x"}};
  CHECK(check(job({t})) ==
        "tasks[0] is a condition_task, which runs on no compute; remove existing_cluster_id.");
  t["condition_task"]["op"] = "MATCHES";
  t.erase("existing_cluster_id");
  CHECK(check(job({t})).rfind("tasks[0].condition_task.op must be one of: EQUAL_TO,", 0) == 0);
}

TEST_CASE("job_cluster_key must name an entry of job_clusters") {
  CHECK(check(job({with(notebook("a"), "job_cluster_key", "nope")})) ==
        "tasks[0].job_cluster_key references unknown job cluster 'nope'.");
}

TEST_CASE("environment_key must name an entry of environments") {
  json s = job({with(notebook("a"), "environment_key", "default")});
  CHECK(check(s) == "tasks[0].environment_key references unknown environment 'default'.");
  s["environments"] = {{{"environment_key", "default"}, {"spec", {{"client", "1"}}}}};
  CHECK(check(s) == "<ok>");
}

TEST_CASE("new_cluster fields are typed and autoscale is ordered") {
  CHECK(check(job({with(notebook("a"), "new_cluster", {{"num_workers", "2"}})})) ==
        "tasks[0].new_cluster.num_workers must be an integer, got string.");
  CHECK(check(job({with(notebook("a"), "new_cluster",
                        {{"autoscale", {{"min_workers", 4}, {"max_workers", 2}}}})})) ==
        "tasks[0].new_cluster.autoscale.max_workers must be greater than or equal to min_workers.");
}

TEST_CASE("a library sets exactly one kind") {
  CHECK(check(job({with(notebook("a"), "libraries", {{{"whl", "x.whl"}, {"jar", "y.jar"}}})})) ==
        "tasks[0].libraries[0] must set exactly one of: jar, whl, egg, pypi, maven, cran, "
        "requirements.");
  CHECK(check(job({with(notebook("a"), "libraries", {{{"pypi", json::object()}}})})) ==
        "Missing required field: tasks[0].libraries[0].pypi.package");
}

TEST_CASE("for_each_task validates its inner task and refuses nesting") {
  json inner = notebook("inner");
  inner["notebook_task"].erase("notebook_path");
  json t = {{"task_key", "loop"}, {"for_each_task", {{"inputs", "[1,2]"}, {"task", inner}}}};
  CHECK(check(job({t})) ==
        "Missing required field: tasks[0].for_each_task.task.notebook_task.notebook_path");
  json nested = {{"task_key", "loop"}, {"for_each_task", {{"inputs", "[1]"}, {"task", t}}}};
  CHECK(check(job({nested})) ==
        "tasks[0].for_each_task.task.for_each_task: nested for_each_task is not supported.");
  t["for_each_task"]["task"] = notebook("inner");
  t["for_each_task"]["concurrency"] = 101;
  CHECK(check(job({t})) ==
        "tasks[0].for_each_task.concurrency must be between 1 and 100, got 101.");
}

TEST_CASE("submit accepts a one-time run of tasks") {
  CHECK(check_submit({{"run_name", "once"}, {"tasks", {notebook("a")}}}) == "<ok>");
}

TEST_CASE("submit needs at least one task") {
  CHECK(check_submit({{"run_name", "once"}}) == "Missing required field: tasks");
  CHECK(check_submit({{"tasks", json::array()}}) == "tasks must contain at least one task.");
}

TEST_CASE("submit run_name is limited to 4096 bytes") {
  CHECK(check_submit({{"run_name", std::string(4097, 'r')}, {"tasks", {notebook("a")}}}) ==
        "run_name must be at most 4096 bytes, got 4097.");
}

TEST_CASE("submit idempotency_token is at most 64 characters") {
  CHECK(check_submit({{"idempotency_token", std::string(65, 't')}, {"tasks", {notebook("a")}}}) ==
        "idempotency_token must be at most 64 characters, got 65.");
}

TEST_CASE("submit refuses shared job clusters with the real message") {
  const std::string real = "Shared job cluster feature is only supported in multi-task jobs.";
  CHECK(check_submit({{"tasks", {with(notebook("a"), "job_cluster_key", "c")}}}) == real);
  CHECK(check_submit({{"tasks", {notebook("a")}},
                      {"job_clusters",
                       {{{"job_cluster_key", "c"}, {"new_cluster", json::object()}}}}}) == real);
}

TEST_CASE("submit applies the task count limit of the API version") {
  json tasks = json::array();
  for (int i = 0; i < 101; ++i) tasks.push_back(notebook("t" + std::to_string(i)));
  CHECK(check_submit({{"tasks", tasks}}, ApiVersion::v2_1) ==
        "Resources with more than 100 tasks can only be handled by API 2.2 and above");
  CHECK(check_submit({{"tasks", tasks}}, ApiVersion::v2_2) == "<ok>");
}
