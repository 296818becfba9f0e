// Job-level rules of validate_settings, one test per rule and message.
#include <catch2/catch.hpp>

#include "databricks/jobs/test_util.h"

using namespace databricks::jobs;           // NOLINT(google-build-using-namespace)
using namespace databricks::jobs::testing;  // NOLINT(google-build-using-namespace)

TEST_CASE("an empty object and a plain multi-task job are valid settings") {
  CHECK(check(json::object()) == "<ok>");
  CHECK(check(job({notebook("a"), depends(notebook("b"), {"a"})})) == "<ok>");
}

TEST_CASE("errors are 400 INVALID_PARAMETER_VALUE") {
  auto e = validate_settings(json::array(), ApiVersion::v2_2);
  REQUIRE(e);
  CHECK(e->http_status == 400);
  CHECK(e->error_code == "INVALID_PARAMETER_VALUE");
  CHECK(e->message == "settings must be an object, got array.");
}

TEST_CASE("name is limited to 4096 bytes") {
  CHECK(check({{"name", std::string(4096, 'x')}}) == "<ok>");
  CHECK(check({{"name", std::string(4097, 'x')}}) == "name must be at most 4096 bytes, got 4097.");
}

TEST_CASE("description is limited to 27700 characters, not bytes") {
  std::string two_byte_chars;
  for (int i = 0; i < 27700; ++i) two_byte_chars += "\xC3\xA9";
  CHECK(check({{"description", two_byte_chars}}) == "<ok>");
  CHECK(check({{"description", two_byte_chars + "x"}}) ==
        "description must be at most 27700 characters, got 27701.");
}

TEST_CASE("max_concurrent_runs is an integer from 0 to 1000") {
  CHECK(check({{"max_concurrent_runs", 0}}) == "<ok>");
  CHECK(check({{"max_concurrent_runs", 1000}}) == "<ok>");
  CHECK(check({{"max_concurrent_runs", 1001}}) ==
        "max_concurrent_runs must be between 0 and 1000, got 1001.");
  CHECK(check({{"max_concurrent_runs", -1}}) ==
        "max_concurrent_runs must be between 0 and 1000, got -1.");
  CHECK(check({{"max_concurrent_runs", "5"}}) ==
        "max_concurrent_runs must be an integer, got string.");
}

TEST_CASE("timeout_seconds must not be negative") {
  CHECK(check({{"timeout_seconds", -1}}) ==
        "timeout_seconds must be greater than or equal to 0, got -1.");
}

TEST_CASE("tags hold at most 25 string values") {
  json tags = json::object();
  for (int i = 0; i < 25; ++i) tags["k" + std::to_string(i)] = "v";
  CHECK(check({{"tags", tags}}) == "<ok>");
  tags["one-more"] = "v";
  CHECK(check({{"tags", tags}}) == "tags must have at most 25 entries, got 26.");
  CHECK(check({{"tags", {{"team", 7}}}}) == "tags.team must be a string, got integer.");
}

TEST_CASE("webhook_notifications allow at most 3 webhooks per event, each with an id") {
  json hooks = json::array({{{"id", "1"}}, {{"id", "2"}}, {{"id", "3"}}});
  CHECK(check({{"webhook_notifications", {{"on_failure", hooks}}}}) == "<ok>");
  hooks.push_back({{"id", "4"}});
  CHECK(check({{"webhook_notifications", {{"on_failure", hooks}}}}) ==
        "webhook_notifications.on_failure must have at most 3 entries, got 4.");
  CHECK(check({{"webhook_notifications", {{"on_start", {json::object()}}}}}) ==
        "Missing required field: webhook_notifications.on_start[0].id");
}

TEST_CASE("email_notifications lists hold strings") {
  CHECK(check({{"email_notifications", {{"on_failure", {"a@b.c", 3}}}}}) ==
        "email_notifications.on_failure[1] must be a string, got integer.");
}

TEST_CASE("environment_variables hold at most 10 entries") {
  CHECK(check({{"environment_variables", json::array({1, 2, 3, 4, 5, 6, 7, 8, 9, 10})}}) == "<ok>");
  CHECK(check({{"environment_variables", json::array({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})}}) ==
        "environment_variables must have at most 10 entries, got 11.");
}

TEST_CASE("schedule needs a cron expression and a time zone, whose contents are not parsed here") {
  CHECK(check({{"schedule", {{"quartz_cron_expression", "not a cron"}, {"timezone_id", "UTC"}}}}) ==
        "<ok>");
  CHECK(check({{"schedule", {{"timezone_id", "UTC"}}}}) ==
        "Missing required field: schedule.quartz_cron_expression");
  CHECK(check({{"schedule", {{"quartz_cron_expression", "0 0 * * * ?"}}}}) ==
        "Missing required field: schedule.timezone_id");
  CHECK(check({{"schedule",
                {{"quartz_cron_expression", "0 0 * * * ?"},
                 {"timezone_id", "UTC"},
                 {"pause_status", "STOPPED"}}}}) ==
        "schedule.pause_status must be one of: PAUSED,UNPAUSED");
}

TEST_CASE("schedule, continuous, trigger and triggers are mutually exclusive") {
  const json schedule = {{"quartz_cron_expression", "0 0 * * * ?"}, {"timezone_id", "UTC"}};
  CHECK(check({{"schedule", schedule}, {"continuous", json::object()}}) ==
        "At most one of schedule, continuous, trigger and triggers can be set; got schedule and "
        "continuous.");
  CHECK(check({{"continuous", json::object()}, {"trigger", json::object()}}) ==
        "At most one of schedule, continuous, trigger and triggers can be set; got continuous and "
        "trigger.");
  CHECK(check({{"trigger", json::object()}, {"triggers", json::array()}}) ==
        "At most one of schedule, continuous, trigger and triggers can be set; got trigger and "
        "triggers.");
}

TEST_CASE("continuous accepts pause_status and task_retry_mode NEVER or ON_FAILURE") {
  CHECK(check({{"continuous", {{"pause_status", "PAUSED"}, {"task_retry_mode", "ON_FAILURE"}}}}) ==
        "<ok>");
  CHECK(check({{"continuous", {{"task_retry_mode", "ALWAYS"}}}}) ==
        "continuous.task_retry_mode must be one of: NEVER,ON_FAILURE");
}

TEST_CASE("trigger shapes: periodic interval and unit, file_arrival url, one kind at a time") {
  CHECK(check({{"trigger", {{"periodic", {{"interval", 1}, {"unit", "DAYS"}}}}}}) == "<ok>");
  CHECK(check({{"trigger", {{"periodic", {{"interval", 0}, {"unit", "DAYS"}}}}}}) ==
        "trigger.periodic.interval must be greater than or equal to 1, got 0.");
  CHECK(check({{"trigger", {{"periodic", {{"interval", 1}, {"unit", "YEARS"}}}}}}) ==
        "trigger.periodic.unit must be one of: MINUTES,HOURS,DAYS,WEEKS");
  CHECK(check({{"trigger", {{"file_arrival", json::object()}}}}) ==
        "Missing required field: trigger.file_arrival.url");
  CHECK(check({{"trigger",
                {{"file_arrival", {{"url", "s3://b/"}}},
                 {"periodic", {{"interval", 1}, {"unit", "DAYS"}}}}}}) ==
        "trigger must set at most one of file_arrival, periodic, table_update, table, model, "
        "sql_condition; got file_arrival and periodic.");
}

TEST_CASE("queue requires a boolean enabled") {
  CHECK(check({{"queue", {{"enabled", false}}}}) == "<ok>");
  CHECK(check({{"queue", json::object()}}) == "Missing required field: queue.enabled");
  CHECK(check({{"queue", {{"enabled", "true"}}}}) ==
        "queue.enabled must be a boolean, got string.");
}

TEST_CASE("git_source.git_provider missing or unknown gives the real message") {
  const std::string real =
      "git_source.git_provider must be one of: github,gitlab,bitbucketcloud,"
      "gitlabenterpriseedition,bitbucketserver,azuredevopsservices,githubenterprise,awscodecommit";
  CHECK(check({{"git_source", {{"git_url", "https://x"}}}}) == real);
  CHECK(check({{"git_source", {{"git_url", "https://x"}, {"git_provider", "svn"}}}}) == real);
}

TEST_CASE("git_source.git_provider matches the SDK's camelCase spelling") {
  CHECK(check({{"git_source", {{"git_url", "https://x"}, {"git_provider", "gitHub"}}}}) == "<ok>");
}

TEST_CASE("git_source takes at most one of branch, tag and commit") {
  CHECK(check({{"git_source",
                {{"git_url", "u"},
                 {"git_provider", "github"},
                 {"git_branch", "m"},
                 {"git_tag", "t"}}}}) ==
        "git_source must set at most one of git_branch, git_tag, git_commit.");
}

TEST_CASE("run_as names exactly one principal") {
  CHECK(check({{"run_as", {{"user_name", "a@b.c"}}}}) == "<ok>");
  CHECK(check({{"run_as", {{"user_name", "a"}, {"group_name", "g"}}}}) ==
        "run_as must set exactly one of user_name, service_principal_name, group_name.");
}

TEST_CASE("job parameters need a name and a default, names unique") {
  CHECK(check({{"parameters", {{{"name", "p"}, {"default", "1"}}}}}) == "<ok>");
  CHECK(check({{"parameters", {{{"name", "p"}}}}}) ==
        "Missing required field: parameters[0].default");
  CHECK(check({{"parameters",
                {{{"name", "p"}, {"default", "1"}}, {{"name", "p"}, {"default", "2"}}}}}) ==
        "Duplicate job parameter name: p (parameters[1].name).");
}

TEST_CASE("health rules need a known metric, op GREATER_THAN and a value") {
  CHECK(check({{"health",
                {{"rules",
                  {{{"metric", "RUN_DURATION_SECONDS"}, {"op", "LESS_THAN"}, {"value", 1}}}}}}}) ==
        "health.rules[0].op must be one of: GREATER_THAN");
}

TEST_CASE("deployment.kind is BUNDLE or SYSTEM_MANAGED and edit_mode is an enum") {
  CHECK(check({{"deployment", {{"kind", "TERRAFORM"}}}}) ==
        "deployment.kind must be one of: BUNDLE,SYSTEM_MANAGED");
  CHECK(check({{"edit_mode", "LOCKED"}}) == "edit_mode must be one of: UI_LOCKED,EDITABLE");
}

TEST_CASE("job_clusters entries need a unique key and a new_cluster") {
  json a = notebook("a");
  a["job_cluster_key"] = "shared";
  const json cluster = {{"job_cluster_key", "shared"}, {"new_cluster", {{"num_workers", 1}}}};
  CHECK(check({{"tasks", {a}}, {"job_clusters", {cluster}}}) == "<ok>");
  CHECK(check({{"tasks", {a}}, {"job_clusters", {cluster, cluster}}}) ==
        "Duplicate job cluster key: shared (job_clusters[1].job_cluster_key).");
  CHECK(check({{"tasks", {a}}, {"job_clusters", {{{"job_cluster_key", "shared"}}}}}) ==
        "Missing required field: job_clusters[0].new_cluster");
}

TEST_CASE("libraries cannot be declared on a shared job cluster") {
  json cluster = {{"job_cluster_key", "c"}, {"new_cluster", {{"libraries", json::array()}}}};
  CHECK(check({{"tasks", {notebook("a")}}, {"job_clusters", {cluster}}}) ==
        "Libraries cannot be declared on a shared job cluster "
        "(job_clusters[0].new_cluster.libraries).");
}

TEST_CASE("job clusters without tasks give the real shared-cluster message") {
  const json cluster = {{"job_cluster_key", "key"}, {"new_cluster", {{"num_workers", 0}}}};
  const std::string real = "Shared job cluster feature is only supported in multi-task jobs.";
  CHECK(check({{"name", "foo"}, {"job_clusters", {cluster}}}) == real);
  CHECK(check({{"tasks", json::array()}, {"job_clusters", {cluster}}}) == real);
}

TEST_CASE("more than 100 tasks need API 2.2") {
  json tasks = json::array();
  for (int i = 0; i < 101; ++i) tasks.push_back(notebook("t" + std::to_string(i)));
  CHECK(check(job(tasks), ApiVersion::v2_0) ==
        "Resources with more than 100 tasks can only be handled by API 2.2 and above");
  CHECK(check(job(tasks), ApiVersion::v2_1) ==
        "Resources with more than 100 tasks can only be handled by API 2.2 and above");
  CHECK(check(job(tasks), ApiVersion::v2_2) == "<ok>");
}

TEST_CASE("API 2.2 accepts at most 1000 tasks") {
  json tasks = json::array();
  for (int i = 0; i < 1001; ++i) tasks.push_back(notebook("t" + std::to_string(i)));
  CHECK(check(job(tasks)) == "tasks must have at most 1000 entries, got 1001.");
  tasks.erase(1000);
  CHECK(check(job(tasks)) == "<ok>");
}

TEST_CASE("the legacy single-task format is refused, not silently emptied") {
  CHECK(check({{"notebook_task", {{"notebook_path", "/x"}}}}) ==
        "Single-task job format is not supported: declare notebook_task inside tasks[].");
}
