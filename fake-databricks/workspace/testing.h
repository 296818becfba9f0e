// A FakeWorkspace on a SimulatedLoop, for the endpoint tests: requests go through handle() (the
// router, faults and limits included), so a test sees exactly what a client would.
//
// The default config makes runs predictable: every workload takes one virtual minute and
// succeeds with output "nb-result"; a notebook path containing "fail" always fails, one containing
// "stream" never ends by itself. Request rate limits are off (router_test turns them on).
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/clock/simulated_loop.h"
#include "core/events/event.h"
#include "fake-databricks/workspace/fake_workspace.h"

namespace fakedb::testing {

using nlohmann::json;
using Query = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::int64_t kSecond = 1'000;
inline constexpr std::int64_t kMinute = 60'000;
inline constexpr std::int64_t kHour = 3'600'000;
inline constexpr std::int64_t kDay = 86'400'000;
// Long enough for any default run to end: cluster start (<= 5 min), 1 min of work, cleanup.
inline constexpr std::int64_t kRunTime = 30 * kMinute;

inline json new_cluster() {
  return {{"spark_version", "15.4.x-scala2.12"}, {"node_type_id", "i3.xlarge"}, {"num_workers", 1}};
}

inline json notebook_task(const std::string& key, const std::string& path = "/Workspace/etl/nb") {
  return {{"task_key", key},
          {"notebook_task", {{"notebook_path", path}}},
          {"new_cluster", new_cluster()}};
}

inline json depends_on(json task, std::initializer_list<const char*> upstream) {
  for (const char* u : upstream) task["depends_on"].push_back({{"task_key", u}});
  return task;
}

inline json job_spec(const std::string& name, json tasks = json::array({notebook_task("main")})) {
  return {{"name", name}, {"tasks", std::move(tasks)}};
}

inline json test_config_json() {
  const json batch = {{"kind", "batch"}, {"duration_ms", {{"fixed", 60'000}}}};
  json failing = batch;
  failing["failure_probability"] = 1;
  json succeeding = batch;
  succeeding["output"] = "nb-result";
  return {{"limits", {{"rate_limits", false}}},
          {"workloads",
           {{"default", succeeding},
            {"rules",
             {{{"match", {{"path", "*fail*"}}}, {"model", failing}},
              {{"match", {{"path", "*stream*"}}}, {"model", {{"kind", "streaming"}}}}}}}}};
}

// The test config with `overrides` merged in (RFC 7386 merge patch: objects merge, the rest
// replaces).
inline WorkspaceConfig test_config(const json& overrides = json::object()) {
  json spec = test_config_json();
  spec.merge_patch(overrides);
  auto config = WorkspaceConfig::from_json(spec);
  if (!config) FAIL("bad test config: " << config.error().message);
  return config.value();
}

inline std::string str(std::int64_t id) {
  return std::to_string(id);
}

struct Workspace {
  explicit Workspace(const json& overrides = json::object(), std::uint64_t seed = 1)
      : config(test_config(overrides)),
        loop(config.start_time_ms),
        ws(loop, events, seed, config) {}

  WorkspaceConfig config;
  kiln::core::SimulatedLoop loop;
  kiln::core::EventLog events;
  FakeWorkspace ws;

  // POST /api/<version>/jobs/<endpoint>.
  ApiResponse post(const std::string& endpoint, json body, const std::string& version = "2.2") {
    return ws.handle(ApiRequest::post("/api/" + version + "/jobs/" + endpoint, std::move(body)));
  }
  // GET /api/<version>/jobs/<endpoint>?query.
  ApiResponse get(const std::string& endpoint, Query query = {},
                  const std::string& version = "2.2") {
    return ws.handle(ApiRequest::get("/api/" + version + "/jobs/" + endpoint, std::move(query)));
  }

  // The body of a 200 answer; any other answer fails the test, showing the error.
  static json ok(const ApiResponse& r) {
    if (!r.ok()) FAIL("HTTP " << r.status << ": " << r.body.dump());
    return r.body;
  }

  std::int64_t create_job(const json& settings, const std::string& version = "2.2") {
    return ok(post("create", settings, version))["job_id"].get<std::int64_t>();
  }
  std::int64_t run_now(std::int64_t job_id, json extra = json::object()) {
    extra["job_id"] = job_id;
    return ok(post("run-now", std::move(extra)))["run_id"].get<std::int64_t>();
  }
  json job(std::int64_t job_id) { return ok(get("get", {{"job_id", str(job_id)}})); }
  json run(std::int64_t run_id, Query extra = {}) {
    extra.emplace_back("run_id", str(run_id));
    return ok(get("runs/get", std::move(extra)));
  }
  std::string life_cycle(std::int64_t run_id) {
    return run(run_id)["state"]["life_cycle_state"].get<std::string>();
  }
  std::string result(std::int64_t run_id) { return run(run_id)["state"].value("result_state", ""); }
  // Run ids from one runs/list page, in the order listed.
  std::vector<std::int64_t> listed_runs(Query query = {}) {
    std::vector<std::int64_t> ids;
    for (const auto& r : ok(get("runs/list", std::move(query))).value("runs", json::array())) {
      ids.push_back(r["run_id"].get<std::int64_t>());
    }
    return ids;
  }
  void advance(std::int64_t ms) { loop.run_until(loop.now_ms() + ms); }
};

inline std::string error_code(const ApiResponse& r) {
  return r.body.value("error_code", "");
}
inline std::string message(const ApiResponse& r) {
  return r.body.value("message", "");
}

}  // namespace fakedb::testing
