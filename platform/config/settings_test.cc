// settings: checked with the emulator's JobSettings and cron rules; their messages located at
// the YAML node they name.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "platform/config/job_config.h"

using kiln::config::load_config_text;

namespace {

using Errors = std::vector<std::string>;

// Settings start at line 6; "  tasks:" is line 6 when given first.
std::string job(const std::string& settings) {
  return "kind: Job\nname: etl\ntarget: dev\ndeployVersion: 1\nsettings:\n" + settings;
}

Errors errors(const std::string& text) {
  Errors out;
  for (const auto& d : load_config_text("dev.yaml", text).diagnostics) out.push_back(d.to_string());
  return out;
}

}  // namespace

TEST_CASE("a duplicate task key is reported at the second task") {
  CHECK(errors(job("  tasks:\n"
                   "    - task_key: a\n"
                   "      notebook_task: {notebook_path: /x}\n"
                   "    - task_key: a\n"
                   "      notebook_task: {notebook_path: /y}\n")) ==
        Errors{"dev.yaml:9:17: settings.tasks[1].task_key: Duplicate task key: a "
               "(tasks[1].task_key)."});
}

TEST_CASE("a bad cron expression is reported at the expression") {
  const Errors got =
      errors(job("  tasks:\n"
                 "    - task_key: a\n"
                 "      notebook_task: {notebook_path: /x}\n"
                 "  schedule:\n"
                 "    quartz_cron_expression: 0 0 25 * * ?\n"
                 "    timezone_id: UTC\n"));
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0], Catch::StartsWith("dev.yaml:10:29: settings.schedule.quartz_cron_expression: "
                                       "Invalid quartz_cron_expression '0 0 25 * * ?': "));
}

TEST_CASE("an unknown time zone is reported at timezone_id") {
  CHECK(errors(job("  tasks:\n"
                   "    - task_key: a\n"
                   "      notebook_task: {notebook_path: /x}\n"
                   "  schedule:\n"
                   "    quartz_cron_expression: \"0 0 6 * * ?\"\n"
                   "    timezone_id: Mars/Olympus\n")) ==
        Errors{"dev.yaml:11:18: settings.schedule.timezone_id: Invalid timezone_id "
               "'Mars/Olympus'"});
}

TEST_CASE("a wrong type inside settings is reported at the value") {
  CHECK(errors(job("  max_concurrent_runs: \"1\"\n"
                   "  tasks:\n"
                   "    - task_key: a\n"
                   "      notebook_task: {notebook_path: /x}\n")) ==
        Errors{"dev.yaml:6:24: settings.max_concurrent_runs: max_concurrent_runs must be an "
               "integer, got string."});
}

TEST_CASE("an unknown dependency is reported at the depends_on entry") {
  CHECK(errors(job("  tasks:\n"
                   "    - task_key: a\n"
                   "      notebook_task: {notebook_path: /x}\n"
                   "      depends_on:\n"
                   "        - task_key: nope\n")) ==
        Errors{"dev.yaml:10:21: settings.tasks[0].depends_on[0].task_key: Invalid dependency "
               "graph, task 'a' depends on task 'nope', which does not exist "
               "(tasks[0].depends_on[0].task_key)."});
}

TEST_CASE("a self dependency is reported at the task's depends_on") {
  CHECK(errors(job("  tasks:\n"
                   "    - task_key: a\n"
                   "      notebook_task: {notebook_path: /x}\n"
                   "    - task_key: b\n"
                   "      notebook_task: {notebook_path: /x}\n"
                   "      depends_on: [{task_key: b}]\n")) ==
        Errors{"dev.yaml:11:19: settings.tasks[1].depends_on: Invalid dependency graph, task 'b' "
               "can not reference itself."});
}

TEST_CASE("a task with two task types is reported at the second type") {
  const Errors got =
      errors(job("  tasks:\n"
                 "    - task_key: a\n"
                 "      notebook_task: {notebook_path: /x}\n"
                 "      spark_python_task: {python_file: /y.py}\n"));
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0], Catch::StartsWith("dev.yaml:9:26: settings.tasks[0].spark_python_task: "
                                       "tasks[0] must set exactly one task type"));
}

TEST_CASE("schedule and continuous together are reported at the second") {
  CHECK(errors(job("  tasks:\n"
                   "    - task_key: a\n"
                   "      notebook_task: {notebook_path: /x}\n"
                   "  schedule: {quartz_cron_expression: \"0 0 6 * * ?\", timezone_id: UTC}\n"
                   "  continuous: {pause_status: UNPAUSED}\n")) ==
        Errors{"dev.yaml:10:15: settings.continuous: At most one of schedule, continuous, "
               "trigger and triggers can be set; got schedule and continuous."});
}

TEST_CASE("a missing task field is reported at the task") {
  CHECK(errors(job("  tasks:\n"
                   "    - notebook_task: {notebook_path: /x}\n")) ==
        Errors{"dev.yaml:7:7: settings.tasks[0].task_key: Missing required field: "
               "tasks[0].task_key"});
}

TEST_CASE("unknown settings keys are accepted as the Jobs API accepts them") {
  auto result = load_config_text("dev.yaml", job("  brand_new_field: {x: 1}\n"
                                                 "  tasks:\n"
                                                 "    - task_key: a\n"
                                                 "      future_option: true\n"
                                                 "      notebook_task: {notebook_path: /x}\n"));
  REQUIRE(result.ok());
  CHECK(result.folders[0].configs[0].settings["brand_new_field"]["x"] == 1);
}

TEST_CASE("settings pasted from jobs get as JSON validate") {
  auto result = load_config_text(
      "dev.yaml",
      job("  {\"name\": \"etl\", \"email_notifications\": {}, \"timeout_seconds\": 0,\n"
          "   \"max_concurrent_runs\": 1, \"format\": \"MULTI_TASK\",\n"
          "   \"queue\": {\"enabled\": true},\n"
          "   \"tags\": {\"team\": \"data\"},\n"
          "   \"job_clusters\": [{\"job_cluster_key\": \"c\", \"new_cluster\": {\n"
          "       \"spark_version\": \"15.4.x-scala2.12\", \"node_type_id\": \"i3.xlarge\",\n"
          "       \"num_workers\": 2}}],\n"
          "   \"tasks\": [{\"task_key\": \"a\", \"run_if\": \"ALL_SUCCESS\",\n"
          "     \"job_cluster_key\": \"c\", \"max_retries\": 2,\n"
          "     \"spark_python_task\": {\"python_file\": \"/Workspace/etl/main.py\"}}],\n"
          "   \"schedule\": {\"quartz_cron_expression\": \"0 30 6 ? * MON-FRI\",\n"
          "                \"timezone_id\": \"Europe/Amsterdam\", \"pause_status\": "
          "\"UNPAUSED\"}}\n"));
  INFO((result.diagnostics.empty() ? "" : result.diagnostics[0].to_string()));
  REQUIRE(result.ok());
  const auto& settings = result.folders[0].configs[0].settings;
  CHECK(settings["job_clusters"][0]["new_cluster"]["num_workers"] == 2);
  CHECK(settings["tasks"][0]["max_retries"] == 2);
}
