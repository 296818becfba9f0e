#include "databricks/model/jobs.h"

#include <catch2/catch.hpp>

namespace databricks {
namespace {

using nlohmann::json;

TEST_CASE("a run reads its ids, state and times, and keeps the whole answer") {
  const json answer = {
      {"run_id", 7},
      {"job_id", 3},
      {"start_time", 1000},
      {"end_time", 2000},
      {"trigger", "PERIODIC"},
      {"state",
       {{"life_cycle_state", "TERMINATED"}, {"result_state", "FAILED"}, {"state_message", "boom"}}},
      {"run_page_url", "https://x"}};
  const Run run = Run::from_json(answer);
  CHECK(run.run_id == 7);
  CHECK(run.job_id == 3);
  CHECK(run.start_time == 1000);
  CHECK(run.end_time == 2000);
  CHECK(run.trigger == "PERIODIC");
  CHECK(run.state.terminal());
  CHECK(run.state.result == ResultState::failed);
  CHECK(run.state.state_message == "boom");
  CHECK(run.json == answer);
}

TEST_CASE("missing or mistyped fields read as empty, never throw") {
  const Run run = Run::from_json(json{{"run_id", "7"}, {"state", 3}});
  CHECK(run.run_id == 0);
  CHECK(run.state.life_cycle_state.empty());
  CHECK_FALSE(run.state.terminal());
  const Job job = Job::from_json(json::array());
  CHECK(job.job_id == 0);
  CHECK(job.tag("kiln_job").empty());
}

TEST_CASE("a job's tags read by key; a non-string tag reads as empty") {
  const Job job =
      Job::from_json({{"job_id", 12},
                      {"created_time", 5},
                      {"settings", {{"name", "etl"}, {"tags", {{"kiln_job", "etl"}, {"n", 3}}}}}});
  CHECK(job.job_id == 12);
  CHECK(job.created_time == 5);
  CHECK(job.tag("kiln_job") == "etl");
  CHECK(job.tag("n").empty());
  CHECK(job.tag("absent").empty());
  CHECK(job.settings["name"] == "etl");
}

}  // namespace
}  // namespace databricks
