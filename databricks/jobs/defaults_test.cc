// with_server_defaults: what jobs/get echoes.
#include <catch2/catch.hpp>

#include "databricks/jobs/test_util.h"

using namespace databricks::jobs;           // NOLINT(google-build-using-namespace)
using namespace databricks::jobs::testing;  // NOLINT(google-build-using-namespace)

TEST_CASE("job-level defaults are filled in") {
  const json out = with_server_defaults({{"name", "j"}}, ApiVersion::v2_1);
  CHECK(out == json{{"name", "j"},
                    {"email_notifications", json::object()},
                    {"webhook_notifications", json::object()},
                    {"timeout_seconds", 0},
                    {"max_concurrent_runs", 1},
                    {"format", "MULTI_TASK"}});
}

TEST_CASE("values that were sent are kept") {
  const json out = with_server_defaults({{"max_concurrent_runs", 5},
                                         {"timeout_seconds", 60},
                                         {"email_notifications", {{"on_start", {"a"}}}}},
                                        ApiVersion::v2_2);
  CHECK(out["max_concurrent_runs"] == 5);
  CHECK(out["timeout_seconds"] == 60);
  CHECK(out["email_notifications"] == json{{"on_start", {"a"}}});
}

TEST_CASE("format is always MULTI_TASK") {
  CHECK(with_server_defaults({{"format", "SINGLE_TASK"}}, ApiVersion::v2_1)["format"] ==
        "MULTI_TASK");
}

TEST_CASE("queueing defaults on only for jobs created through 2.2") {
  CHECK(with_server_defaults(json::object(), ApiVersion::v2_2)["queue"] == json{{"enabled", true}});
  CHECK_FALSE(with_server_defaults(json::object(), ApiVersion::v2_1).contains("queue"));
  CHECK_FALSE(with_server_defaults(json::object(), ApiVersion::v2_0).contains("queue"));
  CHECK(with_server_defaults({{"queue", {{"enabled", false}}}}, ApiVersion::v2_2)["queue"] ==
        json{{"enabled", false}});
}

TEST_CASE("run_as and access_control_list are write-only") {
  const json out = with_server_defaults(
      {{"run_as", {{"user_name", "a"}}}, {"access_control_list", json::array()}}, ApiVersion::v2_2);
  CHECK_FALSE(out.contains("run_as"));
  CHECK_FALSE(out.contains("access_control_list"));
}

TEST_CASE("task defaults: run_if, timeout_seconds, email_notifications") {
  const json out = with_server_defaults(job({notebook("a")}), ApiVersion::v2_2);
  const json& t = out["tasks"][0];
  CHECK(t["run_if"] == "ALL_SUCCESS");
  CHECK(t["timeout_seconds"] == 0);
  CHECK(t["email_notifications"] == json::object());
}

TEST_CASE("depends_on comes back sorted by task_key") {
  const json out =
      with_server_defaults(job({depends(notebook("z"), {"c", "a", "b"})}), ApiVersion::v2_2);
  CHECK(out["tasks"][0]["depends_on"] ==
        json{{{"task_key", "a"}}, {{"task_key", "b"}}, {{"task_key", "c"}}});
}

TEST_CASE("a task's new_cluster gains the AWS defaults and loses apply_policy_default_values") {
  json t = notebook("a");
  t["new_cluster"] = {{"num_workers", 1}, {"apply_policy_default_values", true}};
  const json nc = with_server_defaults(job({t}), ApiVersion::v2_2)["tasks"][0]["new_cluster"];
  CHECK(nc == json{{"num_workers", 1},
                   {"aws_attributes",
                    {{"availability", "SPOT_WITH_FALLBACK"}, {"zone_id", "us-east-1c"}}},
                   {"data_security_mode", "SINGLE_USER"},
                   {"enable_elastic_disk", false}});
}

TEST_CASE("sent cluster attributes win over the defaults") {
  json t = notebook("a");
  t["new_cluster"] = {{"aws_attributes", {{"availability", "ON_DEMAND"}}},
                      {"data_security_mode", "USER_ISOLATION"},
                      {"enable_elastic_disk", true}};
  const json nc = with_server_defaults(job({t}), ApiVersion::v2_2)["tasks"][0]["new_cluster"];
  CHECK(nc["aws_attributes"] == json{{"availability", "ON_DEMAND"}});
  CHECK(nc["data_security_mode"] == "USER_ISOLATION");
  CHECK(nc["enable_elastic_disk"] == true);
  t["new_cluster"] = {{"azure_attributes", {{"availability", "SPOT_AZURE"}}}};
  CHECK_FALSE(with_server_defaults(job({t}), ApiVersion::v2_2)["tasks"][0]["new_cluster"].contains(
      "aws_attributes"));
}

TEST_CASE("job cluster specs only lose apply_policy_default_values") {
  json s = job({notebook("a")});
  s["job_clusters"] = {
      {{"job_cluster_key", "c"},
       {"new_cluster", {{"num_workers", 2}, {"apply_policy_default_values", false}}}}};
  CHECK(with_server_defaults(s, ApiVersion::v2_2)["job_clusters"][0]["new_cluster"] ==
        json{{"num_workers", 2}});
}

TEST_CASE("notebook and python file source default to WORKSPACE, or GIT with a git_source") {
  json py = {{"task_key", "p"}, {"spark_python_task", {{"python_file", "x.py"}}}};
  json s = job({notebook("a"), py});
  json out = with_server_defaults(s, ApiVersion::v2_2);
  CHECK(out["tasks"][0]["notebook_task"]["source"] == "WORKSPACE");
  CHECK(out["tasks"][1]["spark_python_task"]["source"] == "WORKSPACE");
  s["git_source"] = {{"git_url", "u"}, {"git_provider", "gitHub"}};
  out = with_server_defaults(s, ApiVersion::v2_2);
  CHECK(out["tasks"][0]["notebook_task"]["source"] == "GIT");
  CHECK(out["tasks"][1]["spark_python_task"]["source"] == "GIT");
}

TEST_CASE("for_each inner tasks get the source default and lose the policy flag only") {
  json inner = notebook("i");
  inner["new_cluster"] = {{"apply_policy_default_values", true}};
  json t = {{"task_key", "loop"}, {"for_each_task", {{"inputs", "[1]"}, {"task", inner}}}};
  const json out =
      with_server_defaults(job({t}), ApiVersion::v2_2)["tasks"][0]["for_each_task"]["task"];
  CHECK(out["notebook_task"]["source"] == "WORKSPACE");
  CHECK(out["new_cluster"] == json::object());
  CHECK_FALSE(out.contains("run_if"));
}

TEST_CASE("trigger.table_update.condition is accepted but not echoed") {
  json s = {
      {"trigger", {{"table_update", {{"table_names", {"t"}}, {"condition", "ANY_UPDATED"}}}}}};
  CHECK(with_server_defaults(s, ApiVersion::v2_2)["trigger"]["table_update"] ==
        json{{"table_names", {"t"}}});
}

TEST_CASE("defaults are idempotent") {
  json t = depends(notebook("b"), {"a"});
  t["new_cluster"] = {{"num_workers", 1}};
  const json once = with_server_defaults(job({notebook("a"), t}), ApiVersion::v2_2);
  CHECK(with_server_defaults(once, ApiVersion::v2_2) == once);
}

TEST_CASE("defaulted settings still validate") {
  json t = depends(notebook("b"), {"a"});
  t["new_cluster"] = {{"num_workers", 1}};
  const json out = with_server_defaults(job({notebook("a"), t}), ApiVersion::v2_2);
  CHECK(check(out) == "<ok>");
}
