// Cron schedules and continuous jobs, through the API.
#include <catch2/catch.hpp>

#include "core/clock/simulated_loop.h"
#include "fake-databricks/workspace/fake_workspace.h"

using namespace fakedb;
using nlohmann::json;

namespace {

struct World {
  WorkspaceConfig config;
  kiln::core::SimulatedLoop loop;
  kiln::core::EventLog events;
  FakeWorkspace ws;
  explicit World(WorkspaceConfig c = {})
      : config(std::move(c)), loop(config.start_time_ms), ws(loop, events, 3, config) {}
  std::int64_t create(json settings) {
    auto r = ws.handle(ApiRequest::post("/api/2.1/jobs/create", settings));
    REQUIRE(r.status == 200);
    return r.body["job_id"];
  }
  json runs(std::int64_t job_id) {
    json all = json::array();
    std::string token;
    for (int page = 0; page < 100; ++page) {
      std::vector<std::pair<std::string, std::string>> q{{"job_id", std::to_string(job_id)},
                                                         {"limit", "25"}};
      if (!token.empty()) q.emplace_back("page_token", token);
      auto r = ws.handle(ApiRequest::get("/api/2.1/jobs/runs/list", q));
      REQUIRE(r.status == 200);
      for (auto& run : r.body.value("runs", json::array())) all.push_back(run);
      if (!r.body.value("has_more", false)) break;
      token = r.body["next_page_token"];
    }
    return all;
  }
  void hours(double h) { loop.run_until(loop.now_ms() + static_cast<std::int64_t>(h * 3'600'000)); }
};

json quick_task() {
  return {{"task_key", "t"}, {"notebook_task", {{"notebook_path", "/t"}}}, {"timeout_seconds", 0}};
}

WorkspaceConfig with_workloads(const json& rules) {
  return WorkspaceConfig::from_json({{"workloads", {{"rules", rules}}}}).value();
}

}  // namespace

TEST_CASE("an hourly schedule fires 24 PERIODIC runs a day on the hour") {
  World w;
  const auto id =
      w.create({{"name", "hourly"},
                {"schedule", {{"quartz_cron_expression", "0 0 * * * ?"}, {"timezone_id", "UTC"}}},
                {"tasks", {quick_task()}}});
  w.hours(24);
  const json runs = w.runs(id);
  REQUIRE(runs.size() == 24);
  for (const auto& r : runs) {
    CHECK(r["trigger"] == "PERIODIC");
    CHECK(r["start_time"].get<std::int64_t>() % 3'600'000 == 0);
    CHECK(r["schedule"]["quartz_cron_expression"] == "0 0 * * * ?");
  }
}

TEST_CASE("a schedule fires in its time zone") {
  World w;
  // 09:00 in Kolkata (UTC+05:30) is 03:30 UTC.
  const auto id = w.create(
      {{"name", "daily"},
       {"schedule", {{"quartz_cron_expression", "0 0 9 * * ?"}, {"timezone_id", "Asia/Kolkata"}}},
       {"tasks", {quick_task()}}});
  w.hours(24);
  const json runs = w.runs(id);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["start_time"] == w.config.start_time_ms + 3 * 3'600'000 + 30 * 60'000);
}

TEST_CASE("a paused schedule fires nothing and unpausing it by update starts it") {
  World w;
  const auto id = w.create({{"name", "paused"},
                            {"schedule",
                             {{"quartz_cron_expression", "0 0 * * * ?"},
                              {"timezone_id", "UTC"},
                              {"pause_status", "PAUSED"}}},
                            {"tasks", {quick_task()}}});
  w.hours(5);
  CHECK(w.runs(id).empty());
  auto r = w.ws.handle(
      ApiRequest::post("/api/2.1/jobs/update", {{"job_id", id},
                                                {"new_settings",
                                                 {{"schedule",
                                                   {{"quartz_cron_expression", "0 0 * * * ?"},
                                                    {"timezone_id", "UTC"},
                                                    {"pause_status", "UNPAUSED"}}}}}}));
  REQUIRE(r.status == 200);
  w.hours(3);
  CHECK(w.runs(id).size() == 3);
}

TEST_CASE("a bad cron expression or time zone is refused at create") {
  World w;
  auto r = w.ws.handle(ApiRequest::post(
      "/api/2.1/jobs/create",
      {{"name", "x"},
       {"schedule", {{"quartz_cron_expression", "0 61 * * * ?"}, {"timezone_id", "UTC"}}},
       {"tasks", {quick_task()}}}));
  CHECK(r.status == 400);
  CHECK(r.body["error_code"] == "INVALID_PARAMETER_VALUE");
  CHECK(r.body["message"].get<std::string>().find("minutes value 61") != std::string::npos);
  r = w.ws.handle(ApiRequest::post(
      "/api/2.1/jobs/create",
      {{"name", "x"},
       {"schedule", {{"quartz_cron_expression", "0 0 * * * ?"}, {"timezone_id", "Mars/Olympus"}}},
       {"tasks", {quick_task()}}}));
  CHECK(r.status == 400);
  CHECK(w.ws.job_count() == 0);
}

TEST_CASE("deleting a scheduled job stops its schedule") {
  World w;
  const auto id =
      w.create({{"name", "hourly"},
                {"schedule", {{"quartz_cron_expression", "0 0 * * * ?"}, {"timezone_id", "UTC"}}},
                {"tasks", {quick_task()}}});
  w.hours(2.5);
  REQUIRE(w.ws.handle(ApiRequest::post("/api/2.1/jobs/delete", {{"job_id", id}})).status == 200);
  w.hours(5);
  CHECK(w.ws.runs().run_ids_of_job(id).size() == 2);
}

TEST_CASE("a continuous job keeps one run alive and restarts it after a failure with backoff") {
  World w(with_workloads(
      {{{"match", {{"path", "*"}}},
        {"model", {{"kind", "scripted"}, {"fail_on_attempts", {0}}, {"duration_ms", 600000}}}}}));
  const auto id = w.create({{"name", "stream"},
                            {"continuous", {{"pause_status", "UNPAUSED"}}},
                            {"tasks", {quick_task()}}});
  w.hours(0.5);
  // Every run fails after about 10 minutes; restarts wait 1 minute then 2 (doubling).
  json runs = w.runs(id);  // newest first
  REQUIRE(runs.size() == 3);
  CHECK(runs[2]["trigger"] == "CONTINUOUS");
  CHECK(runs[1]["trigger"] == "CONTINUOUS_RESTART");
  CHECK(runs[2]["state"]["result_state"] == "FAILED");
  CHECK(runs[1]["start_time"].get<std::int64_t>() - runs[2]["end_time"].get<std::int64_t>() ==
        60'000);
  CHECK(runs[0]["start_time"].get<std::int64_t>() - runs[1]["end_time"].get<std::int64_t>() ==
        120'000);
  int active = 0;
  for (const auto& r : runs)
    active += r["state"]["life_cycle_state"] != "TERMINATED" &&
                      r["state"]["life_cycle_state"] != "INTERNAL_ERROR"
                  ? 1
                  : 0;
  CHECK(active == 1);
}

TEST_CASE("a continuous run of a job with parameters lists them with their defaults") {
  World w;
  const auto id = w.create({{"name", "stream"},
                            {"continuous", {{"pause_status", "UNPAUSED"}}},
                            {"parameters", {{{"name", "p"}, {"default", "1"}}}},
                            {"tasks", {quick_task()}}});
  w.hours(0.01);
  const json runs = w.runs(id);  // started by the trigger: no overriding parameters
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["job_parameters"] == json::parse(R"([{"default":"1","name":"p","value":"1"}])"));
}

TEST_CASE("pausing a continuous job stops its run and starts no other") {
  World w(with_workloads({{{"match", {{"path", "*"}}}, {"model", {{"kind", "streaming"}}}}}));
  const auto id = w.create({{"name", "stream"},
                            {"continuous", {{"pause_status", "UNPAUSED"}}},
                            {"tasks", {quick_task()}}});
  w.hours(1);
  auto r = w.ws.handle(ApiRequest::post(
      "/api/2.1/jobs/update",
      {{"job_id", id}, {"new_settings", {{"continuous", {{"pause_status", "PAUSED"}}}}}}));
  REQUIRE(r.status == 200);
  w.hours(2);
  const json runs = w.runs(id);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["state"]["result_state"] == "CANCELED");
}
