// The kiln fields of a job config (kind, name, target, deployVersion, strategy, healthSeconds,
// owner, settings): each rule with its exact file:line:column and message.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "platform/config/job_config.h"

using kiln::config::load_config_text;

namespace {

const char* const kSettings =
    "settings:\n"
    "  tasks:\n"
    "    - task_key: main\n"
    "      notebook_task:\n"
    "        notebook_path: /Shared/etl\n";

std::string config(const std::string& fields) {
  return fields + kSettings;
}

std::vector<std::string> errors(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : load_config_text("dev.yaml", text).diagnostics) out.push_back(d.to_string());
  return out;
}

using Errors = std::vector<std::string>;

}  // namespace

TEST_CASE("a valid config loads every field") {
  auto result = load_config_text(
      "dev.yaml", config("kind: Job\nname: etl_daily-2\ntarget: production\ndeployVersion: 7\n"
                         "strategy: blue-green\nhealthSeconds: 300\nowner: data@example.com\n"));
  REQUIRE(result.ok());
  REQUIRE(result.folders.size() == 1);
  const auto& job = result.folders[0].configs.at(0);
  CHECK(job.file == "dev.yaml");
  CHECK(job.name == "etl_daily-2");
  CHECK(job.target == "production");
  CHECK(job.deploy_version == 7);
  CHECK(job.strategy == "blue-green");
  CHECK(job.health_seconds == 300);
  CHECK(job.owner == "data@example.com");
  CHECK(job.settings["tasks"][0]["task_key"] == "main");
  CHECK(job.name_line == 2);
  CHECK(job.name_column == 7);
}

TEST_CASE("strategy defaults to simple and owner to nobody") {
  auto result = load_config_text("dev.yaml", config("kind: Job\nname: a\ntarget: dev\n"
                                                    "deployVersion: 0\n"));
  REQUIRE(result.ok());
  const auto& job = result.folders[0].configs.at(0);
  CHECK(job.strategy == "simple");
  CHECK_FALSE(job.health_seconds.has_value());
  CHECK(job.owner.empty());
}

TEST_CASE("a misspelt top-level key suggests the right key") {
  CHECK(errors(config("kind: Job\nname: a\ntarget: dev\ndeployVerison: 1\n")) ==
        Errors{"dev.yaml:1:1: deployVersion: required key is missing; expected an integer >= 0",
               "dev.yaml:4:1: deployVerison: unknown key 'deployVerison'; did you mean "
               "'deployVersion'?"});
}

TEST_CASE("an unknown top-level key far from any known key lists the keys") {
  CHECK(errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nschedule: x\n")) ==
        Errors{"dev.yaml:5:1: schedule: unknown key 'schedule'; expected one of: kind, name, "
               "target, deployVersion, strategy, healthSeconds, stream, owner, onDrift, settings"});
}

TEST_CASE("missing required keys are reported at the document start") {
  const std::string at = "dev.yaml:1:1: ";
  const std::string missing = "required key is missing; expected ";
  CHECK(
      errors("owner: me\n") ==
      Errors{at + "deployVersion: " + missing + "an integer >= 0",
             at + "kind: " + missing + "'kind: Job'",
             at + "name: " + missing + "the job's name (letters, digits, '_' or '-')",
             at + "settings: " + missing + "the Databricks JobSettings (a mapping with tasks)",
             at + "target: " + missing + "the target environment, e.g. development or production"});
}

TEST_CASE("kind must be Job") {
  CHECK(errors(config("kind: JobFolder\nname: a\ntarget: dev\ndeployVersion: 1\n")) ==
        Errors{"dev.yaml:1:7: kind: expected 'Job', got a string ('JobFolder')"});
}

TEST_CASE("a name outside letters digits underscore and dash is rejected at its value") {
  CHECK(errors(config("kind: Job\nname: my job\ntarget: dev\ndeployVersion: 1\n")) ==
        Errors{"dev.yaml:2:7: name: expected the job's name (letters, digits, '_' or '-'), got a "
               "string ('my job')"});
  CHECK(errors(config("kind: Job\nname: a\ntarget: ''\ndeployVersion: 1\n")) ==
        Errors{"dev.yaml:3:9: target: expected a target environment (letters, digits, '_' or "
               "'-'), got a string ('')"});
}

TEST_CASE("a name over 100 characters is rejected") {
  CHECK(errors(config("kind: Job\nname: " + std::string(101, 'a') +
                      "\ntarget: dev\ndeployVersion: 1\n")) ==
        Errors{"dev.yaml:2:7: name: expected at most 100 characters, got 101"});
}

TEST_CASE("deployVersion must be an integer of at least zero") {
  const std::string head = "kind: Job\nname: a\ntarget: dev\n";
  CHECK(errors(config(head + "deployVersion: 1.5\n")) ==
        Errors{"dev.yaml:4:16: deployVersion: expected an integer >= 0, got a float (1.5)"});
  CHECK(errors(config(head + "deployVersion: \"3\"\n")) ==
        Errors{"dev.yaml:4:16: deployVersion: expected an integer >= 0, got a string ('3')"});
  CHECK(errors(config(head + "deployVersion: -1\n")) ==
        Errors{"dev.yaml:4:16: deployVersion: expected an integer >= 0, got an integer (-1)"});
  CHECK(errors(config(head + "deployVersion:\n")) ==
        Errors{"dev.yaml:4:1: deployVersion: expected an integer >= 0, got null"});
}

TEST_CASE("a misspelt strategy suggests blue-green") {
  CHECK(
      errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nstrategy: bluegreen\n")) ==
      Errors{"dev.yaml:5:11: strategy: expected 'simple' or 'blue-green' (did you mean "
             "'blue-green'?), got a string ('bluegreen')"});
}

TEST_CASE("blue-green requires healthSeconds") {
  CHECK(
      errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nstrategy: blue-green\n")) ==
      Errors{"dev.yaml:5:11: healthSeconds: required when strategy is blue-green; expected an "
             "integer > 0 (how long green must stay healthy before blue stops)"});
}

TEST_CASE("healthSeconds with the simple strategy is an error") {
  CHECK(errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nhealthSeconds: 60\n")) ==
        Errors{"dev.yaml:5:1: healthSeconds: healthSeconds applies only to strategy blue-green"});
}

TEST_CASE("stream names a blue-green job's stream and defaults to name-target") {
  auto named = load_config_text(
      "dev.yaml", config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\n"
                         "strategy: blue-green\nhealthSeconds: 60\nstream: orders-v2\n"));
  REQUIRE(named.ok());
  CHECK(stream_name(named.folders[0].configs.at(0)) == "orders-v2");
  auto unnamed =
      load_config_text("dev.yaml", config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\n"
                                          "strategy: blue-green\nhealthSeconds: 60\n"));
  REQUIRE(unnamed.ok());
  CHECK(stream_name(unnamed.folders[0].configs.at(0)) == "a-dev");
}

TEST_CASE("stream with the simple strategy or a bad name is an error") {
  CHECK(errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nstream: s\n")) ==
        Errors{"dev.yaml:5:1: stream: stream applies only to strategy blue-green"});
  CHECK(errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nstrategy: blue-green\n"
                      "healthSeconds: 60\nstream: 'my stream'\n")) ==
        Errors{"dev.yaml:7:9: stream: expected the stream's name (letters, digits, '_' or '-'), "
               "got a string ('my stream')"});
}

TEST_CASE("healthSeconds must be a positive integer") {
  CHECK(errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nstrategy: blue-green\n"
                      "healthSeconds: 0\n")) ==
        Errors{"dev.yaml:6:16: healthSeconds: expected an integer >= 1, got an integer (0)"});
}

TEST_CASE("onDrift is report by default or redeploy") {
  auto loaded = load_config_text(
      "dev.yaml", config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nonDrift: redeploy\n"));
  REQUIRE(loaded.ok());
  CHECK(loaded.folders[0].configs.at(0).on_drift == "redeploy");
  auto plain =
      load_config_text("dev.yaml", config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\n"));
  REQUIRE(plain.ok());
  CHECK(plain.folders[0].configs.at(0).on_drift == "report");
  CHECK(errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nonDrift: fix\n")) ==
        Errors{"dev.yaml:5:10: onDrift: expected 'report' or 'redeploy', got a string ('fix')"});
}

TEST_CASE("owner must be a non-empty string") {
  CHECK(errors(config("kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nowner: [a, b]\n")) ==
        Errors{"dev.yaml:5:8: owner: expected a non-empty string (who is notified), got a "
               "sequence"});
}

TEST_CASE("settings must be a mapping holding tasks") {
  const std::string head = "kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\n";
  CHECK(errors(head + "settings: [x]\n") ==
        Errors{"dev.yaml:5:11: settings: expected the Databricks JobSettings (a mapping with "
               "tasks), got a sequence"});
  CHECK(errors(head + "settings:\n  max_concurrent_runs: 1\n") ==
        Errors{"dev.yaml:6:3: settings.tasks: required key is missing; expected a sequence of at "
               "least one task"});
  CHECK(errors(head + "settings:\n  tasks: []\n") ==
        Errors{"dev.yaml:6:10: settings.tasks: expected at least one task, got an empty sequence"});
}

TEST_CASE("settings name must be the job name and is dropped from the settings") {
  const std::string head = "kind: Job\nname: etl\ntarget: dev\ndeployVersion: 1\n";
  const std::string tasks =
      "  tasks:\n    - task_key: t\n      notebook_task: {notebook_path: /x}\n";
  auto same = load_config_text("dev.yaml", head + "settings:\n  name: etl\n" + tasks);
  REQUIRE(same.ok());
  CHECK_FALSE(same.folders[0].configs[0].settings.contains("name"));
  CHECK(errors(head + "settings:\n  name: other\n" + tasks) ==
        Errors{"dev.yaml:6:9: settings.name: expected 'etl' (the job's name) or no settings.name: "
               "kiln names the Databricks job itself; got a string ('other')"});
}

TEST_CASE("quoted scalars stay strings and plain scalars are typed") {
  auto result = load_config_text(
      "dev.yaml",
      "kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nsettings:\n"
      "  tags: {quoted: \"42\", single: '1.5', plain: 42, float: 1.5, flag: true,\n"
      "         word: yes, explicit: !!str 7, hex: 0x1F}\n"
      "  tasks:\n    - task_key: t\n      notebook_task: {notebook_path: /x}\n");
  REQUIRE_FALSE(result.ok());  // tag values must be strings: the emulator says so
  auto text =
      load_config_text("dev.yaml",
                       "kind: Job\nname: a\ntarget: dev\ndeployVersion: 1\nsettings:\n"
                       "  max_concurrent_runs: 0x1F\n  timeout_seconds: 60\n"
                       "  tags: {quoted: \"42\", single: '1.5', word: yes, explicit: !!str 7}\n"
                       "  tasks:\n    - task_key: t\n      retry_on_timeout: true\n"
                       "      notebook_task: {notebook_path: /x}\n");
  REQUIRE(text.ok());
  const auto& settings = text.folders[0].configs[0].settings;
  CHECK(settings["max_concurrent_runs"] == 31);
  CHECK(settings["timeout_seconds"].is_number_integer());
  CHECK(settings["tags"]["quoted"] == "42");
  CHECK(settings["tags"]["single"] == "1.5");
  CHECK(settings["tags"]["word"] == "yes");
  CHECK(settings["tags"]["explicit"] == "7");
  CHECK(settings["tasks"][0]["retry_on_timeout"] == true);
}
