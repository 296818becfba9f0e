// ApiError::field: every rule names the settings field its error concerns, so kiln validate
// points at the YAML node without reading the message. One representative error of each kind.
#include <catch2/catch.hpp>

#include "databricks/jobs/test_util.h"

using namespace databricks::jobs;           // NOLINT(google-build-using-namespace)
using namespace databricks::jobs::testing;  // NOLINT(google-build-using-namespace)

namespace {
// The field of validate_settings' error, or "<ok>" when there is none.
std::string field(const json& settings, ApiVersion v = ApiVersion::v2_2) {
  auto e = validate_settings(settings, v);
  return e ? e->field : "<ok>";
}

json cond(const std::string& key) {
  return {{"task_key", key},
          {"condition_task", {{"left", "1"}, {"op", "EQUAL_TO"}, {"right", "1"}}}};
}
}  // namespace

TEST_CASE("field is never sent: the body is the real service's error_code and message") {
  auto e = validate_settings({{"max_concurrent_runs", "1"}}, ApiVersion::v2_2);
  REQUIRE(e);
  CHECK(e->field == "max_concurrent_runs");
  CHECK(e->body() == json{{"error_code", "INVALID_PARAMETER_VALUE"},
                          {"message", "max_concurrent_runs must be an integer, got string."}});
}

TEST_CASE("a missing field, a wrong type or a bad value names that field") {
  json t = notebook("a");
  t.erase("task_key");
  CHECK(field(job({t})) == "tasks[0].task_key");
  CHECK(field(job({{{"task_key", "a"}, {"run_job_task", {{"job_id", "12"}}}}})) ==
        "tasks[0].run_job_task.job_id");
  CHECK(field({{"max_concurrent_runs", 1001}}) == "max_concurrent_runs");
  CHECK(field(job({notebook(std::string(101, 'k'))})) == "tasks[0].task_key");
  CHECK(field({{"tags", {{"team", 1}}}}) == "tags.team");
  json run_if = notebook("a");
  run_if["run_if"] = "SOMETIMES";
  CHECK(field(job({run_if})) == "tasks[0].run_if");
  CHECK(field({{"git_source", {{"git_url", "u"}}}}) == "git_source.git_provider");
  CHECK(field({{"description", std::string(27'701, 'd')}}) == "description");
}

TEST_CASE("a rule over an object's fields names the object") {
  CHECK(field({{"run_as", json::object()}}) == "run_as");
  json lib = notebook("a");
  lib["libraries"] = {{{"jar", "j"}, {"whl", "w"}}};
  CHECK(field(job({lib})) == "tasks[0].libraries[0]");
  CHECK(field(job({{{"task_key", "a"}}})) == "tasks[0]");  // no task type at all
  json nested = {
      {"task_key", "a"},
      {"for_each_task",
       {{"inputs", "[1]"}, {"task", {{"task_key", "b"}, {"for_each_task", {{"inputs", "[2]"}}}}}}}};
  CHECK(field(job({nested})) == "tasks[0].for_each_task.task.for_each_task");
  json compute = cond("a");
  compute["existing_cluster_id"] = "x";
  CHECK(field(job({compute})) == "tasks[0]");
}

TEST_CASE("'; got X and Y' names Y, the field to remove") {
  CHECK(field({{"schedule", {{"quartz_cron_expression", "0 0 * * * ?"}, {"timezone_id", "UTC"}}},
               {"continuous", json::object()}}) == "continuous");
  CHECK(field({{"trigger",
                {{"file_arrival", {{"url", "s3://b/"}}},
                 {"periodic", {{"interval", 1}, {"unit", "DAYS"}}}}}}) == "trigger.periodic");
  json two_types = notebook("a");
  two_types["spark_jar_task"] = {{"main_class_name", "M"}};
  CHECK(field(job({two_types})) == "tasks[0].spark_jar_task");
  json two_computes = notebook("a");
  two_computes["existing_cluster_id"] = "x";
  two_computes["new_cluster"] = {{"num_workers", 1}};
  CHECK(field(job({two_computes})) == "tasks[0].new_cluster");
}

TEST_CASE("a duplicate key names the second declaration") {
  CHECK(field(job({notebook("a"), notebook("b"), notebook("b")})) == "tasks[2].task_key");
  const json cluster = {{"job_cluster_key", "c"}, {"new_cluster", {{"num_workers", 1}}}};
  json a = notebook("a");
  a["job_cluster_key"] = "c";
  CHECK(field({{"tasks", {a}}, {"job_clusters", {cluster, cluster}}}) ==
        "job_clusters[1].job_cluster_key");
  const json p = {{"name", "p"}, {"default", "1"}};
  CHECK(field({{"parameters", {p, p}}}) == "parameters[1].name");
  const json env = {{"environment_key", "e"}};
  CHECK(field({{"environments", {env, env}}}) == "environments[1].environment_key");
}

TEST_CASE("references name the referring field") {
  json a = notebook("a");
  a["job_cluster_key"] = "nope";
  CHECK(field(job({a})) == "tasks[0].job_cluster_key");
  json git = notebook("a");
  git["notebook_task"]["source"] = "GIT";
  CHECK(field(job({git})) == "tasks[0].notebook_task.source");
  CHECK(field(job({notebook("a"), depends(notebook("b"), {"zzz"})})) ==
        "tasks[1].depends_on[0].task_key");
  json outcome = notebook("b");
  outcome["depends_on"] = {{{"task_key", "a"}, {"outcome", "true"}}};
  CHECK(field(job({notebook("a"), outcome})) == "tasks[1].depends_on[0].outcome");
  const json cluster = {{"job_cluster_key", "c"},
                        {"new_cluster", {{"num_workers", 1}, {"libraries", json::array()}}}};
  CHECK(field({{"tasks", {notebook("a")}}, {"job_clusters", {cluster}}}) ==
        "job_clusters[0].new_cluster.libraries");
}

TEST_CASE("a self dependency or a cycle names the task's depends_on") {
  CHECK(field(job({notebook("a"), depends(notebook("b"), {"b"})})) == "tasks[1].depends_on");
  CHECK(field(job({depends(notebook("a"), {"c"}), depends(notebook("b"), {"a"}),
                   depends(notebook("c"), {"b"})})) == "tasks[0].depends_on");
}

TEST_CASE("an error about the settings as a whole names no field") {
  const json cluster = {{"job_cluster_key", "key"}, {"new_cluster", {{"num_workers", 0}}}};
  CHECK(field({{"name", "foo"}, {"job_clusters", {cluster}}}) == "");
  CHECK(field({{"notebook_task", {{"notebook_path", "/x"}}}}) == "");
  CHECK(field(json::array()) == "");
  json tasks = json::array();
  for (int i = 0; i < 101; ++i) tasks.push_back(notebook("t" + std::to_string(i)));
  CHECK(field(job(tasks), ApiVersion::v2_1) == "");
}

TEST_CASE("runs/submit, jobs/update and run-now name their request fields") {
  auto submit = validate_submit({{"tasks", json::array()}}, ApiVersion::v2_2);
  REQUIRE(submit);
  CHECK(submit->field == "tasks");
  const json ftr = {"tasks/nope"};
  auto update = apply_update(job({notebook("a")}), nullptr, &ftr, ApiVersion::v2_2);
  REQUIRE_FALSE(update.ok());
  CHECK(update.error().field == "fields_to_remove[0]");
  const json ns = {{"tasks", {notebook("b"), notebook("b")}}};
  update = apply_update(job({notebook("a")}), &ns, nullptr, ApiVersion::v2_2);
  REQUIRE_FALSE(update.ok());
  CHECK(update.error().field == "new_settings.tasks[1].task_key");
  auto selected = select_tasks(build_task_graph(job({notebook("a")})["tasks"]), {"a", "+nope"});
  REQUIRE_FALSE(selected.ok());
  CHECK(selected.error().field == "only[1]");
}

TEST_CASE("the shared missing_field and wrong_type name their field") {
  CHECK(databricks::missing_field("job_id").field == "job_id");
  CHECK(databricks::wrong_type("run_id", "an integer").field == "run_id");
  CHECK(databricks::ApiError::invalid_parameter("x").field.empty());
}
